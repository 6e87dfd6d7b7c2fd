from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from nexus.accounts.models import User

pytestmark = pytest.mark.django_db

STRONG = "correct horse battery staple"


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_register_obtain_token_read_and_edit_me_over_graphql(gql):
    registered = gql.post(
        "mutation($i: RegisterInput!) { register(input: $i) { username email role } }",
        {"i": {"email": "ada@example.org", "username": "ada", "password": STRONG}},
    ).json()
    assert registered == {
        "data": {"register": {"username": "ada", "email": "ada@example.org", "role": "learner"}}
    }

    pair = gql.post(
        'mutation { obtainToken(email: "ada@example.org", password: "%s") { access refresh } }'
        % STRONG,
    ).json()["data"]["obtainToken"]

    me = gql.post("{ me { username email timezone } }", **bearer(pair["access"])).json()
    assert me["data"]["me"] == {"username": "ada", "email": "ada@example.org", "timezone": "UTC"}

    edited = gql.post(
        'mutation { updateMe(input: {bio: "Hi", track: "frontend"}) { bio track role } }',
        **bearer(pair["access"]),
    ).json()
    assert edited["data"]["updateMe"] == {"bio": "Hi", "track": "frontend", "role": "learner"}

    assert gql.post(
        "mutation($r: String!) { logout(refresh: $r) }", {"r": pair["refresh"]}
    ).json() == {"data": {"logout": True}}
    refused = gql.post(
        "mutation($r: String!) { refreshToken(refresh: $r) { access } }",
        {"r": pair["refresh"]},
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "authentication_failed"


def test_me_is_null_when_signed_out(gql):
    assert gql.post("{ me { username } }").json() == {"data": {"me": None}}


def test_update_me_signed_out_is_a_not_authenticated_error(gql):
    body = gql.post('mutation { updateMe(input: {bio: "x"}) { bio } }').json()

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_domain_validation_errors_carry_code_and_field_errors(gql, user_factory):
    user_factory(email="ada@example.org")

    body = gql.post(
        "mutation($i: RegisterInput!) { register(input: $i) { username } }",
        {"i": {"email": "ada@example.org", "username": "x", "password": "short"}},
    ).json()

    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "validation_error"
    assert set(extensions["errors"]) == {"email", "username", "password"}
    assert User.objects.count() == 1


def test_update_me_cannot_set_role_through_graphql(gql, learner):
    body = gql.post(
        'mutation { updateMe(input: {role: "staff"}) { role } }',
        **bearer(AccessToken.for_user(learner)),
    ).json()

    assert body["errors"][0]["extensions"]["code"] == "bad_query"
    assert User.objects.get(pk=learner.pk).role == "learner"


def test_public_user_query_never_exposes_email(gql, learner):
    ok = gql.post('{ user(username: "%s") { username role }}' % learner.username).json()
    refused = gql.post('{ user(username: "%s") { email }}' % learner.username).json()
    missing = gql.post('{ user(username: "nobody-here") { username }}').json()

    assert ok["data"]["user"] == {"username": learner.username, "role": "learner"}
    assert refused["errors"][0]["extensions"]["code"] == "bad_query"
    assert missing["errors"][0]["extensions"]["code"] == "not_found"


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz"],
)
def test_a_bad_authorization_header_gets_401_in_the_error_shape(gql, header):
    response = gql.post("{ me { username } }", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert set(response.json()) >= {"type", "detail", "errors", "request_id"}


def test_a_refresh_token_is_not_an_access_token_for_graphql(gql, learner):
    response = gql.post("{ me { username } }", **bearer(RefreshToken.for_user(learner)))

    assert response.status_code == 401


def test_graphql_reads_the_tokens_user_in_one_query_as_rest_does(gql, learner):
    token = AccessToken.for_user(learner)

    with CaptureQueriesContext(connection) as queries:
        me = gql.post("{ me { username } }", **bearer(token)).json()

    assert me == {"data": {"me": {"username": learner.username}}}
    # the user with profile and cohort in one statement
    assert len(queries) == 1


def test_an_expired_token_gets_401_token_not_valid_as_in_rest(gql, learner):
    token = AccessToken.for_user(learner)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))

    refused = gql.post("{ me { username } }", **bearer(token))

    assert refused.status_code == 401
    assert refused.json()["type"] == "token_not_valid"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_token_whose_user_is_gone_gets_401_user_not_found_as_in_rest(gql, user_factory):
    gone = user_factory()
    token = AccessToken.for_user(gone)
    gone.delete()

    refused = gql.post("{ me { username } }", **bearer(token))

    assert refused.status_code == 401
    assert refused.json()["type"] == "user_not_found"


