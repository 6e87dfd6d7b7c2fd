from __future__ import annotations

import pytest

from nexus.accounts.models import Profile
from nexus.collaboration.models import MentorProfile, Mentorship, ReviewClaim, ReviewRequest
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.collaboration.services import reviews as review_services
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db

PR_URL = "https://github.com/prodev/nexus/pull/7"


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
    gql, learner, reviewer, django_tech
):
    created = gql.data(
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
    )["createReviewRequest"]
    assert created["status"] == "open"
    assert (created["reviewerTrack"], created["maxReviewers"]) == ("backend", 1)
    assert "<strong>cursor</strong>" in created["focusHtml"]
    assert created["technologies"] == [{"slug": "django"}]
    review_id = int(created["id"])

    claimed = gql.data(CLAIM, {"id": review_id}, as_user=reviewer)["claimReview"]
    assert claimed == {
        "status": "in_review",
        "claimCount": 1,
        "isReviewer": True,
        "reviewers": [{"reviewer": {"username": "reviewer-one"}}],
    }

    feedback = gql.data(
        FEEDBACK,
        {"id": review_id, "input": {"verdict": "approve", "body": "Ship *it*.", "rating": 5}},
        as_user=reviewer,
    )["giveReviewFeedback"]
    assert (feedback["verdict"], feedback["rating"]) == ("approve", 5)
    assert "<em>it</em>" in feedback["bodyHtml"]

    marked = gql(
        HELPFUL,
        {"review": review_id, "feedback": int(feedback["id"]), "helpful": True},
        as_user=learner,
    )
    assert marked.data["markFeedbackHelpful"] == {"isHelpful": True}
    assert Profile.objects.get(user=reviewer).reputation == 5

    done = gql(
        "mutation($id: Int!) { completeReview(id: $id) { status } }",
        {"id": review_id},
        as_user=learner,
    )
    assert done.data["completeReview"] == {"status": "done"}
    shown = gql.data(REVIEW, {"id": review_id})["review"]
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
def test_creating_a_review_with_a_url_off_github_or_gitlab_is_refused(gql, learner, url, code):
    body = gql(CREATE_REVIEW, {"input": {"title": "Review my code", "url": url}}, as_user=learner)

    assert body.error_code == code
    assert "url" in body["errors"][0]["extensions"]["errors"]
    assert not ReviewRequest.objects.exists()


def test_review_mutations_refuse_the_wrong_people_and_change_nothing(
    gql, learner, reviewer, staff, user_factory
):
    review = ask_review(learner, max_reviewers=1)
    review_services.review_request_claim(actor=reviewer, request_id=review.pk)

    anonymous = gql(CLAIM, {"id": review.pk})
    own = gql(CLAIM, {"id": review.pk}, as_user=learner)
    full = gql(CLAIM, {"id": review.pk}, as_user=user_factory())
    twice = gql(CLAIM, {"id": review.pk}, as_user=reviewer)
    not_reviewer = gql(
        FEEDBACK,
        {"id": review.pk, "input": {"verdict": "comment", "body": "Hi"}},
        as_user=staff,
    )
    bad_rating = gql(
        FEEDBACK,
        {"id": review.pk, "input": {"verdict": "comment", "body": "Hi", "rating": 6}},
        as_user=reviewer,
    )
    bad_verdict = gql(
        FEEDBACK,
        {"id": review.pk, "input": {"verdict": "lgtm", "body": "Hi"}},
        as_user=reviewer,
    )
    not_author = gql(
        "mutation($id: Int!) { completeReview(id: $id) { status } }",
        {"id": review.pk},
        as_user=staff,
    )

    assert anonymous.error_code == "not_authenticated"
    assert own.error_code == "permission_denied"
    assert full.error_code == "conflict"
    assert twice.error_code == "conflict"
    assert not_reviewer.error_code == "permission_denied"
    assert bad_rating.error_code == "validation_error"
    assert bad_verdict.error_code == "validation_error"
    assert "verdict" in bad_verdict["errors"][0]["extensions"]["errors"]
    assert not_author.error_code == "permission_denied"
    review.refresh_from_db()
    assert (review.status, review.claim_count, review.feedback_count) == ("in_review", 1, 0)
    assert ReviewClaim.objects.count() == 1


REVIEWS = """
query($mine: Boolean, $reviewing: Boolean, $status: String, $track: String) {
  reviews(mine: $mine, reviewing: $reviewing, status: $status, track: $track, first: 100) {
    results {
      id title status isFull isReviewer author { username displayName } technologies { slug name }
    }
  }
}
"""


