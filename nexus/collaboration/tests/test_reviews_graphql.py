from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from nexus.accounts.models import Profile
from nexus.collaboration.models import MentorProfile, Mentorship, ReviewClaim, ReviewRequest
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.collaboration.services import reviews as review_services
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db

PR_URL = "https://github.com/prodev/nexus/pull/7"


def gql(client, query, variables=None, *, as_user=None):
    headers = {}
    if as_user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(as_user)}"
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        **headers,
    )
    return response.json()


def data(body):
    assert "errors" not in body, body
    return body["data"]


def error_code(body):
    return body["errors"][0]["extensions"]["code"]


def queries_for(client, query, variables=None, *, as_user=None):
    with CaptureQueriesContext(connection) as captured:
        body = data(gql(client, query, variables, as_user=as_user))
    return body, len(captured)


@pytest.fixture
def django_tech(db):
    return TechnologyFactory.create(name="Django", slug="django")


@pytest.fixture
def reviewer(user_factory):
    return user_factory(username="reviewer-one")


@pytest.fixture
def mentor(user_factory):
    return user_factory(username="mentor-one", role="mentor")


@pytest.fixture
def staff(user_factory):
    return user_factory(username="staff-one", role="staff")


def ask_review(author, **fields):
    return review_services.review_request_create(
        actor=author, data={"title": "Review my DRF pagination", "url": PR_URL, **fields}
    )


def offer(mentor, **fields):
    return mentoring_services.mentor_profile_update(
        actor=mentor, data={"technologies": ["django"], "capacity": 1, **fields}
    )


# --- Peer reviews -----------------------------------------------------------------------

CREATE_REVIEW = """
mutation($input: CreateReviewRequestInput!) {
  createReviewRequest(input: $input) {
    id title status reviewerTrack maxReviewers focusHtml isFull isReviewer
    author { username } technologies { slug }
  }
}
"""

CLAIM = """
mutation($id: Int!) {
  claimReview(id: $id) { status claimCount isReviewer reviewers { reviewer { username } } }
}
"""

FEEDBACK = """
mutation($id: Int!, $input: ReviewFeedbackInput!) {
  giveReviewFeedback(id: $id, input: $input) {
    id verdict rating bodyHtml isHelpful reviewer { username }
  }
}
"""

HELPFUL = """
mutation($review: Int!, $feedback: Int!, $helpful: Boolean!) {
  markFeedbackHelpful(reviewId: $review, feedbackId: $feedback, helpful: $helpful) { isHelpful }
}
"""

REVIEW = """
query($id: Int!) {
  review(id: $id) {
    title status claimCount feedbackCount isFull
    reviewers { reviewer { username displayName } createdAt }
    feedback { verdict body reviewer { username } }
  }
}
"""


def test_a_review_is_asked_claimed_reviewed_marked_helpful_and_completed(
    client, learner, reviewer, django_tech
):
    created = data(
        gql(
            client,
            CREATE_REVIEW,
            {
                "input": {
                    "title": "Review my DRF pagination",
                    "url": PR_URL,
                    "focus": "Is the **cursor** right?",
                    "technologies": ["django"],
                    "reviewerTrack": "backend",
                    "maxReviewers": 1,
                }
            },
            as_user=learner,
        )
    )["createReviewRequest"]
    assert created["status"] == "open"
    assert (created["reviewerTrack"], created["maxReviewers"]) == ("backend", 1)
    assert "<strong>cursor</strong>" in created["focusHtml"]
    assert created["technologies"] == [{"slug": "django"}]
    review_id = int(created["id"])

    claimed = data(gql(client, CLAIM, {"id": review_id}, as_user=reviewer))["claimReview"]
    assert claimed == {
        "status": "in_review",
        "claimCount": 1,
        "isReviewer": True,
        "reviewers": [{"reviewer": {"username": "reviewer-one"}}],
    }

    feedback = data(
        gql(
            client,
            FEEDBACK,
            {"id": review_id, "input": {"verdict": "approve", "body": "Ship *it*.", "rating": 5}},
            as_user=reviewer,
        )
    )["giveReviewFeedback"]
    assert (feedback["verdict"], feedback["rating"]) == ("approve", 5)
    assert "<em>it</em>" in feedback["bodyHtml"]

    marked = gql(
        client,
        HELPFUL,
        {"review": review_id, "feedback": int(feedback["id"]), "helpful": True},
        as_user=learner,
    )
    assert data(marked)["markFeedbackHelpful"] == {"isHelpful": True}
    assert Profile.objects.get(user=reviewer).reputation == 5

    done = gql(
        client,
        "mutation($id: Int!) { completeReview(id: $id) { status } }",
        {"id": review_id},
        as_user=learner,
    )
    assert data(done)["completeReview"] == {"status": "done"}
    shown = data(gql(client, REVIEW, {"id": review_id}))["review"]
    assert (shown["status"], shown["claimCount"], shown["feedbackCount"], shown["isFull"]) == (
        "done",
        1,
        1,
        True,
    )
    assert shown["feedback"] == [
        {"verdict": "approve", "body": "Ship *it*.", "reviewer": {"username": "reviewer-one"}}
    ]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://example.com/prodev/nexus", "validation_error"),
        ("ftp://github.com/prodev/nexus", "validation_error"),
        ("https://github.com.evil.example/x", "validation_error"),
    ],
)
def test_creating_a_review_with_a_url_off_github_or_gitlab_is_refused(client, learner, url, code):
    body = gql(
        client, CREATE_REVIEW, {"input": {"title": "Review my code", "url": url}}, as_user=learner
    )

    assert error_code(body) == code
    assert "url" in body["errors"][0]["extensions"]["errors"]
    assert not ReviewRequest.objects.exists()


