from __future__ import annotations

import pytest

from nexus.accounts.models import User
from nexus.accounts.tests.factories import CohortFactory

ME = "/api/v1/me/"

pytestmark = pytest.mark.django_db


def test_me_needs_authentication(api_client):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["type"] == "not_authenticated"


def test_me_shows_the_private_fields(auth_client, learner):
    body = auth_client.get(ME).json()

    assert body["email"] == learner.email
    assert body["username"] == learner.username
    assert body["is_staff"] is False
    assert body["timezone"] == "UTC"


def test_patch_me_edits_the_profile(auth_client, learner):
    cohort = CohortFactory.create(slug="prodev-2026")

    response = auth_client.patch(
        ME,
        {
            "display_name": "Ada L.",
            "bio": "Backend learner",
            "track": "frontend",
            "cohort": "prodev-2026",
            "skills": ["Django", "Django", " GraphQL "],
            "github_handle": "ada-l",
            "timezone": "Africa/Lagos",
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["display_name"] == "Ada L."
    assert body["cohort"] == {"slug": "prodev-2026", "name": cohort.name}
    assert body["skills"] == ["Django", "GraphQL"]
    profile = User.objects.get(pk=learner.pk).profile
    assert (profile.track, profile.timezone, profile.cohort) == ("frontend", "Africa/Lagos", cohort)


def test_patch_me_cannot_change_role_staff_flag_email_or_verification(auth_client, learner):
    response = auth_client.patch(
        ME,
        {
            "role": "staff",
            "is_staff": True,
            "is_email_verified": True,
            "email": "boss@example.org",
            "username": "boss",
            "bio": "still me",
        },
    )

    assert response.status_code == 200
    user = User.objects.get(pk=learner.pk)
    assert user.role == "learner"
    assert (user.is_staff, user.is_superuser, user.is_email_verified) == (False, False, False)
    assert (user.email, user.username) == (learner.email, learner.username)
    assert user.profile.bio == "still me"


def test_patch_me_refuses_unknown_fields(auth_client):
    response = auth_client.patch(ME, {"favourite_colour": "teal"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"favourite_colour": ["This field cannot be changed here."]}


@pytest.mark.parametrize(
    "changes",
    [
        {"track": "devops"},
        {"timezone": "Mars/Olympus"},
        {"cohort": "no-such-cohort"},
        {"skills": "Django"},
        {"skills": ["x" * 41]},
        {"skills": [f"s{i}" for i in range(31)]},
        {"display_name": 42},
        {"bio": "x" * 2001},
        {"cohort": 7},
    ],
)
def test_patch_me_with_bad_values_changes_nothing(auth_client, learner, changes):
    response = auth_client.patch(ME, {**changes, "bio": "should not be saved"} | changes)

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert set(changes) <= set(body["errors"])
    assert User.objects.get(pk=learner.pk).profile.bio == ""


def test_session_login_works_for_the_browsable_api(client, learner):
    client.force_login(learner)

    response = client.get(ME, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"Me" in response.content


def test_session_writes_need_the_csrf_token(learner):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.patch(ME, {"bio": "csrf?"}, format="json")

    assert response.status_code == 403
    assert User.objects.get(pk=learner.pk).profile.bio == ""


def test_public_profile_never_shows_the_email(api_client, learner):
    response = api_client.get(f"/api/v1/users/{learner.username}/")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == learner.username
    assert "email" not in body
    assert learner.email not in response.content.decode()


def test_an_unknown_or_inactive_user_is_404(api_client, user_factory):
    inactive = user_factory(is_active=False)

    for username in ("nobody-here", inactive.username):
        response = api_client.get(f"/api/v1/users/{username}/")
        assert response.status_code == 404
        assert response.json()["type"] == "not_found"


def test_staff_flag_makes_a_user_staff_whatever_the_profile_says(user_factory):
    admin = user_factory(is_staff=True, role="learner")
    superuser = user_factory(is_superuser=True)

    assert admin.role == "staff"
    assert superuser.role == "staff"


def test_cohort_list_runs_a_constant_number_of_queries(api_client, django_assert_num_queries):
    CohortFactory.create_batch(3)
    with django_assert_num_queries(1):
        first = api_client.get("/api/v1/cohorts/?page_size=50")

    CohortFactory.create_batch(6)
    with django_assert_num_queries(1):
        second = api_client.get("/api/v1/cohorts/?page_size=50")

    assert len(first.json()["results"]) == 3
    assert len(second.json()["results"]) == 9


def test_cohort_list_pages_by_cursor(api_client):
    CohortFactory.create_batch(5)

    page = api_client.get("/api/v1/cohorts/?page_size=2").json()
    next_page = api_client.get(page["next"]).json()

    assert len(page["results"]) == 2
    assert len(next_page["results"]) == 2
    assert {c["slug"] for c in page["results"]}.isdisjoint(c["slug"] for c in next_page["results"])


def test_a_malformed_cursor_is_a_400(api_client):
    response = api_client.get("/api/v1/cohorts/?cursor=%%%not-base64")

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]
