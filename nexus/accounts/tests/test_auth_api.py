from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from nexus.accounts.models import Profile, User
from nexus.accounts.tests.factories import CohortFactory

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
STRONG = "correct horse battery staple"

pytestmark = pytest.mark.django_db


def register(client, **overrides):
    body = {"email": "ada@example.org", "username": "ada", "password": STRONG, **overrides}
    return client.post(REGISTER, body, format="json")


def assert_error_shape(response, status, error_type):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"type", "detail", "errors", "request_id"}
    assert body["type"] == error_type
    return body


def test_register_creates_a_learner_with_a_profile(api_client):
    response = register(api_client, email="Ada@Example.org")

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "ada"
    assert body["email"] == "ada@example.org"
    assert body["role"] == "learner"
    assert "password" not in body
    user = User.objects.get(username="ada")
    assert user.check_password(STRONG)
    assert Profile.objects.filter(user=user, role="learner").exists()


def test_register_refuses_a_duplicate_email_whatever_its_case(api_client, user_factory):
    user_factory(email="ada@example.org", username="someone")

    response = register(api_client, email="ADA@example.org")

    body = assert_error_shape(response, 400, "validation_error")
    assert "email" in body["errors"]
    assert User.objects.count() == 1


def test_register_refuses_a_duplicate_username_whatever_its_case(api_client, user_factory):
    user_factory(username="ada")

    body = assert_error_shape(register(api_client, username="ADA"), 400, "validation_error")

    assert "username" in body["errors"]
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ada@example.org"])
def test_register_refuses_a_weak_password_and_creates_nothing(api_client, password):
    body = assert_error_shape(register(api_client, password=password), 400, "validation_error")

    assert body["errors"]["password"]
    assert not User.objects.exists()
    assert not Profile.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("username", "a"),
        ("username", "has space"),
        ("username", "-leading-dash"),
        ("email", 12345),
        ("password", ["a", "list"]),
        ("username", {"an": "object"}),
        ("email", None),
    ],
)
def test_register_refuses_wrong_values_and_types_field_by_field(api_client, field, value):
    body = assert_error_shape(register(api_client, **{field: value}), 400, "validation_error")

    assert field in body["errors"]
    assert not User.objects.exists()


def test_register_with_missing_fields_lists_each_of_them(api_client):
    body = assert_error_shape(api_client.post(REGISTER, {}, format="json"), 400, "validation_error")

    assert set(body["errors"]) == {"email", "username", "password"}


def test_malformed_json_gets_a_parse_error(api_client):
    response = api_client.post(REGISTER, '{"email": "ada@', content_type="application/json")

    assert_error_shape(response, 400, "parse_error")


def test_a_json_array_body_gets_a_validation_error(api_client):
    response = api_client.post(REGISTER, "[1, 2]", content_type="application/json")

    assert_error_shape(response, 400, "validation_error")


def test_a_body_that_is_not_json_gets_415(api_client):
    response = api_client.post(REGISTER, "<xml/>", content_type="application/xml")

    assert_error_shape(response, 415, "unsupported_media_type")


def test_a_body_over_the_size_limit_gets_413_and_creates_nothing(api_client, settings):
    settings.MAX_REQUEST_BYTES = 1024
    body = '{"email": "ada@example.org", "username": "ada", "password": "%s"}' % ("x" * 2000)

    response = api_client.post(REGISTER, body, content_type="application/json")

    assert_error_shape(response, 413, "payload_too_large")
    assert not User.objects.exists()


def test_token_obtain_returns_a_working_pair(api_client, user_factory):
    user_factory(email="ada@example.org", password=STRONG)

    response = api_client.post(TOKEN, {"email": "ADA@example.org", "password": STRONG})

    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api_client.get(ME).json()["email"] == "ada@example.org"


def test_token_obtain_with_a_wrong_password_gets_401(api_client, user_factory):
    user_factory(email="ada@example.org", password=STRONG)

    response = api_client.post(TOKEN, {"email": "ada@example.org", "password": "wrong-one"})

    assert_error_shape(response, 401, "authentication_failed")