def test_review_mutations_refuse_the_wrong_people_and_change_nothing(
    client, learner, reviewer, staff, user_factory
):
    review = ask_review(learner, max_reviewers=1)
    review_services.review_request_claim(actor=reviewer, request_id=review.pk)

    anonymous = gql(client, CLAIM, {"id": review.pk})
    own = gql(client, CLAIM, {"id": review.pk}, as_user=learner)
    full = gql(client, CLAIM, {"id": review.pk}, as_user=user_factory())
    twice = gql(client, CLAIM, {"id": review.pk}, as_user=reviewer)
    not_reviewer = gql(
        client,
        FEEDBACK,
        {"id": review.pk, "input": {"verdict": "comment", "body": "Hi"}},
        as_user=staff,
    )
    bad_rating = gql(
        client,
        FEEDBACK,
        {"id": review.pk, "input": {"verdict": "comment", "body": "Hi", "rating": 6}},
        as_user=reviewer,
    )
    bad_verdict = gql(
        client,
        FEEDBACK,
        {"id": review.pk, "input": {"verdict": "lgtm", "body": "Hi"}},
        as_user=reviewer,
    )
    not_author = gql(
        client,
        "mutation($id: Int!) { completeReview(id: $id) { status } }",
        {"id": review.pk},
        as_user=staff,
    )

    assert error_code(anonymous) == "not_authenticated"
    assert error_code(own) == "permission_denied"
    assert error_code(full) == "conflict"
    assert error_code(twice) == "conflict"
    assert error_code(not_reviewer) == "permission_denied"
    assert error_code(bad_rating) == "validation_error"
    assert error_code(bad_verdict) == "validation_error"
    assert "verdict" in bad_verdict["errors"][0]["extensions"]["errors"]
    assert error_code(not_author) == "permission_denied"
    review.refresh_from_db()
    assert (review.status, review.claim_count, review.feedback_count) == ("in_review", 1, 0)
    assert ReviewClaim.objects.count() == 1


REVIEWS = """
query($mine: Boolean, $reviewing: Boolean, $status: String, $track: String) {
  reviews(mine: $mine, reviewing: $reviewing, status: $status, track: $track, limit: 100) {
    id title status isFull isReviewer author { username displayName } technologies { slug name }
  }
}
"""


def test_the_reviews_list_filters_and_needs_signing_in_for_mine(
    client, learner, reviewer, user_factory, django_tech
):
    mine = ask_review(learner, technologies=["django"], reviewer_track="frontend")
    theirs = ask_review(user_factory())
    review_services.review_request_claim(actor=reviewer, request_id=theirs.pk)

    def ids(variables, user=None):
        rows = data(gql(client, REVIEWS, variables, as_user=user))["reviews"]
        return [int(row["id"]) for row in rows]

    assert ids({}) == [theirs.pk, mine.pk]
    assert ids({"mine": True}, learner) == [mine.pk]
    assert ids({"reviewing": True}, reviewer) == [theirs.pk]
    assert ids({"status": "in_review"}) == [theirs.pk]
    assert ids({"track": "frontend"}) == [mine.pk]
    assert error_code(gql(client, REVIEWS, {"mine": True})) == "not_authenticated"
    assert error_code(gql(client, REVIEWS, {"status": "closed"})) == "validation_error"