def test_session_mutations_need_the_csrf_token(gql, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    mutation = 'mutation { updateMe(input: {bio: "via session"}) { bio } }'

    refused = gql.post(mutation, client=client)
    assert refused.status_code == 403
    assert User.objects.get(pk=learner.pk).profile.bio == ""

    token_response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    csrf = get_token(token_response.wsgi_request)
    client.cookies["csrftoken"] = csrf
    accepted = gql.post(mutation, client=client, HTTP_X_CSRFTOKEN=csrf)
    assert accepted.json() == {"data": {"updateMe": {"bio": "via session"}}}


def test_bearer_clients_need_no_csrf_token(gql, learner):
    client = Client(enforce_csrf_checks=True)

    body = gql.post(
        'mutation { updateMe(input: {bio: "token"}) { bio } }',
        client=client,
        **bearer(AccessToken.for_user(learner)),
    ).json()

    assert body == {"data": {"updateMe": {"bio": "token"}}}


def test_deep_queries_are_refused(gql):
    deep = "{ me " + "{ cohort " * 11 + "{ slug }" + " }" * 11 + " }"

    body = gql.post(deep).json()

    assert "errors" in body
    assert "depth" in body["errors"][0]["message"].lower()
    assert gql.post(deep).json() == body  # a cached validation refuses it alike


def test_too_many_aliases_are_refused(gql):
    aliases = " ".join(f"a{i}: me {{ username }}" for i in range(20))

    body = gql.post("{ %s }" % aliases).json()

    assert body["errors"][0]["extensions"]["code"] == "bad_query"
    assert "aliases" in body["errors"][0]["message"].lower()
    assert gql.post("{ %s }" % aliases).json() == body


def test_a_query_is_validated_once_then_served_from_the_cache(gql, learner):
    """Parsing and validating cost more than resolving a small query; both are
    cached by the query's text, with the limits as rules built once."""
    from strawberry.extensions.validation_cache import _get_validate_cache

    validations: Any = _get_validate_cache(128)
    query = "{ challenges(first: 1) { results { id title } } }"
    gql.post(query)
    before = validations.cache_info()
    for _ in range(3):
        assert "errors" not in gql.post(query).json()
    after = validations.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (3, 0)

    unknown = gql.post("{ challenges(first: 1) { results { nope } } }").json()
    assert unknown["errors"][0]["extensions"]["code"] == "bad_query"
    assert gql.post("{ challenges(first: 1) { results { nope } } }").json() == unknown


def test_too_many_tokens_are_refused(gql):
    fields = " ".join(["username"] * 2100)

    body = gql.post("{ me { %s } }" % fields).json()

    assert "errors" in body
    assert "token" in body["errors"][0]["message"].lower()


def test_graphiql_is_served_to_browsers(client):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_a_variable_of_the_wrong_type_is_a_bad_query_not_a_server_error(gql):
    body = gql.post(
        "mutation($i: RegisterInput!) { register(input: $i) { username } }",
        {"i": {"email": 5, "username": ["x"], "password": None}},
    ).json()

    assert body["errors"][0]["extensions"]["code"] == "bad_query"


def test_an_unknown_enum_value_is_a_bad_query(gql, learner):
    body = gql.post(
        "mutation($t: VoteTarget!) { vote(target: $t, id: 1, value: 1) { score } }",
        {"t": "SPACESHIP"},
        **bearer(AccessToken.for_user(learner)),
    ).json()

    assert body["errors"][0]["extensions"]["code"] == "bad_query"
