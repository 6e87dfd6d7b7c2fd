"""The executor that reads plain leaf fields, loaded relations and simple
resolvers directly answers exactly as graphql-core's own path does, errors
included, and takes the direct path."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from unittest.mock import ANY

import pytest
import strawberry
import strawberry_django
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from graphql import GraphQLError, parse
from strawberry.django.context import StrawberryDjangoContext
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry_django.optimizer import DjangoOptimizerExtension

from nexus.accounts.models import User
from nexus.challenges import services
from nexus.challenges.models import Challenge
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
    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted_path)
    direct = run(EVERYTHING, id=thread.pk)
    through_direct = slow_fields.copy()

    slow_fields.clear()
    monkeypatch.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
    plain = run(EVERYTHING, id=thread.pk)

    assert direct == plain
    assert direct["errors"] == []
    assert direct["data"]["challenges"][1]["status"] == "solved"
    # Leaf columns, the loaded authors and the parent-only resolvers (display
    # names, profiles, links, solutions, comments) all went direct: only the
    # root fields, which take arguments, took graphql-core's path.
    assert through_direct == Counter({"challenges": 1, "challenge": 1})
    assert slow_fields.total() > 25 * through_direct.total()  # graphql-core: every field


slow_fields: Counter[str] = Counter()
_field_path = StrawberryGraphQLCoreExecutionContext.execute_field


def counted_path(
    self: Any, parent_type: Any, source: Any, field_details_list: Any, *args: Any
) -> Any:
    """graphql-core's own path for a field, counted by field name."""
    slow_fields[field_details_list[0].node.name.value] += 1
    return _field_path(self, parent_type, source, field_details_list, *args)


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


# Relations and resolvers found directly, and those that must take the normal path.
resolver_threads: list[int] = []


@strawberry_django.type(User)
class PersonNode:
    username: str

    @strawberry_django.field
    def loud(self, root: strawberry.Parent[User]) -> str:
        resolver_threads.append(threading.get_ident())
        return root.username.upper()

    @strawberry_django.field
    def picky(self, root: strawberry.Parent[User]) -> str | None:
        if root.username.startswith("b"):
            raise ValueError("Not for b.")
        return root.username

    @strawberry_django.field
    def posts(self, root: strawberry.Parent[User]) -> list[ChallengeNode]:
        # a queryset: strawberry-django and the optimizer complete it
        return root.challenges.all()  # type: ignore[return-value]


@strawberry_django.type(Challenge)
class ChallengeNode:
    title: str
    author: PersonNode
    duplicate_of: ChallengeNode | None

    @strawberry.field
    def misfit(self) -> PersonNode | None:
        return self  # type: ignore[return-value]  # a challenge where a person belongs

    @strawberry.field
    def missing(self) -> PersonNode:
        return None  # type: ignore[return-value]  # a null where the schema says non-null


@strawberry.type
class Posts:
    # strawberry-django fields, so an async execution runs their queries in a thread
    @strawberry_django.field
    def loaded(self) -> list[ChallengeNode]:
        query = Challenge.objects.select_related("author", "duplicate_of").order_by("pk")
        return list(query)  # type: ignore[arg-type]

    @strawberry.field
    def built(self) -> list[ChallengeNode]:
        # made in memory, its author set: nothing to query
        return [Challenge(title="Built", author=User(username="ada"))]  # type: ignore[list-item]

    @strawberry_django.field
    def strict(self) -> list[ChallengeNode] | None:
        # non-null items in a nullable list: an item's error nulls the list
        return list(Challenge.objects.select_related("author").order_by("pk"))  # type: ignore[arg-type]

    @strawberry_django.field
    def holey(self) -> list[ChallengeNode] | None:
        # a null where items are non-null, then a user where challenges belong
        first = Challenge.objects.order_by("pk").first()
        return [first, None]  # type: ignore[list-item]

    @strawberry_django.field
    def mistyped(self) -> list[ChallengeNode] | None:
        return list(User.objects.order_by("pk"))  # type: ignore[arg-type]

    @strawberry_django.field
    def castaway(self) -> list[ChallengeNode | None]:
        # the second challenge cast to another type: its class fits, it does not
        first, second = Challenge.objects.select_related("author").order_by("pk")
        return [first, strawberry.cast(PersonNode, second)]  # type: ignore[list-item]

    @strawberry_django.field
    def unloaded(self) -> list[ChallengeNode | None]:
        # no select_related: the relations are read from the database, normally
        return list(Challenge.objects.order_by("pk"))  # type: ignore[arg-type]