def test_the_reviews_list_costs_the_same_queries_for_three_or_nine_requests(
    client, reviewer, user_factory, django_tech
):
    def grow(n):
        for _ in range(n):
            review = ask_review(user_factory(), technologies=["django"])
            review_services.review_request_claim(actor=reviewer, request_id=review.pk)

    grow(3)
    three, queries_for_three = queries_for(client, REVIEWS, as_user=reviewer)
    grow(6)
    nine, queries_for_nine = queries_for(client, REVIEWS, as_user=reviewer)

    assert (len(three["reviews"]), len(nine["reviews"])) == (3, 9)
    assert all(row["isReviewer"] for row in nine["reviews"])
    assert queries_for_three == queries_for_nine


def test_a_review_costs_the_same_queries_for_few_or_many_reviewers(client, learner, user_factory):
    def reviewed(reviewers):
        review = ask_review(learner, max_reviewers=5)
        for _ in range(reviewers):
            person = user_factory()
            review_services.review_request_claim(actor=person, request_id=review.pk)
            review_services.review_feedback_create(
                actor=person, request_id=review.pk, data={"verdict": "comment", "body": "Hm."}
            )
        return review

    few, many = reviewed(1), reviewed(4)
    small, queries_for_few = queries_for(client, REVIEW, {"id": few.pk})
    large, queries_for_many = queries_for(client, REVIEW, {"id": many.pk})

    assert (len(small["review"]["reviewers"]), len(large["review"]["feedback"])) == (1, 4)
    assert queries_for_few == queries_for_many


# --- Mentoring --------------------------------------------------------------------------

SET_PROFILE = """
mutation($input: MentorProfileInput!) {
  setMentorProfile(input: $input) {
    capacity activeCount isAccepting hasRoom technologies { slug } user { username }
  }
}
"""

REQUEST = """
mutation($mentor: String!, $goals: String!) {
  requestMentorship(mentor: $mentor, goals: $goals) { id status myRole mentor { username } }
}
"""

ANSWER = """
mutation($id: Int!) {
  accept: acceptMentorship(id: $id) { status myRole acceptedAt }
}
"""

MENTORSHIP = """
query($id: Int!) {
  mentorship(id: $id) {
    status goals mentee { username } notes { body bodyHtml author { username } }
  }
}
"""


def test_a_mentorship_is_offered_asked_accepted_noted_and_ended(
    client, learner, mentor, django_tech
):
    offered = gql(
        client,
        SET_PROFILE,
        {"input": {"technologies": ["django"], "capacity": 1, "about": "Django for ten years."}},
        as_user=mentor,
    )
    assert data(offered)["setMentorProfile"] == {
        "capacity": 1,
        "activeCount": 0,
        "isAccepting": True,
        "hasRoom": True,
        "technologies": [{"slug": "django"}],
        "user": {"username": "mentor-one"},
    }
    mentors = data(gql(client, '{ mentors(technology: "django") { user { username } hasRoom } }'))
    assert mentors["mentors"] == [{"user": {"username": "mentor-one"}, "hasRoom": True}]

    asked = data(
        gql(client, REQUEST, {"mentor": "mentor-one", "goals": "Cache my views."}, as_user=learner)
    )["requestMentorship"]
    assert (asked["status"], asked["myRole"]) == ("requested", "mentee")
    mentorship_id = int(asked["id"])

    accepted = data(gql(client, ANSWER, {"id": mentorship_id}, as_user=mentor))["accept"]
    assert (accepted["status"], accepted["myRole"]) == ("active", "mentor")
    assert accepted["acceptedAt"] is not None

    note = gql(
        client,
        'mutation($id: Int!) { addMentorshipNote(id: $id, body: "Read **RFC 9110**.") { body } }',
        {"id": mentorship_id},
        as_user=mentor,
    )
    assert data(note)["addMentorshipNote"] == {"body": "Read **RFC 9110**."}
    shown = data(gql(client, MENTORSHIP, {"id": mentorship_id}, as_user=learner))["mentorship"]
    assert shown["status"] == "active"
    assert [n["author"]["username"] for n in shown["notes"]] == ["mentor-one"]
    assert "<strong>RFC 9110</strong>" in shown["notes"][0]["bodyHtml"]

    ended = gql(
        client,
        "mutation($id: Int!) { endMentorship(id: $id) { status } }",
        {"id": mentorship_id},
        as_user=learner,
    )
    assert data(ended)["endMentorship"] == {"status": "ended"}
    assert MentorProfile.objects.get(user=mentor).active_count == 0


