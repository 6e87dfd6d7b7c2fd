from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from nexus.accounts.models import Profile
from nexus.collaboration.models import ReviewClaim, ReviewFeedback, ReviewRequest
from nexus.collaboration.services import reviews as services
from nexus.core.errors import Conflict, PermissionDenied, ValidationError
from nexus.notifications.models import Notification

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews/"
PR_URL = "https://github.com/prodev/nexus/pull/7"


@pytest.fixture
def reviewer(user_factory):
    return user_factory(username="reviewer-one", track="backend")


@pytest.fixture
def second_reviewer(user_factory):
    return user_factory(username="reviewer-two", track="frontend")


@pytest.fixture
def make_review(learner, django_tech):
    def make(author=None, **data):
        fields = {
            "title": "Review my DRF pagination",
            "url": PR_URL,
            "focus": "Is the **cursor** right?",
            "technologies": ["django"],
            **data,
        }
        return services.review_request_create(actor=author or learner, data=fields)

    return make


def review_url(review, suffix=""):
    return f"{REVIEWS}{review.pk if hasattr(review, 'pk') else review}/{suffix}"


def reputation(user):
    return Profile.objects.get(user=user).reputation


def snapshot(review):
    """Everything a refused action must leave as it was."""
    row = ReviewRequest.objects.filter(pk=review.pk).values().get()
    claims = sorted(
        ReviewClaim.objects.filter(request=review).values_list("reviewer_id", flat=True)
    )
    feedback = list(
        ReviewFeedback.objects.filter(request=review).values_list("id", "is_helpful", "body")
    )
    return row, claims, feedback, sorted(Profile.objects.values_list("user_id", "reputation"))


def give_feedback(review, reviewer, **data):
    fields = {"verdict": "comment", "body": "Looks good; add a test.", **data}
    return services.review_feedback_create(actor=reviewer, request_id=review.pk, data=fields)


# --- The whole flow ---------------------------------------------------------------------


def test_a_review_is_requested_claimed_reviewed_marked_helpful_and_done(
    as_user, api_client, learner, reviewer, django_tech, django_capture_on_commit_callbacks
):
    author, peer = as_user(learner), as_user(reviewer)
    posted = author.post(
        REVIEWS,
        {
            "title": "Review my DRF pagination",
            "url": PR_URL,
            "focus": "Is the **cursor** right?",
            "technologies": ["django"],
            "reviewer_track": "backend",
            "max_reviewers": 2,
        },
    )
    assert posted.status_code == 201, posted.json()
    body = posted.json()
    assert (body["status"], body["claim_count"], body["is_full"]) == ("open", 0, False)
    assert body["author"] == {"username": learner.username, "display_name": learner.display_name}
    assert body["technologies"] == [{"slug": "django", "name": "Django"}]
    assert "<strong>cursor</strong>" in body["focus_html"]
    review_id = body["id"]

    with django_capture_on_commit_callbacks(execute=True):
        claimed = peer.post(f"{REVIEWS}{review_id}/claim/")
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["status"] == "in_review"
    assert claimed.json()["is_reviewer"] is True
    assert [r["reviewer"]["username"] for r in claimed.json()["reviewers"]] == ["reviewer-one"]
    told = Notification.objects.get(recipient=learner, kind="review_claimed")
    assert (told.target_type, told.target_id, told.url) == (
        "review_request",
        review_id,
        f"/api/v1/reviews/{review_id}/",
    )
    assert "reviewer-one" in told.title

    with django_capture_on_commit_callbacks(execute=True):
        feedback = peer.post(
            f"{REVIEWS}{review_id}/feedback/",
            {"verdict": "changes_requested", "body": "Cap `page_size`.", "rating": 4},
        )
    assert feedback.status_code == 201, feedback.json()
    assert feedback.json()["body_html"].strip() == "<p>Cap <code>page_size</code>.</p>"
    assert (feedback.json()["rating"], feedback.json()["is_helpful"]) == (4, False)
    told = Notification.objects.get(recipient=learner, kind="review_feedback")
    assert "changes requested" in told.title
    assert told.excerpt == "Cap page_size."

    feedback_id = feedback.json()["id"]
    helpful = author.post(f"{REVIEWS}{review_id}/feedback/{feedback_id}/helpful/")
    assert helpful.status_code == 200
    assert helpful.json()["is_helpful"] is True
    assert reputation(reviewer) == services.POINTS_HELPFUL_FEEDBACK == 5

    done = author.post(f"{REVIEWS}{review_id}/done/")
    assert done.status_code == 200
    detail = api_client.get(f"{REVIEWS}{review_id}/").json()
    assert (detail["status"], detail["claim_count"], detail["feedback_count"]) == ("done", 1, 1)
    assert detail["is_reviewer"] is False  # anonymous viewer
    assert [f["verdict"] for f in detail["feedback"]] == ["changes_requested"]
    listed = api_client.get(f"{REVIEWS}{review_id}/feedback/").json()["results"]
    assert [f["id"] for f in listed] == [feedback_id]


