"""The executor that reads plain leaf fields directly answers exactly as
graphql-core's own path does, errors included, and takes the direct path."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import pytest
import strawberry
import strawberry_django
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from graphql import GraphQLError
from strawberry.django.context import StrawberryDjangoContext
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry_django.optimizer import DjangoOptimizerExtension

from nexus.challenges import services
from nexus.core.graphql_execution import FastLeafExecutionContext
from nexus.graphql import schema
from nexus.knowledge.models import Technology
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db

EVERYTHING = """
query($id: Int!) {
  # not viewCount: `challenge(id)` counts a view, so each run would see another
  challenges {
    id title body bodyHtml status score solutionCount commentCount
    lastActivityAt isHidden hiddenReason createdAt updatedAt acceptedSolutionId
    duplicateOfId currentRevisionId
    author { username dateJoined displayName role bio track reputation skills }
    technologies { slug name } concepts { slug name } tags { slug name }
  }
  challenge(id: $id) {
    title acceptedSolutionId myVote isFollowing
    solutions { id body score isAccepted acceptedAt challengeId author { username } }
  }
}
"""


def run(query: str, **variables: Any) -> dict[str, Any]:
    """The schema's answer, by whichever execution context it has now."""
    request = RequestFactory().post("/graphql/")
    request.user = AnonymousUser()
    context = StrawberryDjangoContext(request=request, response=None)  # type: ignore[arg-type]
    result = schema.execute_sync(query, variable_values=variables, context_value=context)
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


@pytest.fixture
def thread(user_factory: Any) -> Any:
    author, solver = user_factory(), user_factory()
    TechnologyFactory.create(name="Celery", slug="celery")
    challenge = services.challenge_create(
        actor=author,
        data={
            "title": "Celery tasks fail after ten minutes",
            "body": "My long task is killed. I tried **raising** the timeout.",
            "technologies": ["celery"],
            "tags": ["timeouts"],
        },
    )
    services.challenge_create(
        actor=solver, data={"title": "Where do migrations run?", "body": "In CI or at boot?"}
    )
    solution = services.solution_create(
        actor=solver, challenge_id=challenge.pk, data={"body": "Split it."}
    )
    services.solution_accept(actor=author, solution_id=solution.pk)
    return challenge


def test_the_schema_executes_with_the_direct_reader() -> None:
    assert schema.execution_context_class is FastLeafExecutionContext


def test_the_answer_is_the_same_as_graphql_cores_and_most_fields_skip_its_machinery(
    thread: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"count": 0}
    field_path = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self: Any, *args: Any) -> Any:
        calls["count"] += 1
        return field_path(self, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)
    direct = run(EVERYTHING, id=thread.pk)
    through_direct = calls["count"]

    calls["count"] = 0
    monkeypatch.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
    plain = run(EVERYTHING, id=thread.pk)

    assert direct == plain
    assert direct["errors"] == []
    assert direct["data"]["challenges"][1]["status"] == "solved"
    # every leaf column of both challenges, their authors and links went direct
    assert through_direct < calls["count"] / 2


# A schema of its own for the corners: nulls, enums, refused values, deferred columns.


@strawberry.enum
class Colour(Enum):
    RED = "red"


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    colour: Colour
    count: int

    @strawberry.field
    async def loud(self) -> str:
        return self.name.upper()


@strawberry_django.type(Technology)
class TechnologyNode:
    slug: str
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        # nullable items, so an error nulls its item and not the whole answer
        return [
            Thing(name="one", nickname=None, colour=Colour.RED, count=1),
            Thing(name=None, nickname="two", colour=Colour.RED, count=2),  # type: ignore[arg-type]
            Thing(name="three", nickname="3", colour="green", count=3),  # type: ignore[arg-type]
            Thing(name="four", nickname="4", colour=Colour.RED, count="many"),  # type: ignore[arg-type]
        ]

    @strawberry.field
    async def later(self) -> Thing:
        return Thing(name="later", nickname=None, colour=Colour.RED, count=5)

    @strawberry.field
    def technologies(self) -> list[TechnologyNode]:
        # `name` deferred: the direct reader must leave it to strawberry-django
        return list(Technology.objects.only("id", "slug").order_by("slug"))  # type: ignore[arg-type]


class Shout(SchemaExtension):
    """A middleware that changes leaves: the direct path must step aside for it."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


def corner_schema(executor: type, *extensions: Any) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        extensions=[DjangoOptimizerExtension, *extensions],
        execution_context_class=executor,
    )


CORNERS = "{ things { name nickname colour count } technologies { slug name } }"


def corner_answers(*extensions: Any) -> tuple[Any, Any]:
    answers = []
    for executor in (FastLeafExecutionContext, StrawberryGraphQLCoreExecutionContext):
        result = corner_schema(executor, *extensions).execute_sync(CORNERS)
        errors = sorted(
            (e.message, tuple(e.path or ()))
            for e in result.errors or []
            if isinstance(e, GraphQLError)
        )
        answers.append((result.data, errors))
    return answers[0], answers[1]


def test_nulls_refused_values_and_deferred_columns_answer_as_graphql_core_does() -> None:
    TechnologyFactory.create(name="Redis", slug="redis")
    TechnologyFactory.create(name="Celery", slug="celery")

    direct, plain = corner_answers()

    assert direct == plain
    data, errors = direct
    assert data["things"] == [
        {"name": "one", "nickname": None, "colour": "RED", "count": 1},
        None,
        None,
        None,
    ]
    assert data["technologies"] == [
        {"slug": "celery", "name": "Celery"},
        {"slug": "redis", "name": "Redis"},
    ]
    # a null for a non-null name, an unknown enum value and a non-integer count
    assert {path for _, path in errors} == {
        ("things", 1, "name"),
        ("things", 2, "colour"),
        ("things", 3, "count"),
    }


def test_a_middleware_that_changes_leaves_turns_the_direct_path_off() -> None:
    TechnologyFactory.create(name="Redis", slug="redis")

    direct, plain = corner_answers(Shout)

    assert direct == plain
    assert direct[0]["technologies"] == [{"slug": "REDIS", "name": "REDIS"}]


def test_fields_resolved_asynchronously_keep_the_querys_order() -> None:
    # `loud` is awaited between two fields read directly
    query = "{ later { count loud name } things { nickname count } }"
    answers = [
        asyncio.run(corner_schema(executor).execute(query))
        for executor in (FastLeafExecutionContext, StrawberryGraphQLCoreExecutionContext)
    ]

    direct, plain = (answer.data or {} for answer in answers)
    assert direct == plain
    assert list(direct["later"]) == ["count", "loud", "name"]
    assert direct["later"] == {"count": 5, "loud": "LATER", "name": "later"}