def test_mentoring_mutations_refuse_the_wrong_people_and_change_nothing(
    client, learner, mentor, staff, user_factory, django_tech
):
    offer(mentor, capacity=1)
    first = mentoring_services.mentorship_request(
        actor=learner, data={"mentor": "mentor-one", "goals": "Grow."}
    )
    second = mentoring_services.mentorship_request(
        actor=user_factory(), data={"mentor": "mentor-one", "goals": "Grow too."}
    )
    mentoring_services.mentorship_accept(actor=mentor, mentorship_id=first.pk)

    learner_offers = gql(client, SET_PROFILE, {"input": {"capacity": 2}}, as_user=learner)
    over_capacity = gql(client, ANSWER, {"id": second.pk}, as_user=mentor)
    mentee_accepts = gql(client, ANSWER, {"id": second.pk}, as_user=learner)
    staff_accepts = gql(client, ANSWER, {"id": second.pk}, as_user=staff)
    asks_self = gql(client, REQUEST, {"mentor": "mentor-one", "goals": "x"}, as_user=mentor)
    asks_twice = gql(client, REQUEST, {"mentor": "mentor-one", "goals": "x"}, as_user=learner)
    asks_learner = gql(client, REQUEST, {"mentor": "learner-one", "goals": "x"}, as_user=staff)
    stranger_reads = gql(client, MENTORSHIP, {"id": first.pk}, as_user=staff)
    anonymous_reads = gql(client, "{ mentorships { id } }")

    assert error_code(learner_offers) == "permission_denied"
    assert error_code(over_capacity) == "conflict"
    assert "capacity" in over_capacity["errors"][0]["message"]
    assert error_code(mentee_accepts) == "not_found"
    assert error_code(staff_accepts) == "not_found"
    assert error_code(asks_self) == "validation_error"
    assert error_code(asks_twice) == "conflict"
    assert error_code(asks_learner) == "validation_error"
    assert error_code(stranger_reads) == "not_found"
    assert error_code(anonymous_reads) == "not_authenticated"
    assert MentorProfile.objects.get(user=mentor).active_count == 1
    assert sorted(Mentorship.objects.values_list("status", flat=True)) == ["active", "requested"]
    assert not MentorProfile.objects.filter(user=learner).exists()


MENTORSHIPS = """
{ mentorships(limit: 100) { id status myRole mentor { username displayName } mentee { username } } }
"""


def test_mentor_and_mentorship_lists_cost_the_same_queries_for_three_or_nine(
    client, learner, user_factory, django_tech
):
    mentors_query = """
    { mentors(limit: 100) {
        user { username displayName } technologies { slug } concepts { slug } hasRoom
    } }
    """

    def grow(n):
        for _ in range(n):
            teacher = user_factory(role="mentor")
            offer(teacher)
            mentoring_services.mentorship_request(
                actor=learner, data={"mentor": teacher.username, "goals": "Grow."}
            )

    grow(3)
    three, mentor_queries_for_three = queries_for(client, mentors_query)
    mine_three, queries_for_three = queries_for(client, MENTORSHIPS, as_user=learner)
    grow(6)
    nine, mentor_queries_for_nine = queries_for(client, mentors_query)
    mine_nine, queries_for_nine = queries_for(client, MENTORSHIPS, as_user=learner)

    assert (len(three["mentors"]), len(nine["mentors"])) == (3, 9)
    assert (len(mine_three["mentorships"]), len(mine_nine["mentorships"])) == (3, 9)
    assert mentor_queries_for_three == mentor_queries_for_nine
    assert queries_for_three == queries_for_nine
    assert {row["myRole"] for row in mine_nine["mentorships"]} == {"mentee"}


def test_a_mentorship_costs_the_same_queries_for_few_or_many_notes(
    client, learner, mentor, django_tech
):
    offer(mentor)
    mentorship = mentoring_services.mentorship_request(
        actor=learner, data={"mentor": "mentor-one", "goals": "Grow."}
    )

    def write(n):
        for i in range(n):
            mentoring_services.mentorship_note_create(
                actor=learner if i % 2 else mentor,
                mentorship_id=mentorship.pk,
                data={"body": f"Note {i}"},
            )

    write(2)
    few, queries_for_few = queries_for(client, MENTORSHIP, {"id": mentorship.pk}, as_user=learner)
    write(6)
    many, queries_for_many = queries_for(client, MENTORSHIP, {"id": mentorship.pk}, as_user=learner)

    assert (len(few["mentorship"]["notes"]), len(many["mentorship"]["notes"])) == (2, 8)
    assert queries_for_few == queries_for_many


def test_my_mentor_profile_is_null_until_set(client, mentor, django_tech):
    query = "{ myMentorProfile { capacity } }"

    assert data(gql(client, query, as_user=mentor)) == {"myMentorProfile": None}
    offer(mentor, capacity=4)
    assert data(gql(client, query, as_user=mentor)) == {"myMentorProfile": {"capacity": 4}}
    assert error_code(gql(client, query)) == "not_authenticated"