# --- Asking for a review ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/prodev/nexus",
        "http://gitlab.com/prodev/nexus/-/merge_requests/3",
        "https://gist.github.com/prodev/abc123",
        "https://GitHub.com/prodev/nexus/pull/1",
        "https://gitlab.com:443/prodev/nexus",
    ],
)
def test_github_and_gitlab_urls_are_accepted(as_user, learner, url):
    response = as_user(learner).post(REVIEWS, {"title": "Review my code", "url": url})

    assert response.status_code == 201, response.json()
    assert response.json()["url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/prodev/nexus",
        "https://bitbucket.org/prodev/nexus",
        "https://github.com.evil.example/prodev",
        "https://evilgithub.com/prodev",
        "https://notgitlab.com/prodev",
        "https://github.com@evil.example/prodev",
        "https://user:secret@github.com/prodev/nexus",
        "ftp://github.com/prodev/nexus",
        "javascript:alert(1)//github.com",
        "github.com/prodev/nexus",
        "https://",
        "",
        42,
        None,
        ["https://github.com/a"],
    ],
)
def test_a_url_not_http_on_github_or_gitlab_is_refused(as_user, learner, url):
    response = as_user(learner).post(
        REVIEWS, {"title": "Review my code", "url": url}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert "url" in response.json()["errors"]
    assert not ReviewRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "Hey"),
        ("title", "x" * 201),
        ("max_reviewers", 0),
        ("max_reviewers", 6),
        ("max_reviewers", "2"),
        ("max_reviewers", True),
        ("reviewer_track", "design"),
        ("technologies", ["no-such-tech"]),
        ("technologies", "django"),
        ("focus", 12),
        ("status", "done"),
    ],
)
def test_a_review_request_with_bad_fields_is_refused(as_user, learner, django_tech, field, value):
    data = {"title": "Review my DRF pagination", "url": PR_URL, field: value}

    response = as_user(learner).post(REVIEWS, data, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ReviewRequest.objects.exists()


def test_asking_for_a_review_needs_signing_in(api_client):
    response = api_client.post(REVIEWS, {"title": "Review my code", "url": PR_URL})

    assert response.status_code == 401
    assert response.json()["type"] == "not_authenticated"
    assert not ReviewRequest.objects.exists()


# --- Claiming ---------------------------------------------------------------------------


def test_the_first_claim_starts_the_review_and_later_claims_fill_it(
    make_review, reviewer, second_reviewer
):
    review = make_review(max_reviewers=2)

    services.review_request_claim(actor=reviewer, request_id=review.pk)
    services.review_request_claim(actor=second_reviewer, request_id=review.pk)

    review.refresh_from_db()
    assert (review.status, review.claim_count) == ("in_review", 2)


def test_nobody_claims_their_own_request(as_user, learner, make_review):
    review = make_review()
    before = snapshot(review)

    response = as_user(learner).post(review_url(review, "claim/"))

    assert response.status_code == 403
    assert response.json()["type"] == "permission_denied"
    assert snapshot(review) == before


def test_nobody_claims_twice(as_user, reviewer, make_review):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    before = snapshot(review)

    response = as_user(reviewer).post(review_url(review, "claim/"))

    assert response.status_code == 409
    assert response.json()["type"] == "conflict"
    assert snapshot(review) == before


def test_a_full_request_takes_no_more_reviewers(as_user, reviewer, second_reviewer, make_review):
    review = make_review(max_reviewers=1)
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    before = snapshot(review)

    response = as_user(second_reviewer).post(review_url(review, "claim/"))

    assert response.status_code == 409
    assert "1 of 1" in response.json()["detail"]
    assert snapshot(review) == before


def test_a_done_request_takes_no_reviewers(as_user, learner, reviewer, make_review):
    review = make_review()
    services.review_request_complete(actor=learner, request_id=review.pk)
    before = snapshot(review)

    response = as_user(reviewer).post(review_url(review, "claim/"))

    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert snapshot(review) == before


def test_claiming_a_missing_request_is_not_found(as_user, reviewer):
    response = as_user(reviewer).post(f"{REVIEWS}999999/claim/")

    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_claims_on_a_one_reviewer_request_leave_exactly_one(
    user_factory, make_review
):
    review = make_review(max_reviewers=1)
    claimers = [user_factory() for _ in range(5)]
    clients = [_client(user) for user in claimers]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def claim(client):
        try:
            barrier.wait()
            statuses.append(client.post(review_url(review, "claim/")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 409, 409, 409, 409]
    review.refresh_from_db()
    assert (review.claim_count, review.status) == (1, "in_review")
    assert ReviewClaim.objects.filter(request=review).count() == 1


def _client(user):
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


# --- Feedback ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", 0),
        ("rating", 6),
        ("rating", "5"),
        ("rating", 4.5),
        ("rating", True),
        ("verdict", "lgtm"),
        ("verdict", None),
        ("body", ""),
        ("body", "x" * 20_001),
        ("color", "red"),
    ],
)
def test_feedback_with_bad_fields_is_refused(as_user, reviewer, make_review, field, value):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    before = snapshot(review)
    data = {"verdict": "approve", "body": "Ship it.", field: value}

    response = as_user(reviewer).post(review_url(review, "feedback/"), data, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert snapshot(review) == before


def test_feedback_is_optional_about_the_rating_and_sanitised(as_user, reviewer, make_review):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)

    response = as_user(reviewer).post(
        review_url(review, "feedback/"),
        {"verdict": "approve", "body": "Nice <script>alert(1)</script> work"},
    )

    assert response.status_code == 201, response.json()
    assert response.json()["rating"] is None
    assert "<script>" not in response.json()["body_html"]
    review.refresh_from_db()
    assert review.feedback_count == 1