def test_token_obtain_for_an_inactive_account_gets_401(api_client, user_factory):
    user_factory(email="ada@example.org", password=STRONG, is_active=False)

    response = api_client.post(TOKEN, {"email": "ada@example.org", "password": STRONG})

    assert_error_shape(response, 401, "authentication_failed")


def test_refresh_rotates_and_the_old_refresh_token_is_refused(api_client, learner):
    old = str(RefreshToken.for_user(learner))

    first = api_client.post(REFRESH, {"refresh": old})
    again = api_client.post(REFRESH, {"refresh": old})

    assert first.status_code == 200
    assert first.json()["refresh"] != old
    assert_error_shape(again, 401, "authentication_failed")
    assert api_client.post(REFRESH, {"refresh": first.json()["refresh"]}).status_code == 200


def test_logout_revokes_the_refresh_token(api_client, learner):
    refresh = str(RefreshToken.for_user(learner))

    response = api_client.post(LOGOUT, {"refresh": refresh})

    assert response.status_code == 204
    assert_error_shape(api_client.post(REFRESH, {"refresh": refresh}), 401, "authentication_failed")


def test_logout_with_another_users_refresh_token_is_refused(as_user, learner, user_factory):
    other = user_factory()
    refresh = str(RefreshToken.for_user(other))

    response = as_user(learner).post(LOGOUT, {"refresh": refresh})

    assert_error_shape(response, 401, "authentication_failed")
    assert api_refresh_works(refresh)


def api_refresh_works(refresh):
    from rest_framework.test import APIClient

    return APIClient().post(REFRESH, {"refresh": refresh}).status_code == 200


@pytest.mark.parametrize(
    "refresh",
    ["", "not.a.token", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"],
)
def test_refresh_with_a_bad_token_gets_an_error_never_a_500(api_client, refresh):
    response = api_client.post(REFRESH, {"refresh": refresh})

    assert response.status_code in {400, 401}
    assert response.json()["type"] in {"validation_error", "authentication_failed"}


def test_an_expired_access_token_gets_401(api_client, learner):
    token = AccessToken.for_user(learner)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get(ME)

    assert_error_shape(response, 401, "token_not_valid")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_access_token_gets_401(api_client, learner):
    token = str(AccessToken.for_user(learner))
    header, payload, signature = token.split(".")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[::-1]}")

    assert_error_shape(api_client.get(ME), 401, "token_not_valid")


def test_a_refresh_token_is_not_accepted_as_an_access_token(api_client, learner):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(learner)}")

    assert_error_shape(api_client.get(ME), 401, "token_not_valid")


def test_the_access_token_of_a_deactivated_user_is_refused(auth_client, learner):
    User.objects.filter(pk=learner.pk).update(is_active=False)

    assert_error_shape(auth_client.get(ME), 401, "user_inactive")


def test_auth_endpoints_are_throttled_with_retry_after(api_client, monkeypatch):
    # DRF reads the rates once, at import; the test tightens them in place.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    for _ in range(3):
        api_client.post(TOKEN, {"email": "nobody@example.org", "password": "x"})

    response = api_client.post(TOKEN, {"email": "nobody@example.org", "password": "x"})

    body = assert_error_shape(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert body["detail"]


def test_passwords_are_stored_with_argon2(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    register(api_client)

    assert User.objects.get(username="ada").password.startswith("argon2")


def test_a_token_whose_user_is_gone_is_refused(auth_client, learner):
    User.objects.filter(pk=learner.pk).delete()

    assert_error_shape(auth_client.get(ME), 401, "user_not_found")


def test_me_with_an_access_token_is_one_query_with_profile_and_cohort(
    api_client, user_factory, django_assert_num_queries
):
    cohort = CohortFactory.create(name="Spring 2026", slug="spring-2026")
    member = user_factory(cohort=cohort, display_name="Ada L.", skills=["django", "sql"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(member)}")

    with django_assert_num_queries(1):  # the user, profile and cohort, by the authentication
        response = api_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["cohort"] == {"slug": "spring-2026", "name": "Spring 2026"}
    assert body["skills"] == ["django", "sql"]
    assert body["display_name"] == "Ada L."
    assert (
        body["date_joined"]
        == api_client.get(f"/api/v1/users/{member.username}/").json()["date_joined"]
    )
