"""The GraphQL door: the same search, the same rules, the same errors."""

from __future__ import annotations

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from nexus.challenges.models import Challenge
from nexus.search.tests.conftest import SEARCH_URL

pytestmark = pytest.mark.django_db

SEARCH = """
query($q: String!, $type: String, $technology: String, $limit: Int) {
  search(q: $q, type: $type, technology: $technology, limit: $limit) {
    type id slug title snippet url score status
  }
}
"""

SUGGEST = "query($q: String!) { searchSuggestions(q: $q) { type id slug title url } }"


def gql(client, query, variables, *, as_user=None):
    headers = {}
    if as_user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(as_user)}"
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    return response.json()


def test_search_answers_as_rest_does(client, api_client, demo):
    body = gql(client, SEARCH, {"q": "celery long running tasks"})
    rest = api_client.get(SEARCH_URL, {"q": "celery long running tasks"}).json()["results"]

    assert "errors" not in body
    assert body["data"]["search"] == rest
    first = body["data"]["search"][0]
    assert first["type"] == "challenge"
    assert first["id"] == Challenge.objects.get(title__startswith="Managing asynchronous").pk


def test_search_narrows_by_type_technology_and_limit(client, demo):
    body = gql(client, SEARCH, {"q": "docker", "type": "guide", "technology": "docker", "limit": 1})

    results = body["data"]["search"]
    assert len(results) == 1
    assert results[0]["type"] == "guide"
    assert results[0]["slug"]


def test_private_channel_messages_stay_with_members(client, learner, other, open_channel, post):
    open_channel("back-room", kind="private")
    post("back-room", "The quarterly roadmap draft")

    mine = gql(client, SEARCH, {"q": "roadmap"}, as_user=learner)["data"]["search"]
    theirs = gql(client, SEARCH, {"q": "roadmap"}, as_user=other)["data"]["search"]
    anonymous = gql(client, SEARCH, {"q": "roadmap"})["data"]["search"]

    assert [r["type"] for r in mine] == ["message"]
    assert theirs == anonymous == []


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "docker", "type": "comment"}, "type"),
        ({"q": "docker", "technology": "cobol"}, "technology"),
        ({"q": "docker", "limit": 0}, "limit"),
    ],
)
def test_bad_input_is_a_validation_error(client, db, variables, field):
    body = gql(client, SEARCH, variables)

    error = body["errors"][0]
    assert error["extensions"]["code"] == "validation_error"
    assert field in error["extensions"]["errors"]


def test_a_query_without_q_is_refused_before_running(client, db):
    body = gql(client, "{ search { id } }", {})

    assert body["errors"][0]["extensions"]["code"] == "bad_query"


def test_suggestions_are_titles_that_look_like_the_query(client, demo):
    body = gql(client, SUGGEST, {"q": "dockerizing"})

    suggestions = body["data"]["searchSuggestions"]
    assert suggestions[0]["title"].startswith("Dockerizing")
    assert {s["type"] for s in suggestions[:2]} == {"challenge", "guide"}