def test_only_reviewers_who_claimed_give_feedback(
    as_user, learner, reviewer, mentor, staff, make_review
):
    review = make_review()
    before = snapshot(review)
    data = {"verdict": "approve", "body": "Ship it."}

    refused = [
        as_user(user).post(review_url(review, "feedback/"), data)
        for user in (learner, reviewer, mentor, staff)
    ]

    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert snapshot(review) == before


def test_a_done_request_takes_no_feedback(as_user, learner, reviewer, make_review):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    services.review_request_complete(actor=learner, request_id=review.pk)
    before = snapshot(review)

    response = as_user(reviewer).post(
        review_url(review, "feedback/"), {"verdict": "approve", "body": "Late."}
    )

    assert response.status_code == 400
    assert snapshot(review) == before


def test_a_reviewer_may_give_feedback_more_than_once(reviewer, make_review):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)

    give_feedback(review, reviewer, verdict="changes_requested")
    give_feedback(review, reviewer, verdict="approve")

    review.refresh_from_db()
    assert review.feedback_count == 2


# --- Helpful marks and reputation -------------------------------------------------------


def test_marking_feedback_helpful_is_a_toggle_that_pays_once(
    as_user, learner, reviewer, make_review
):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    feedback = give_feedback(review, reviewer)
    url = review_url(review, f"feedback/{feedback.pk}/helpful/")
    author = as_user(learner)

    assert author.post(url).json()["is_helpful"] is True
    assert author.post(url).status_code == 200
    assert reputation(reviewer) == 5
    assert author.delete(url).json()["is_helpful"] is False
    assert author.delete(url).status_code == 200
    assert reputation(reviewer) == 0
    assert reputation(learner) == 0


