"""The GraphQL door: the same search, the same rules, the same errors."""

from __future__ import annotations

import pytest

from nexus.challenges.models import Challenge
from nexus.search.tests.conftest import SEARCH_URL

pytestmark = pytest.mark.django_db

SEARCH = """
query($q: String!, $type: String, $technology: String, $first: Int, $after: String) {
  search(q: $q, type: $type, technology: $technology, first: $first, after: $after) {
    results { type id slug title snippet url score status }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SUGGEST = "query($q: String!) { searchSuggestions(q: $q) { type id slug title url } }"


def test_search_answers_as_rest_does(gql, api_client, demo):
    body = gql(SEARCH, {"q": "celery long running tasks"})
    rest = api_client.get(SEARCH_URL, {"q": "celery long running tasks"}).json()["results"]

    assert "errors" not in body
    assert body["data"]["search"]["results"] == rest
    first = body["data"]["search"]["results"][0]
    assert first["type"] == "challenge"
    assert first["id"] == Challenge.objects.get(title__startswith="Managing asynchronous").pk


def test_search_narrows_by_type_technology_and_first(gql, demo):
    body = gql(SEARCH, {"q": "docker", "type": "guide", "technology": "docker", "first": 1})

    results = body["data"]["search"]["results"]
    assert len(results) == 1
    assert results[0]["type"] == "guide"
    assert results[0]["slug"]


def test_private_channel_messages_stay_with_members(gql, learner, other, open_channel, post):
    open_channel("back-room", kind="private")
    post("back-room", "The quarterly roadmap draft")

    mine = gql.data(SEARCH, {"q": "roadmap"}, as_user=learner)["search"]["results"]
    theirs = gql.data(SEARCH, {"q": "roadmap"}, as_user=other)["search"]["results"]
    anonymous = gql.data(SEARCH, {"q": "roadmap"})["search"]["results"]

    assert [r["type"] for r in mine] == ["message"]
    assert theirs == anonymous == []


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "docker", "type": "comment"}, "type"),
        ({"q": "docker", "technology": "cobol"}, "technology"),
        ({"q": "docker", "first": 0}, "first"),
        ({"q": "docker", "first": 51}, "first"),
        ({"q": "docker", "after": "not-a-cursor"}, "after"),
    ],
)
def test_bad_input_is_a_validation_error(gql, db, variables, field):
    body = gql(SEARCH, variables)

    error = body["errors"][0]
    assert error["extensions"]["code"] == "validation_error"
    assert list(error["extensions"]["errors"]) == [field]


def test_following_end_cursors_walks_the_rest_searchs_pages(gql, api_client, demo):
    walked = gql.walk(SEARCH, {"q": "docker", "first": 2})
    rest, url = [], f"{SEARCH_URL}?q=docker&limit=2"
    while url:
        page = api_client.get(url).json()
        rest += page["results"]
        url = page["next"]

    assert len(walked) > 2
    assert walked == rest


def test_a_query_without_q_is_refused_before_running(gql, db):
    body = gql("{ search { results { id } } }", {})

    assert body["errors"][0]["extensions"]["code"] == "bad_query"


def test_suggestions_are_titles_that_look_like_the_query(gql, demo):
    body = gql(SUGGEST, {"q": "dockerizing"})

    suggestions = body["data"]["searchSuggestions"]
    assert suggestions[0]["title"].startswith("Dockerizing")
    assert {s["type"] for s in suggestions[:2]} == {"challenge", "guide"}