@strawberry.type
class PostsQuery:
    @strawberry.field
    def posts(self) -> Posts:
        return Posts()


POSTS = """{ posts {
  loaded {
    title author { username loud picky posts { title } } duplicateOf { title author { loud } }
  }
  unloaded { title author { username loud } duplicateOf { title } missing { username } }
} }"""


def posts_answers(run: Any) -> tuple[Any, Any, Counter[str]]:
    """Both executors' answers, and the fields the direct one left to graphql-core
    (counted when `counted_path` is patched in)."""
    answers = []
    left = Counter[str]()
    for executor in (FastLeafExecutionContext, StrawberryGraphQLCoreExecutionContext):
        slow_fields.clear()
        posts_schema = strawberry.Schema(
            query=PostsQuery,
            extensions=[DjangoOptimizerExtension],
            execution_context_class=executor,
        )
        result = run(posts_schema)
        errors = sorted(
            (e.message, tuple(e.path or ()))
            for e in result.errors or []
            if isinstance(e, GraphQLError)
        )
        answers.append((result.data, errors))
        left = left or slow_fields.copy()
    return answers[0], answers[1], left


@pytest.fixture
def posts(user_factory: Any) -> None:
    ada, bob = user_factory(username="ada"), user_factory(username="bob")
    first = services.challenge_create(
        actor=ada, data={"title": "Celery tasks fail after ten minutes", "body": "Why?"}
    )
    services.challenge_create(actor=bob, data={"title": "Why do my migrations clash?", "body": "?"})
    Challenge.objects.filter(title__startswith="Why do").update(duplicate_of=first)


def test_relations_and_resolvers_answer_as_graphql_core_does(
    posts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted_path)

    direct, plain, left = posts_answers(lambda posts_schema: posts_schema.execute_sync(POSTS))

    assert direct == plain
    data, errors = direct
    loaded = data["posts"]["loaded"]
    assert [post["author"]["loud"] for post in loaded] == ["ADA", "BOB"]
    assert loaded[1]["duplicateOf"] == {
        "title": "Celery tasks fail after ten minutes",
        "author": {"loud": "ADA"},
    }
    assert loaded[0]["author"]["posts"] == [{"title": "Celery tasks fail after ten minutes"}]
    # a resolver's error and a null for a non-null object, where graphql-core puts them
    assert errors == [
        (
            "Cannot return null for non-nullable field ChallengeNode.missing.",
            ("posts", "unloaded", 0, "missing"),
        ),
        (
            "Cannot return null for non-nullable field ChallengeNode.missing.",
            ("posts", "unloaded", 1, "missing"),
        ),
        ("Not for b.", ("posts", "loaded", 1, "author", "picky")),
    ]
    assert data["posts"]["unloaded"] == [None, None]
    # Direct: the loaded authors and duplicates, `loud`, `loaded` and `unloaded`,
    # and `missing` (whose null graphql-core's completion then refuses). Left to
    # graphql-core: the root field, both `posts` resolvers (they return a
    # queryset), `picky` where it raised, and the relations the query did not
    # load (the unloaded posts' authors and duplicates, the duplicate's author).
    assert left == Counter({"posts": 3, "picky": 1, "author": 3, "duplicateOf": 2})


def test_lists_of_objects_that_fail_answer_as_graphql_core_does(posts: None) -> None:
    query = """{ posts {
      strict { title missing { username } }
      holey { title }
      mistyped { title }
      loaded { title misfit { username } }
      castaway { title author { username } }
    } }"""

    direct, plain, _ = posts_answers(lambda posts_schema: posts_schema.execute_sync(query))

    assert direct == plain
    data, errors = direct
    assert data["posts"]["strict"] is None
    assert data["posts"]["holey"] is None
    assert data["posts"]["mistyped"] is None
    assert len(data["posts"]["loaded"]) == 2
    assert data["posts"]["castaway"] == [
        {"title": "Celery tasks fail after ten minutes", "author": {"username": "ada"}},
        None,
    ]
    assert {path for _, path in errors} == {
        ("posts", "castaway", 1),
        ("posts", "holey", 1),
        ("posts", "mistyped", 0),
        ("posts", "strict", 0, "missing"),
        ("posts", "loaded", 0, "misfit"),
        ("posts", "loaded", 1, "misfit"),
    }


def test_an_async_execution_leaves_resolvers_to_strawberry_django() -> None:
    resolver_threads.clear()
    query = "{ posts { built { title author { username loud } } } }"

    direct, plain, _ = posts_answers(lambda posts_schema: asyncio.run(posts_schema.execute(query)))

    assert direct == plain
    assert direct[0]["posts"]["built"] == [
        {"title": "Built", "author": {"username": "ada", "loud": "ADA"}}
    ]
    # strawberry-django runs a sync resolver off the event loop's thread, as it may query
    assert resolver_threads
    assert threading.get_ident() not in resolver_threads


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