def test_helpful_feedback_counts_on_the_leaderboard_as_on_the_profile(
    as_user, api_client, learner, reviewer, make_review
):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    feedback = give_feedback(review, reviewer)
    as_user(learner).post(review_url(review, f"feedback/{feedback.pk}/helpful/"))

    board = api_client.get("/api/v1/leaderboard/?period=30d").json()

    assert [(row["user"]["username"], row["points"]) for row in board] == [
        (reviewer.username, reputation(reviewer))
    ]


def test_helpful_marks_add_up_over_several_pieces_of_feedback(
    learner, reviewer, second_reviewer, make_review
):
    review = make_review()
    for person in (reviewer, second_reviewer):
        services.review_request_claim(actor=person, request_id=review.pk)
    marks = [give_feedback(review, reviewer), give_feedback(review, reviewer)]
    marks.append(give_feedback(review, second_reviewer))

    for feedback in marks:
        services.review_feedback_set_helpful(
            actor=learner, request_id=review.pk, feedback_id=feedback.pk, helpful=True
        )

    assert (reputation(reviewer), reputation(second_reviewer)) == (10, 5)


def test_only_the_author_marks_feedback_helpful(
    as_user, reviewer, second_reviewer, staff, make_review
):
    review = make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    feedback = give_feedback(review, reviewer)
    url = review_url(review, f"feedback/{feedback.pk}/helpful/")
    before = snapshot(review)

    for user in (reviewer, second_reviewer, staff):
        assert as_user(user).post(url).status_code == 403

    assert snapshot(review) == before
    with pytest.raises(PermissionDenied):
        services.review_feedback_set_helpful(
            actor=reviewer, request_id=review.pk, feedback_id=feedback.pk, helpful=True
        )


def test_feedback_is_found_only_on_its_own_request(as_user, learner, reviewer, make_review):
    review, other = make_review(), make_review()
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    feedback = give_feedback(review, reviewer)

    response = as_user(learner).post(review_url(other, f"feedback/{feedback.pk}/helpful/"))

    assert response.status_code == 404
    assert reputation(reviewer) == 0


# --- Done -------------------------------------------------------------------------------


def test_only_the_author_marks_a_request_done_and_only_once(
    as_user, learner, reviewer, staff, make_review
):
    review = make_review()
    before = snapshot(review)

    assert as_user(reviewer).post(review_url(review, "done/")).status_code == 403
    assert as_user(staff).post(review_url(review, "done/")).status_code == 403
    assert snapshot(review) == before
    assert as_user(learner).post(review_url(review, "done/")).status_code == 200
    assert as_user(learner).post(review_url(review, "done/")).status_code == 400
    with pytest.raises(ValidationError):
        services.review_request_complete(actor=learner, request_id=review.pk)


# --- Every role on every endpoint ---------------------------------------------------------


ROLES = ("anonymous", "learner", "author", "reviewer", "mentor", "staff")

