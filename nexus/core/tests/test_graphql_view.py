"""Requests the GraphQL view refuses before running them leave in the API's one
error shape, as REST's do, not as strawberry's plain text."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_error_shape(response: Any, status: int, error_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"type", "detail", "errors", "request_id"}
    assert body["type"] == error_type
    return body


def test_a_body_that_is_not_json_is_a_parse_error(client: Client) -> None:
    response = client.post("/graphql/", "{bad", content_type="application/json")

    body = assert_error_shape(response, 400, "parse_error")
    assert body["detail"] == "Unable to parse request body as JSON"


@pytest.mark.parametrize(
    "payload",
    ['{"variables": {}}', '{"query": 7}', '{"query": "{ me { username } }", "variables": 3}'],
)
def test_a_request_without_a_usable_query_is_a_bad_request(client: Client, payload: str) -> None:
    response = client.post("/graphql/", payload, content_type="application/json")

    assert_error_shape(response, 400, "bad_request")


def test_a_method_graphql_does_not_take_says_which_it_does(client: Client) -> None:
    response = client.put("/graphql/", '{"query": "{ me { username } }"}')

    assert_error_shape(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"


def test_a_mutation_over_get_is_refused_in_the_shape(client: Client) -> None:
    response = client.get("/graphql/", {"query": 'mutation { login(email: "a", password: "b") }'})

    body = assert_error_shape(response, 400, "bad_request")
    assert body["detail"] == "mutations are not allowed when using GET"


def test_a_valid_query_still_answers_as_graphql(client: Client) -> None:
    response = client.post("/graphql/", '{"query": "{ me { username } }"}', "application/json")

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}
