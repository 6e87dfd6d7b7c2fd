from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexus.collaboration.models import ReviewClaim, ReviewFeedback
from nexus.collaboration.services import channels as channel_services
from nexus.collaboration.services import reviews as review_services
from nexus.journeys.models import Goal

pytestmark = pytest.mark.django_db


def dashboard_url(cohort, query=""):
    return f"/api/v1/cohorts/{cohort.slug}/dashboard/{query}"


@pytest.fixture
def activity(
    learner,
    cohort_mate,
    outsider,
    mentor,
    staff,
    make_goal,
    make_entry,
    make_challenge,
    solve,
    make_review,
    give_feedback,
    make_mentorship,
):
    """The cohort at work: the learner busy, the cohort mate quiet, an outsider elsewhere."""
    make_challenge(title="Waiting for an answer in the cohort")
    solve(make_challenge(title="Answered quickly by a mentor"), author=mentor)
    make_challenge(author=outsider, title="Another cohort's open question")
    make_entry()
    make_goal(title="Open goal")
    make_goal(title="Done goal", status="done")
    make_goal(title="Dropped goal", status="dropped")
    review = make_review()
    give_feedback(review, cohort_mate)
    make_review(title="Second request, claimed but not reviewed yet")
    channel_services.channel_create(
        actor=staff, data={"slug": "general", "name": "General", "kind": "public"}
    )
    channel_services.channel_join(actor=learner, slug="general")
    channel_services.message_post(actor=learner, slug="general", data={"body": "Hello!"})
    make_mentorship()


def test_staff_see_each_learners_activity_goals_and_mentor(
    as_user, learner, cohort_mate, outsider, mentor, staff, cohort, activity
):
    response = as_user(staff).get(dashboard_url(cohort))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["cohort"] == {"slug": "prodev-2026", "name": "ProDev 2026"}
    assert len(body["weeks"]) == 8
    monday = timezone.now().date() - timedelta(days=timezone.now().weekday())
    assert body["weeks"][-1] == monday.isoformat()
    rows = {row["user"]["username"]: row for row in body["learners"]}
    assert set(rows) == {learner.username, cohort_mate.username}  # not mentors, staff, others
    mine = rows[learner.username]
    this_week = mine["weeks"][-1]
    assert (this_week["challenges"], this_week["messages"], this_week["journal_entries"]) == (
        2,
        1,
        1,
    )
    assert mine["totals"]["challenges"] == 2
    assert mine["total"] == this_week["total"] == 4
    assert (mine["goals_open"], mine["goals_done"]) == (1, 1)
    assert mine["mentor"]["username"] == mentor.username
    mate = rows[cohort_mate.username]
    assert mate["weeks"][-1]["reviews"] == 1
    assert mate["mentor"] is None


def test_the_dashboard_lists_unanswered_challenges_turnaround_and_mentoring_load(
    as_user, learner, cohort_mate, mentor, cohort, activity
):
    second = make_second_claim(learner, cohort_mate)
    feedback = ReviewFeedback.objects.get()
    claim = ReviewClaim.objects.get(request=feedback.request)
    ReviewClaim.objects.filter(pk=claim.pk).update(
        created_at=feedback.created_at - timedelta(hours=6)
    )

    body = as_user(mentor).get(dashboard_url(cohort)).json()

    assert body["unanswered_count"] == 1
    assert [c["title"] for c in body["unanswered"]] == ["Waiting for an answer in the cohort"]
    turnaround = body["review_turnaround"]
    assert (turnaround["claims"], turnaround["answered"], turnaround["waiting"]) == (2, 1, 1)
    assert turnaround["median_hours"] == turnaround["average_hours"] == 6.0
    assert turnaround["longest_waiting_hours"] is not None
    assert second.request.title == "Second request, claimed but not reviewed yet"
    load = body["mentoring"]
    assert [
        (m["mentor"]["username"], m["active"], m["requested"], m["capacity"]) for m in load
    ] == [(mentor.username, 1, 0, 10)]
    assert [u["username"] for u in load[0]["mentees"]] == [learner.username]


def make_second_claim(learner, cohort_mate):
    from nexus.collaboration.models import ReviewRequest

    review = ReviewRequest.objects.get(title="Second request, claimed but not reviewed yet")
    return review_services.review_request_claim(actor=cohort_mate, request_id=review.pk)


def test_weeks_choose_how_far_back_the_dashboard_looks(as_user, staff, cohort, activity):
    client = as_user(staff)

    assert len(client.get(dashboard_url(cohort, "?weeks=2")).json()["weeks"]) == 2
    for bad in ("0", "27", "many", "1.5"):
        response = client.get(dashboard_url(cohort, f"?weeks={bad}"))
        assert response.status_code == 400, bad
        assert "weeks" in response.json()["errors"]


def test_learners_get_403_and_the_signed_out_401(as_user, api_client, learner, cohort, activity):
    goals = list(Goal.objects.values())

    refused = as_user(learner).get(dashboard_url(cohort))
    anonymous = api_client.get(dashboard_url(cohort))

    assert refused.status_code == 403
    assert refused.json()["type"] == "permission_denied"
    assert anonymous.status_code == 401
    assert list(Goal.objects.values()) == goals


def test_an_unknown_cohort_is_not_found(as_user, staff):
    response = as_user(staff).get("/api/v1/cohorts/no-such-cohort/dashboard/")

    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


def test_the_dashboard_costs_the_same_queries_for_a_small_or_large_cohort(
    as_user,
    staff,
    cohort,
    user_factory,
    make_goal,
    make_entry,
    make_challenge,
    solve,
    make_review,
    give_feedback,
    mentor,
    make_mentorship,
    activity,
    django_assert_num_queries,
):
    client = as_user(staff)
    with CaptureQueriesContext(connection) as small:
        first = client.get(dashboard_url(cohort))

    for i in range(6):
        person = user_factory(username=f"cohort-learner-{i}", cohort=cohort)
        make_challenge(author=person, title=f"Another question from learner {i}")
        make_entry(author=person, title=f"Entry {i}")
        make_goal(owner=person, title=f"Goal {i}")
        give_feedback(make_review(author=person), user_factory(cohort=cohort))
        make_mentorship(mentee=person)
    # user, cohort, learners, six kinds of activity, goals, mentorships, capacities,
    # unanswered count and list, review turnaround
    with django_assert_num_queries(len(small)):
        second = client.get(dashboard_url(cohort))

    assert len(small) == 15
    assert len(first.json()["learners"]) == 2
    assert len(second.json()["learners"]) == 14