# (method, path suffix, body) -> the status each role gets.
MATRIX = [
    ("get", "", None, dict.fromkeys(ROLES, 200)),
    ("get", "feedback/", None, dict.fromkeys(ROLES, 200)),
    (
        "post",
        "claim/",
        None,
        {
            "anonymous": 401,
            "learner": 200,
            "author": 403,
            "reviewer": 409,
            "mentor": 200,
            "staff": 200,
        },
    ),
    (
        "post",
        "feedback/",
        {"verdict": "approve", "body": "Ship it."},
        {
            "anonymous": 401,
            "learner": 403,
            "author": 403,
            "reviewer": 201,
            "mentor": 403,
            "staff": 403,
        },
    ),
    (
        "post",
        "feedback/{feedback}/helpful/",
        None,
        {
            "anonymous": 401,
            "learner": 403,
            "author": 200,
            "reviewer": 403,
            "mentor": 403,
            "staff": 403,
        },
    ),
    (
        "delete",
        "feedback/{feedback}/helpful/",
        None,
        {
            "anonymous": 401,
            "learner": 403,
            "author": 200,
            "reviewer": 403,
            "mentor": 403,
            "staff": 403,
        },
    ),
    (
        "post",
        "done/",
        None,
        {
            "anonymous": 401,
            "learner": 403,
            "author": 200,
            "reviewer": 403,
            "mentor": 403,
            "staff": 403,
        },
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "suffix", "body", "expected"), MATRIX, ids=[f"{m} {s}" for m, s, *_ in MATRIX]
)
def test_every_role_gets_its_answer_on_every_review_endpoint_and_refusals_change_nothing(
    api_client,
    as_user,
    learner,
    reviewer,
    mentor,
    staff,
    user_factory,
    make_review,
    role,
    method,
    suffix,
    body,
    expected,
):
    review = make_review(max_reviewers=5)
    services.review_request_claim(actor=reviewer, request_id=review.pk)
    feedback = give_feedback(review, reviewer)
    if method == "delete":
        services.review_feedback_set_helpful(
            actor=learner, request_id=review.pk, feedback_id=feedback.pk, helpful=True
        )
    users = {
        "learner": user_factory(username="learner-two"),
        "author": learner,
        "reviewer": reviewer,
        "mentor": mentor,
        "staff": staff,
    }
    client = api_client if role == "anonymous" else as_user(users[role])
    before = snapshot(review)

    response = getattr(client, method)(
        review_url(review, suffix.format(feedback=feedback.pk)), body, format="json"
    )

    assert response.status_code == expected[role], response.json()
    if response.status_code >= 400:
        assert set(response.json()) >= {"type", "detail", "errors"}
        assert snapshot(review) == before


def test_creating_a_request_is_open_to_every_signed_in_role(
    api_client, as_user, learner, mentor, staff
):
    data = {"title": "Review my code", "url": PR_URL}

    assert api_client.post(REVIEWS, data).status_code == 401
    for user in (learner, mentor, staff):
        assert as_user(user).post(REVIEWS, data).status_code == 201
    assert ReviewRequest.objects.count() == 3


# --- Lists ------------------------------------------------------------------------------