def test_the_reviews_list_filters_and_needs_signing_in_for_mine(
    gql, learner, reviewer, user_factory, django_tech
):
    mine = ask_review(learner, technologies=["django"], reviewer_track="frontend")
    theirs = ask_review(user_factory())
    review_services.review_request_claim(actor=reviewer, request_id=theirs.pk)

    def ids(variables, user=None):
        rows = gql.data(REVIEWS, variables, as_user=user)["reviews"]["results"]
        return [int(row["id"]) for row in rows]

    assert ids({}) == [theirs.pk, mine.pk]
    assert ids({"mine": True}, learner) == [mine.pk]
    assert ids({"reviewing": True}, reviewer) == [theirs.pk]
    assert ids({"status": "in_review"}) == [theirs.pk]
    assert ids({"track": "frontend"}) == [mine.pk]
    assert gql.error_code(REVIEWS, {"mine": True}) == "not_authenticated"
    assert gql.error_code(REVIEWS, {"status": "closed"}) == "validation_error"


def test_the_reviews_list_costs_the_same_queries_for_three_or_nine_requests(
    gql, reviewer, user_factory, django_tech
):
    def grow(n):
        for _ in range(n):
            review = ask_review(user_factory(), technologies=["django"])
            review_services.review_request_claim(actor=reviewer, request_id=review.pk)

    grow(3)
    three, queries_for_three = gql.queries(REVIEWS, as_user=reviewer)
    grow(6)
    nine, queries_for_nine = gql.queries(REVIEWS, as_user=reviewer)

    assert (len(three["reviews"]["results"]), len(nine["reviews"]["results"])) == (3, 9)
    assert all(row["isReviewer"] for row in nine["reviews"]["results"])
    assert queries_for_three == queries_for_nine


def test_a_review_costs_the_same_queries_for_few_or_many_reviewers(gql, learner, user_factory):
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
    small, queries_for_few = gql.queries(REVIEW, {"id": few.pk})
    large, queries_for_many = gql.queries(REVIEW, {"id": many.pk})

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


def test_a_mentorship_is_offered_asked_accepted_noted_and_ended(gql, learner, mentor, django_tech):
    offered = gql(
        SET_PROFILE,
        {"input": {"technologies": ["django"], "capacity": 1, "about": "Django for ten years."}},
        as_user=mentor,
    )
    assert offered.data["setMentorProfile"] == {
        "capacity": 1,
        "activeCount": 0,
        "isAccepting": True,
        "hasRoom": True,
        "technologies": [{"slug": "django"}],
        "user": {"username": "mentor-one"},
    }
    mentors = gql.data(
        '{ mentors(technology: "django") { results { user { username } hasRoom } } }'
    )
    assert mentors["mentors"]["results"] == [{"user": {"username": "mentor-one"}, "hasRoom": True}]

    asked = gql.data(
        REQUEST, {"mentor": "mentor-one", "goals": "Cache my views."}, as_user=learner
    )["requestMentorship"]
    assert (asked["status"], asked["myRole"]) == ("requested", "mentee")
    mentorship_id = int(asked["id"])

    accepted = gql.data(ANSWER, {"id": mentorship_id}, as_user=mentor)["accept"]
    assert (accepted["status"], accepted["myRole"]) == ("active", "mentor")
    assert accepted["acceptedAt"] is not None

    note = gql(
        'mutation($id: Int!) { addMentorshipNote(id: $id, body: "Read **RFC 9110**.") { body } }',
        {"id": mentorship_id},
        as_user=mentor,
    )
    assert note.data["addMentorshipNote"] == {"body": "Read **RFC 9110**."}
    shown = gql.data(MENTORSHIP, {"id": mentorship_id}, as_user=learner)["mentorship"]
    assert shown["status"] == "active"
    assert [n["author"]["username"] for n in shown["notes"]] == ["mentor-one"]
    assert "<strong>RFC 9110</strong>" in shown["notes"][0]["bodyHtml"]

    ended = gql(
        "mutation($id: Int!) { endMentorship(id: $id) { status } }",
        {"id": mentorship_id},
        as_user=learner,
    )
    assert ended.data["endMentorship"] == {"status": "ended"}
    assert MentorProfile.objects.get(user=mentor).active_count == 0


