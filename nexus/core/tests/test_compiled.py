"""`CompiledQuery` and `CompiledRows` compose a queryset once and run it as the
ORM would."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services as challenge_services
from nexus.challenges.models import Challenge, Solution
from nexus.core.compiled import CompiledQuery, CompiledRows

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenges(user_factory):
    author = user_factory(username="asker")
    made = [
        challenge_services.challenge_create(
            actor=author, data={"title": f"Celery task {n} fails", "body": f"Run {n} dies."}
        )
        for n in range(5)
    ]
    for n, challenge in enumerate(made[:3]):
        challenge_services.solution_create(
            actor=user_factory(username=f"helper-{n}"),
            challenge_id=challenge.pk,
            data={"body": f"Retry it, {n}."},
        )
    return made


class Builder:
    """A builder that counts how often it is asked to compose."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, shape: str, author_id: int, ids: list[int]) -> QuerySet[Challenge]:
        self.calls += 1
        queryset = Challenge.objects.select_related("author__profile").filter(pk__in=ids)
        if shape == "by-author":
            queryset = queryset.filter(author_id=author_id)
        return queryset.order_by("-id")


def test_it_gives_the_objects_the_orm_gives_with_their_related_rows(challenges):
    build = Builder()
    query = CompiledQuery(Challenge, build, "author_id", "ids")
    ids = [c.pk for c in challenges]

    found = query.fetch("all", author_id=None, ids=ids)

    expected = list(build("all", 0, ids))
    assert [c.pk for c in found] == [c.pk for c in expected]
    for got, want in zip(found, expected, strict=True):
        assert {f.attname: getattr(got, f.attname) for f in Challenge._meta.concrete_fields} == {
            f.attname: getattr(want, f.attname) for f in Challenge._meta.concrete_fields
        }
        assert not got._state.adding
        assert got._state.db == "default"
    with CaptureQueriesContext(connection) as queries:
        assert found[0].author.username == "asker"
        assert found[0].author.profile.user_id == found[0].author_id
        assert found[0].created_at.tzinfo is not None
    assert len(queries) == 0


def test_it_composes_once_per_shape_and_list_length_and_swaps_the_arguments_in(challenges):
    build = Builder()
    query = CompiledQuery(Challenge, build, "author_id", "ids")
    first, second, third, fourth, fifth = (c.pk for c in challenges)

    assert [c.pk for c in query.fetch("all", author_id=None, ids=[first, second, third])] == [
        third,
        second,
        first,
    ]
    # Three and four ids share a plan: lists are lengthened to a power of two.
    assert [
        c.pk for c in query.fetch("all", author_id=None, ids=[fifth, first, second, fourth])
    ] == [
        fifth,
        fourth,
        second,
        first,
    ]
    assert build.calls == 1
    assert [c.pk for c in query.fetch("all", author_id=None, ids=[fourth])] == [fourth]
    assert build.calls == 2

    author_id = challenges[0].author_id
    assert [c.pk for c in query.fetch("by-author", author_id=author_id, ids=[first])] == [first]
    assert query.fetch("by-author", author_id=author_id + 1000, ids=[first]) == []
    assert build.calls == 3


def test_each_connection_keeps_only_its_most_recently_used_plans(challenges):
    build = Builder()
    query = CompiledQuery(Challenge, build, "author_id", "ids", max_plans=2)
    first, second = challenges[0].pk, challenges[1].pk

    for shape in ("all", "by-author", "all"):  # the second "all" is kept: no compose
        query.fetch(shape, author_id=challenges[0].author_id, ids=[first])
    assert build.calls == 2
    query.fetch("all", author_id=None, ids=[first, second])  # a third plan: drops "by-author"
    assert build.calls == 3
    assert [c.pk for c in query.fetch("all", author_id=None, ids=[first])] == [first]
    assert build.calls == 3
    found = query.fetch("by-author", author_id=challenges[0].author_id, ids=[second])
    assert [c.pk for c in found] == [second]
    assert build.calls == 4


def test_an_empty_list_asks_nothing_when_it_empties_the_query(challenges):
    query = CompiledQuery(Challenge, Builder(), "author_id", "ids")

    with CaptureQueriesContext(connection) as queries:
        assert query.fetch("all", author_id=None, ids=[]) == []

    assert len(queries) == 0