def test_the_review_list_filters_by_status_technology_track_mine_and_reviewing(
    api_client, as_user, learner, reviewer, second_reviewer, react_tech, make_review
):
    backend = make_review(reviewer_track="backend")
    frontend = make_review(
        author=second_reviewer, technologies=["react"], reviewer_track="frontend"
    )
    claimed = make_review(author=second_reviewer, reviewer_track="any")
    services.review_request_claim(actor=reviewer, request_id=claimed.pk)
    done = make_review()
    services.review_request_complete(actor=learner, request_id=done.pk)

    def ids(query, client=None):
        response = (client or api_client).get(f"{REVIEWS}?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [done.pk, claimed.pk, frontend.pk, backend.pk]
    assert ids("status=open") == [frontend.pk, backend.pk]
    assert ids("status=in_review") == [claimed.pk]
    assert ids("technology=react") == [frontend.pk]
    assert ids("track=backend") == [backend.pk]
    assert ids("mine=true", as_user(learner)) == [done.pk, backend.pk]
    assert ids("reviewing=true", as_user(reviewer)) == [claimed.pk]
    assert ids("mine=true&status=open", as_user(second_reviewer)) == [frontend.pk]
    assert ids("mine=false", as_user(learner)) == ids("")
    mine = as_user(reviewer).get(f"{REVIEWS}?reviewing=true").json()["results"]
    assert mine[0]["is_reviewer"] is True
    assert api_client.get(f"{REVIEWS}?mine=true").status_code == 401
    assert api_client.get(f"{REVIEWS}?status=closed").status_code == 400
    assert api_client.get(f"{REVIEWS}?track=design").status_code == 400
    assert as_user(learner).get(f"{REVIEWS}?mine=perhaps").status_code == 400
    first_page = api_client.get(f"{REVIEWS}?page_size=2").json()
    assert [r["id"] for r in first_page["results"]] == [done.pk, claimed.pk]
    second_page = api_client.get(first_page["next"]).json()
    assert [r["id"] for r in second_page["results"]] == [frontend.pk, backend.pk]


def test_the_review_list_runs_a_constant_number_of_queries(
    api_client,
    as_user,
    user_factory,
    reviewer,
    make_review,
    django_tech,
    react_tech,
    django_assert_num_queries,
):
    client = as_user(reviewer)

    def grow(n):
        for _ in range(n):
            review = make_review(author=user_factory(), technologies=["django", "react"])
            services.review_request_claim(actor=reviewer, request_id=review.pk)

    grow(3)
    with django_assert_num_queries(2):
        anonymous_three = api_client.get(f"{REVIEWS}?page_size=100").json()["results"]
    with django_assert_num_queries(3):
        signed_in_three = client.get(f"{REVIEWS}?page_size=100&reviewing=true").json()["results"]
    grow(6)
    with django_assert_num_queries(2):
        anonymous_nine = api_client.get(f"{REVIEWS}?page_size=100").json()["results"]
    with django_assert_num_queries(3):
        signed_in_nine = client.get(f"{REVIEWS}?page_size=100&reviewing=true").json()["results"]

    assert (len(anonymous_three), len(anonymous_nine)) == (3, 9)
    assert (len(signed_in_three), len(signed_in_nine)) == (3, 9)
    assert all(len(row["technologies"]) == 2 for row in signed_in_nine)


def test_the_review_detail_and_feedback_list_run_a_constant_number_of_queries(
    api_client, user_factory, make_review, django_assert_num_queries
):
    def reviewed(reviewers):
        review = make_review(max_reviewers=5)
        for _ in range(reviewers):
            person = user_factory()
            services.review_request_claim(actor=person, request_id=review.pk)
            give_feedback(review, person)
            give_feedback(review, person, verdict="approve")
        return review

    few, many = reviewed(1), reviewed(3)
    # request with author, technologies, claims, feedback
    with django_assert_num_queries(4):
        small = api_client.get(review_url(few)).json()
    with django_assert_num_queries(4):
        large = api_client.get(review_url(many)).json()
    with django_assert_num_queries(2):
        few_feedback = api_client.get(review_url(few, "feedback/")).json()["results"]
    with django_assert_num_queries(2):
        many_feedback = api_client.get(review_url(many, "feedback/")).json()["results"]

    assert (len(small["reviewers"]), len(small["feedback"])) == (1, 2)
    assert (len(large["reviewers"]), len(large["feedback"])) == (3, 6)
    assert (len(few_feedback), len(many_feedback)) == (2, 6)


def test_the_claim_service_raises_conflict_when_full_and_nothing_is_written(
    reviewer, second_reviewer, make_review
):
    review = make_review(max_reviewers=1)
    services.review_request_claim(actor=reviewer, request_id=review.pk)

    with pytest.raises(Conflict):
        services.review_request_claim(actor=second_reviewer, request_id=review.pk)

    assert ReviewClaim.objects.filter(request=review).count() == 1