def test_mentoring_mutations_refuse_the_wrong_people_and_change_nothing(
    gql, learner, mentor, staff, user_factory, django_tech
):
    offer(mentor, capacity=1)
    first = mentoring_services.mentorship_request(
        actor=learner, data={"mentor": "mentor-one", "goals": "Grow."}
    )
    second = mentoring_services.mentorship_request(
        actor=user_factory(), data={"mentor": "mentor-one", "goals": "Grow too."}
    )
    mentoring_services.mentorship_accept(actor=mentor, mentorship_id=first.pk)

    learner_offers = gql(SET_PROFILE, {"input": {"capacity": 2}}, as_user=learner)
    over_capacity = gql(ANSWER, {"id": second.pk}, as_user=mentor)
    mentee_accepts = gql(ANSWER, {"id": second.pk}, as_user=learner)
    staff_accepts = gql(ANSWER, {"id": second.pk}, as_user=staff)
    asks_self = gql(REQUEST, {"mentor": "mentor-one", "goals": "x"}, as_user=mentor)
    asks_twice = gql(REQUEST, {"mentor": "mentor-one", "goals": "x"}, as_user=learner)
    asks_learner = gql(REQUEST, {"mentor": "learner-one", "goals": "x"}, as_user=staff)
    stranger_reads = gql(MENTORSHIP, {"id": first.pk}, as_user=staff)
    anonymous_reads = gql("{ mentorships { results { id } } }")

    assert learner_offers.error_code == "permission_denied"
    assert over_capacity.error_code == "conflict"
    assert "capacity" in over_capacity["errors"][0]["message"]
    assert mentee_accepts.error_code == "not_found"
    assert staff_accepts.error_code == "not_found"
    assert asks_self.error_code == "validation_error"
    assert asks_twice.error_code == "conflict"
    assert asks_learner.error_code == "validation_error"
    assert stranger_reads.error_code == "not_found"
    assert anonymous_reads.error_code == "not_authenticated"
    assert MentorProfile.objects.get(user=mentor).active_count == 1
    assert sorted(Mentorship.objects.values_list("status", flat=True)) == ["active", "requested"]
    assert not MentorProfile.objects.filter(user=learner).exists()


MENTORSHIPS = """
{ mentorships(first: 100) {
    results { id status myRole mentor { username displayName } mentee { username } }
} }
"""


def test_mentor_and_mentorship_lists_cost_the_same_queries_for_three_or_nine(
    gql, learner, user_factory, django_tech
):
    mentors_query = """
    { mentors(first: 100) { results {
        user { username displayName } technologies { slug } concepts { slug } hasRoom
    } } }
    """

    def grow(n):
        for _ in range(n):
            teacher = user_factory(role="mentor")
            offer(teacher)
            mentoring_services.mentorship_request(
                actor=learner, data={"mentor": teacher.username, "goals": "Grow."}
            )

    grow(3)
    three, mentor_queries_for_three = gql.queries(mentors_query)
    mine_three, queries_for_three = gql.queries(MENTORSHIPS, as_user=learner)
    grow(6)
    nine, mentor_queries_for_nine = gql.queries(mentors_query)
    mine_nine, queries_for_nine = gql.queries(MENTORSHIPS, as_user=learner)

    assert (len(three["mentors"]["results"]), len(nine["mentors"]["results"])) == (3, 9)
    assert (
        len(mine_three["mentorships"]["results"]),
        len(mine_nine["mentorships"]["results"]),
    ) == (3, 9)
    assert mentor_queries_for_three == mentor_queries_for_nine
    assert queries_for_three == queries_for_nine
    assert {row["myRole"] for row in mine_nine["mentorships"]["results"]} == {"mentee"}


def test_a_mentorship_costs_the_same_queries_for_few_or_many_notes(
    gql, learner, mentor, django_tech
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
    few, queries_for_few = gql.queries(MENTORSHIP, {"id": mentorship.pk}, as_user=learner)
    write(6)
    many, queries_for_many = gql.queries(MENTORSHIP, {"id": mentorship.pk}, as_user=learner)

    assert (len(few["mentorship"]["notes"]), len(many["mentorship"]["notes"])) == (2, 8)
    assert queries_for_few == queries_for_many


def test_my_mentor_profile_is_null_until_set(gql, mentor, django_tech):
    query = "{ myMentorProfile { capacity } }"

    assert gql.data(query, as_user=mentor) == {"myMentorProfile": None}
    offer(mentor, capacity=4)
    assert gql.data(query, as_user=mentor) == {"myMentorProfile": {"capacity": 4}}
    assert gql.error_code(query) == "not_authenticated"
