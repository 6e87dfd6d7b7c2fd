"""The schema runs on strawberry's own execution: a failing resolver is called
once and reported once, in the API's error shape, and nulls propagate as the
GraphQL spec says."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from nexus.accounts.models import User
from nexus.challenges import services
from nexus.graphql import schema
from nexus.knowledge import selectors as knowledge_selectors

pytestmark = pytest.mark.django_db


def test_the_schema_uses_strawberrys_own_execution() -> None:
    assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext


def test_a_resolver_that_raises_is_called_once_and_reported_once(
    gql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken() -> Any:
        calls.append(1)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(knowledge_selectors, "tag_list", broken)

    body = gql("{ tags { results { slug } } }")

    assert calls == [1]
    assert body["data"] is None
    assert body["errors"] == [
        {
            "message": "Something went wrong on our side; it has been logged.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["tags"],
            "extensions": {"code": "server_error"},
        }
    ]


def test_a_field_failing_inside_a_list_is_one_error_and_nulls_the_non_null_parents(
    gql: Any, user_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = user_factory(username="ada")
    for title in ("Celery tasks die after ten minutes", "Redis refuses the connection"):
        services.challenge_create(actor=author, data={"title": title, "body": "Why?"})
    calls: list[int] = []

    def display_name(user: User) -> str:
        calls.append(1)
        raise RuntimeError("no profile")

    monkeypatch.setattr(User, "display_name", property(display_name))

    body = gql("{ challenges { results { title author { displayName } } } }")

    # Every field on the way up is non-null, so the answer's data is null; the
    # list stops at its first failing item, which is the one reported.
    assert body["data"] is None
    assert [error["path"] for error in body["errors"]] == [
        ["challenges", "results", 0, "author", "displayName"]
    ]
    assert body["errors"][0]["extensions"] == {"code": "server_error"}
    assert len(calls) == 1