def test_an_empty_list_leaves_the_rest_of_an_or(challenges):
    def build(shape: str, first: int, ids: list[int]) -> QuerySet[Challenge]:
        return Challenge.objects.filter(Q(pk=first) | Q(pk__in=ids))

    query = CompiledQuery(Challenge, build, "first", "ids")

    assert [c.pk for c in query.fetch(None, first=challenges[1].pk, ids=[])] == [challenges[1].pk]


def test_annotations_and_ordering_columns_come_back_as_the_orm_gives_them(challenges):
    def build(shape: None, challenge_id: int) -> QuerySet[Solution]:
        return (
            Solution.objects.filter(challenge_id=challenge_id)
            .select_related("challenge")
            .annotate(twice=F("score") * 2 + 1)
            .distinct()  # which makes the ORM select the ordering column too
            .order_by("challenge__author__username")
        )

    query = CompiledQuery(Solution, build, "challenge_id")

    found = query.fetch(None, challenge_id=challenges[0].pk)

    assert [(s.challenge_id, s.body, s.twice, s.challenge.title) for s in found] == [  # type: ignore[attr-defined]
        (challenges[0].pk, "Retry it, 0.", 1, "Celery task 0 fails")
    ]


def test_a_builder_that_computes_with_a_placeholder_is_refused(challenges):
    def build(shape: None, challenge_id: int) -> QuerySet[Challenge]:
        return Challenge.objects.filter(pk=challenge_id + 1)

    with pytest.raises(ValueError, match="placeholder was changed"):
        CompiledQuery(Challenge, build, "challenge_id").fetch(None, challenge_id=1)


@pytest.mark.parametrize(
    "build",
    [
        lambda shape, challenge_id: Solution.objects.filter(pk=challenge_id),
        lambda shape, challenge_id: Challenge.objects.filter(pk=challenge_id).values("id"),
        lambda shape, challenge_id: Challenge.objects.filter(pk=challenge_id).prefetch_related(
            "tags"
        ),
    ],
    ids=["another model", "values", "prefetches"],
)
def test_only_model_objects_of_its_model_are_built(challenges, build: Any):
    with pytest.raises(ValueError, match="reads Challenge through ModelIterable only"):
        CompiledQuery(Challenge, build, "challenge_id").fetch(None, challenge_id=1)


def rows_of(shape: str, author_id: int, ids: list[int]) -> QuerySet[Any]:
    queryset = Challenge.objects.filter(pk__in=ids).values("id", "title", "created_at")
    if shape == "by-author":
        queryset = queryset.filter(author_id=author_id)
    return queryset.annotate(answers=F("solution_count")).order_by("-score", "-id")[:3]


def test_rows_are_the_dicts_the_orm_gives_for_values(challenges, user_factory):
    rows = CompiledRows(Challenge, rows_of, "author_id", "ids")
    ids = [c.pk for c in challenges]
    other = challenge_services.challenge_create(
        actor=user_factory(), data={"title": "Redis drops keys", "body": "Why?"}
    )

    for shape, author_id in (("all", None), ("by-author", challenges[0].author_id)):
        found = rows.fetch(shape, author_id=author_id, ids=[*ids, other.pk])
        assert found == list(rows_of(shape, author_id or 0, [*ids, other.pk]))
        assert list(found[0]) == ["id", "title", "created_at", "answers"]
        assert found[0]["created_at"].tzinfo is not None
    assert rows.fetch("by-author", author_id=other.author_id, ids=ids) == []
    assert rows.fetch("all", author_id=None, ids=[2**64]) == []


def test_rows_want_a_values_queryset(challenges):
    def build(shape: None, challenge_id: int) -> QuerySet[Challenge]:
        return Challenge.objects.filter(pk=challenge_id)

    with pytest.raises(ValueError, match="reads Challenge through ValuesIterable only"):
        CompiledRows(Challenge, build, "challenge_id").fetch(None, challenge_id=1)


def test_it_wants_exactly_its_arguments():
    query = CompiledQuery(Challenge, Builder(), "author_id", "ids")

    with pytest.raises(TypeError, match="Expected the arguments"):
        query.fetch("all", ids=[1])


def test_an_id_past_64_bits_matches_nothing_and_is_never_sent(challenges):
    query = CompiledQuery(Challenge, Builder(), "author_id", "ids")
    first = challenges[0].pk

    with CaptureQueriesContext(connection) as queries:
        assert query.fetch("by-author", author_id=2**63, ids=[first]) == []
    assert len(queries) == 0
    assert [c.pk for c in query.fetch("all", author_id=None, ids=[10**30, first, -(2**64)])] == [
        first
    ]