# Compiled selections: a page's objects completed in one pass, or by graphql-core.

SHAPES = """{ challenges {
  __typename id t: title title
  author { __typename username } author { displayName role }
  tags { __typename slug } technologies { name slug }
} }"""


def object_completions(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The executor's field loop (graphql-core's way of completing an object),
    counted by the type of the object it completes."""
    calls: Counter[str] = Counter()
    original = FastLeafExecutionContext.execute_fields

    def counted(self: Any, parent_type: Any, *args: Any) -> Any:
        calls[parent_type.name] += 1
        return original(self, parent_type, *args)

    monkeypatch.setattr(FastLeafExecutionContext, "execute_fields", counted)
    return calls


def test_a_page_of_objects_is_completed_in_one_pass_as_graphql_core_would(
    thread: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = object_completions(monkeypatch)
    direct = run(SHAPES)
    through_compiled = calls.copy()

    calls.clear()
    monkeypatch.setattr(FastLeafExecutionContext, "_compiled", lambda *args: None)
    uncompiled = run(SHAPES)
    monkeypatch.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
    plain = run(SHAPES)

    assert direct == uncompiled == plain
    assert direct["errors"] == []
    first = direct["data"]["challenges"][1]
    assert first["__typename"] == "Challenge"
    assert first["t"] == first["title"] == "Celery tasks fail after ten minutes"
    assert list(first["author"]) == ["__typename", "username", "displayName", "role"]
    assert first["tags"] == [{"__typename": "TagRef", "slug": "timeouts"}]
    # Compiled, only the root's fields took the field loop; otherwise it runs
    # for every challenge, author and link.
    assert through_compiled == Counter({"Query": 1})
    assert calls["Challenge"] == 2
    assert calls["User"] == 2


def test_a_selection_is_compiled_once_for_its_query_text(
    thread: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nexus.core import graphql_execution

    compiled: list[str] = []
    original = graphql_execution._compile_selection

    def counted(object_type: Any, nodes: Any) -> Any:
        compiled.append(object_type.name)
        return original(object_type, nodes)

    monkeypatch.setattr(graphql_execution, "_compile_selection", counted)
    monkeypatch.setattr(graphql_execution, "_selection_plans", graphql_execution._SelectionPlans())
    query = "{ challenges { id author { username } tags { slug } } }"

    first, second = run(query), run(query)

    assert first == second
    assert sorted(compiled) == ["Challenge", "TagRef", "User"]


def test_selections_the_compiler_leaves_alone_answer_as_graphql_core_does(
    thread: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fragment, a directive and a field with an argument below the page: each
    # keeps that object (and only that one) on graphql-core's own path.
    query = """query($yes: Boolean!) {
      challenges { id ...Named author @include(if: $yes) { username } }
      me: challenges(limit: 1) { title author { username } }
    }
    fragment Named on Challenge { title }"""
    calls = object_completions(monkeypatch)
    direct = run(query, yes=True)

    monkeypatch.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
    assert direct == run(query, yes=True)
    assert direct["errors"] == []
    assert direct["data"]["me"] == [
        {"title": "Where do migrations run?", "author": {"username": ANY}}
    ]
    # the first page's two challenges took the field loop; the second page did not
    assert calls["Challenge"] == 2


def test_an_object_the_compiled_pass_cannot_finish_is_completed_by_graphql_core(
    posts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bob's `picky` raises: his whole author object is left to graphql-core,
    # which reports the error once; ada's is completed in one pass.
    query = "{ posts { loaded { title author { username picky loud } } } }"
    calls = object_completions(monkeypatch)

    direct, plain, _ = posts_answers(lambda posts_schema: posts_schema.execute_sync(query))

    assert direct == plain
    data, errors = direct
    assert [post["author"] for post in data["posts"]["loaded"]] == [
        {"username": "ada", "picky": "ada", "loud": "ADA"},
        {"username": "bob", "picky": None, "loud": "BOB"},
    ]
    assert errors == [("Not for b.", ("posts", "loaded", 1, "author", "picky"))]
    # From the root down to bob's author, each object on the way took the field
    # loop once; ada's post and author did not.
    assert calls == Counter({"PostsQuery": 1, "Posts": 1, "ChallengeNode": 1, "PersonNode": 1})


def test_compiled_selections_are_bounded() -> None:
    from nexus.core import graphql_execution

    plans = graphql_execution._SelectionPlans()
    plans.SIZE = 2
    user_type = schema._schema.type_map["User"]
    documents = [parse("{ a { username } }") for _ in range(3)]
    nodes = [(document.definitions[0].selection_set.selections[0],) for document in documents]  # type: ignore[attr-defined]

    for field_nodes in nodes:
        assert plans.get(user_type, field_nodes) is not None  # type: ignore[arg-type]

    assert len(plans._entries) == 2
    kept = [entry[1] for entry in plans._entries.values()]
    assert kept == nodes[1:]


@strawberry.type
class Size:
    count: int
    label: str
    ok: bool


@strawberry.type
class SizesQuery:
    @strawberry.field
    def sizes(self) -> list[Size | None]:
        # values of other Python types than the field's: graphql-core converts or
        # refuses them, and the direct reader must do exactly the same
        return [
            Size(count=1, label="one", ok=True),
            Size(count=True, label=7, ok=1),  # type: ignore[arg-type]
            Size(count=2**40, label="big", ok=False),
            Size(count=2.0, label="two", ok=0.0),  # type: ignore[arg-type]
        ]


def test_built_in_scalars_of_other_python_types_answer_as_graphql_core_does() -> None:
    answers = []
    for executor in (FastLeafExecutionContext, StrawberryGraphQLCoreExecutionContext):
        result = strawberry.Schema(query=SizesQuery, execution_context_class=executor).execute_sync(
            "{ sizes { count label ok } }"
        )
        answers.append((result.data, sorted(str(e.path) for e in result.errors or [])))

    direct, plain = answers
    assert direct == plain
    assert direct[0] == {
        "sizes": [
            {"count": 1, "label": "one", "ok": True},
            {"count": 1, "label": "7", "ok": True},
            None,
            {"count": 2, "label": "two", "ok": False},
        ]
    }
    assert direct[1] == ["['sizes', 2, 'count']"]


NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


class Label(str):
    pass


class Count(int):
    pass


@strawberry_django.type(Challenge)
class ColumnNode:
    title: str
    score: int
    is_hidden: bool
    duplicate_of_id: int | None
    created_at: datetime


@strawberry.type
class ColumnsQuery:
    @strawberry.field
    def columns(self) -> list[ColumnNode | None]:
        # model columns holding values of other Python types than their scalar's:
        # the compiled pass takes only exact types as they are, the rest as
        # graphql-core would (converted, or refused with an error)
        made = [
            Challenge(title="plain", score=1, is_hidden=False, created_at=NOON),
            Challenge(title=7, score=True, is_hidden=1, created_at=NOON, duplicate_of_id=5),  # type: ignore[misc]
            Challenge(title=Label("sub"), score=Count(3), is_hidden=False, created_at=NOON),
            Challenge(title="big", score=2**40, is_hidden=False, created_at=NOON),
            Challenge(title=None, score=2, is_hidden=False, created_at=NOON),  # type: ignore[misc]
            Challenge(title="when?", score=2, is_hidden=False, created_at="noon"),
        ]
        return made  # type: ignore[return-value]


def test_model_columns_of_other_python_types_answer_as_graphql_core_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = object_completions(monkeypatch)
    answers = []
    for executor in (FastLeafExecutionContext, StrawberryGraphQLCoreExecutionContext):
        result = strawberry.Schema(
            query=ColumnsQuery, execution_context_class=executor
        ).execute_sync("{ columns { title score isHidden duplicateOfId createdAt } }")
        answers.append((result.data, sorted(str(e.path) for e in result.errors or [])))

    direct, plain = answers
    # as JSON, so True and 1 differ
    assert json.dumps(direct) == json.dumps(plain)
    noon = NOON.isoformat()
    assert direct[0] == {
        "columns": [
            {
                "title": "plain",
                "score": 1,
                "isHidden": False,
                "duplicateOfId": None,
                "createdAt": noon,
            },
            {"title": "7", "score": 1, "isHidden": True, "duplicateOfId": 5, "createdAt": noon},
            {
                "title": "sub",
                "score": 3,
                "isHidden": False,
                "duplicateOfId": None,
                "createdAt": noon,
            },
            None,
            None,
            None,
        ]
    }
    assert direct[1] == [
        "['columns', 3, 'score']",
        "['columns', 4, 'title']",
        "['columns', 5, 'createdAt']",
    ]
    # the direct executor's field loop ran for the root and the three refused
    # objects only: the others were completed in one pass
    assert calls == Counter({"ColumnsQuery": 1, "ColumnNode": 3})
