from __future__ import annotations

import pytest

from nexus.journeys import services
from nexus.journeys.models import Evidence, Goal
from nexus.journeys.tests.factories import GoalFactory
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db

GOALS = "/api/v1/me/goals/"


def goal_url(goal):
    return f"{GOALS}{goal.pk if hasattr(goal, 'pk') else goal}/"


def snapshot():
    """Every goal and evidence row: what a refused write must leave as it was."""
    goals = list(Goal.objects.order_by("pk").values())
    evidence = list(Evidence.objects.order_by("pk").values())
    links = sorted(Goal.technologies.through.objects.values_list("goal_id", "technology_id"))
    return goals, evidence, links


# --- Writing goals ----------------------------------------------------------------------


def test_a_learner_sets_a_goal_with_technologies_concepts_and_evidence(
    as_user, learner, django_tech, caching, make_challenge, make_guide, make_review
):
    challenge = make_challenge()
    guide = make_guide()
    review = make_review()
    response = as_user(learner).post(
        GOALS,
        {
            "title": "Cache the challenge list",
            "kind": "build",
            "description": "With **Redis**.",
            "status": "active",
            "progress": 40,
            "target_date": "2026-06-30",
            "technologies": ["django"],
            "concepts": ["caching-strategies"],
            "evidence": [
                {"challenge": challenge.pk, "note": "Where it started"},
                {"guide": guide.slug},
                {"review": review.pk},
                {"url": "https://github.com/ada/nexus/pull/3"},
            ],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"], body["progress"]) == ("build", "active", 40)
    assert body["target_date"] == "2026-06-30"
    assert body["completed_at"] is None
    assert "<strong>Redis</strong>" in body["description_html"]
    assert body["technologies"] == [{"slug": "django", "name": "Django"}]
    assert body["concepts"] == [{"slug": "caching-strategies", "name": "Caching Strategies"}]
    kinds = [(item["kind"], item["title"]) for item in body["evidence"]]
    assert kinds == [
        ("challenge", challenge.title),
        ("guide", guide.title),
        ("review", review.title),
        ("url", "https://github.com/ada/nexus/pull/3"),
    ]
    assert body["evidence"][0]["note"] == "Where it started"
    assert body["evidence"][0]["link"] == f"http://127.0.0.1:8000/api/v1/challenges/{challenge.pk}/"
    assert body["evidence"][1]["guide"] == guide.slug
    assert body["evidence"][3]["link"] == "https://github.com/ada/nexus/pull/3"


def test_evidence_may_be_a_challenge_solved_a_solution_given_and_a_mentorship_one_is_in(
    learner, mentor, make_challenge, solve, make_mentorship, user_factory
):
    solved = make_challenge(author=user_factory())
    solution = solve(solved, author=learner)
    mentorship = make_mentorship()

    goal = services.goal_create(
        actor=learner,
        data={
            "title": "Help others",
            "kind": "mentor",
            "evidence": [
                {"challenge": solved.pk},
                {"solution": solution.pk},
                {"mentorship": mentorship.pk},
            ],
        },
    )

    rows = list(goal.evidence.values_list("kind", "challenge_id", "solution_id", "mentorship_id"))
    assert rows == [
        ("challenge", solved.pk, None, None),
        ("solution", None, solution.pk, None),
        ("mentorship", None, None, mentorship.pk),
    ]


def test_marking_a_goal_done_sets_progress_to_100_and_reopening_clears_completion(
    as_user, learner, make_goal
):
    goal = make_goal(progress=30)
    client = as_user(learner)

    done = client.patch(goal_url(goal), {"status": "done"}).json()
    assert (done["status"], done["progress"]) == ("done", 100)
    assert done["completed_at"] is not None

    reopened = client.patch(goal_url(goal), {"status": "active", "progress": 90}).json()
    assert (reopened["status"], reopened["progress"], reopened["completed_at"]) == (
        "active",
        90,
        None,
    )


def test_a_patch_changes_only_what_it_sends_and_lists_replace(
    as_user, learner, make_goal, make_challenge
):
    challenge = make_challenge()
    TechnologyFactory.create(name="Redis", slug="redis")
    goal = make_goal(evidence=[{"url": "https://example.org/a"}], target_date="2026-05-01")

    body = (
        as_user(learner)
        .patch(
            goal_url(goal),
            {"technologies": ["redis"], "evidence": [{"challenge": challenge.pk}]},
        )
        .json()
    )

    assert body["title"] == "Learn Django"
    assert body["target_date"] == "2026-05-01"
    assert [t["slug"] for t in body["technologies"]] == ["redis"]
    assert [e["kind"] for e in body["evidence"]] == ["challenge"]
    cleared = as_user(learner).patch(goal_url(goal), {"target_date": None}).json()
    assert cleared["target_date"] is None


def test_a_learner_removes_a_goal_with_its_evidence(as_user, learner, make_goal):
    goal = make_goal(evidence=[{"url": "https://example.org/a"}])

    assert as_user(learner).delete(goal_url(goal)).status_code == 204
    assert not Goal.objects.exists()
    assert not Evidence.objects.exists()


# --- Refused goals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_date": "30/06/2026"}, "target_date"),
        ({"target_date": "2026-02-30"}, "target_date"),
        ({"target_date": 20260630}, "target_date"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": "50"}, "progress"),
        ({"progress": True}, "progress"),
        ({"kind": "dream"}, "kind"),
        ({"status": "someday"}, "status"),
        ({"title": "  "}, "title"),
        ({"technologies": ["no-such-tech"]}, "technologies"),
        ({"evidence": {"url": "https://example.org"}}, "evidence"),
        ({"evidence": [{"url": "ftp://example.org/file"}]}, "evidence.0"),
        ({"evidence": [{"url": "javascript:alert(1)"}]}, "evidence.0"),
        ({"evidence": [{"guide": "a", "challenge": 1}]}, "evidence.0"),
        ({"evidence": [{"challenge": "one"}]}, "evidence.0"),
        ({"evidence": [{"tweet": "x"}]}, "evidence.0"),
        ({"evidence": [{}]}, "evidence.0"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_goal_input_is_a_400_naming_the_field_and_writes_nothing(
    as_user, learner, make_goal, change, field
):
    goal = make_goal()
    client = as_user(learner)
    before = snapshot()

    created = client.post(GOALS, {"title": "Learn Redis", "kind": "learn", **change})
    updated = client.patch(goal_url(goal), change)

    for response in (created, updated):
        assert response.status_code == 400, response.json()
        body = response.json()
        assert body["type"] == "validation_error"
        assert field in body["errors"], body
    assert snapshot() == before


def test_evidence_pointing_at_missing_objects_is_refused_and_nothing_changes(
    as_user, learner, make_goal
):
    goal = make_goal(evidence=[{"url": "https://example.org/a"}])
    before = snapshot()

    response = as_user(learner).patch(
        goal_url(goal),
        {
            "progress": 80,
            "evidence": [
                {"url": "https://example.org/b"},
                {"guide": "no-such-guide"},
                {"challenge": 999_999},
                {"solution": 999_999},
                {"review": 999_999},
                {"mentorship": 999_999},
            ],
        },
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"evidence.1", "evidence.2", "evidence.3", "evidence.4", "evidence.5"}
    assert errors["evidence.1"] == ["No guide 'no-such-guide' of yours."]
    assert snapshot() == before


def test_evidence_pointing_at_someone_elses_work_is_refused_like_a_missing_one(
    as_user,
    learner,
    user_factory,
    mentor,
    make_challenge,
    make_guide,
    make_review,
    solve,
    make_mentorship,
):
    peer = user_factory(username="peer-one")
    their_challenge = make_challenge(author=peer)
    their_solution = solve(make_challenge(author=learner), author=mentor)
    their_guide = make_guide(author=peer, title="Someone else's guide")
    their_review = make_review(author=peer)
    their_mentorship = make_mentorship(mentee=peer)
    before = snapshot()

    for item in (
        {"challenge": their_challenge.pk},
        {"solution": their_solution.pk},
        {"guide": their_guide.slug},
        {"review": their_review.pk},
        {"mentorship": their_mentorship.pk},
    ):
        response = as_user(learner).post(
            GOALS, {"title": "Claim it", "kind": "learn", "evidence": [item]}
        )
        assert response.status_code == 400, item
        kind = next(iter(item))
        assert response.json()["errors"]["evidence.0"][0].startswith(f"No {kind} ")
    assert snapshot() == before


def test_a_review_one_gave_feedback_on_counts_as_ones_own(
    learner, user_factory, make_review, give_feedback
):
    review = make_review(author=user_factory())
    give_feedback(review, learner)

    goal = services.goal_create(
        actor=learner,
        data={"title": "Review code", "kind": "mentor", "evidence": [{"review": review.pk}]},
    )

    assert goal.evidence.get().review_id == review.pk


def test_a_done_goal_sent_with_less_than_100_percent_is_refused(as_user, learner, make_goal):
    goal = make_goal()
    before = snapshot()

    created = as_user(learner).post(
        GOALS, {"title": "Learn Redis", "kind": "learn", "status": "done", "progress": 50}
    )
    updated = as_user(learner).patch(goal_url(goal), {"status": "done", "progress": 99})

    assert created.status_code == updated.status_code == 400
    assert "progress" in created.json()["errors"]
    assert snapshot() == before


def test_another_learners_goal_is_not_found_and_stays_as_it_was(
    as_user, learner, outsider, make_goal
):
    goal = make_goal()
    before = snapshot()
    client = as_user(outsider)

    for response in (
        client.get(goal_url(goal)),
        client.patch(goal_url(goal), {"progress": 90}),
        client.delete(goal_url(goal)),
    ):
        assert response.status_code == 404
        assert response.json()["type"] == "not_found"
    assert snapshot() == before
    assert client.get(GOALS).json()["results"] == []


def test_goals_need_a_signed_in_user(api_client, make_goal):
    goal = make_goal()

    assert api_client.get(GOALS).status_code == 401
    assert api_client.post(GOALS, {"title": "x", "kind": "learn"}).status_code == 401
    assert api_client.patch(goal_url(goal), {"progress": 1}).status_code == 401
    assert api_client.get(GOALS).json()["type"] == "not_authenticated"


def test_a_body_that_is_not_an_object_is_a_400(as_user, learner):
    response = as_user(learner).post(GOALS, [1, 2], format="json")

    assert response.status_code == 400
    assert not Goal.objects.exists()


# --- Lists ---------------------------------------------------------------------------------


def test_my_goals_filter_by_status_kind_open_and_technology(as_user, learner, make_goal):
    learn = make_goal(title="Learn Django")
    done = make_goal(title="Build an API", kind="build", status="done")
    dropped = make_goal(title="Learn Rust", status="dropped", technologies=[])
    client = as_user(learner)

    def titles(query):
        response = client.get(f"{GOALS}?{query}")
        assert response.status_code == 200, response.json()
        return {goal["title"] for goal in response.json()["results"]}

    assert titles("") == {learn.title, done.title, dropped.title}
    assert titles("status=done") == {done.title}
    assert titles("kind=build") == {done.title}
    assert titles("open=true") == {learn.title}
    assert titles("open=false") == {done.title, dropped.title}
    assert titles("technology=django") == {learn.title, done.title}
    assert client.get(f"{GOALS}?status=someday").status_code == 400


def test_the_goal_list_runs_a_constant_number_of_queries(
    as_user, learner, make_goal, make_challenge, django_assert_num_queries
):
    challenge = make_challenge()
    client = as_user(learner)

    def add(n):
        for i in range(n):
            make_goal(
                title=f"Goal {i}",
                evidence=[{"challenge": challenge.pk}, {"url": "https://example.org"}],
            )

    add(2)
    # user, goals, technologies, concepts, evidence (targets joined)
    with django_assert_num_queries(5):
        first = client.get(f"{GOALS}?page_size=100")
    add(6)
    GoalFactory.create_batch(3)  # someone else's goals are not read
    with django_assert_num_queries(5):
        second = client.get(f"{GOALS}?page_size=100")

    assert (len(first.json()["results"]), len(second.json()["results"])) == (2, 8)
