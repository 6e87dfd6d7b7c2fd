"""ORM querysets composed into SQL once and run many times with new arguments.

For the hot reads whose shape never changes (one challenge's thread, say),
composing the SQL took longer than the database took to answer it. A
`CompiledQuery` calls its builder once per database connection and shape with
placeholder arguments, keeps the SQL and where each placeholder landed among
its parameters, and from then on swaps the arguments in and builds the objects
as the ORM's own iteration does (`select_related` included).

The builder takes the shape first (anything hashable that changes the SQL,
such as who is reading) and its arguments by name: integers, or lists of them
for IN. It may only pass them to lookups as they are, never compute with them,
and may leave some unused. A placeholder that comes out changed is refused when
the query is composed. Arguments are matched for equality (exact or IN), so a
value past 64 bits matches nothing, as in Django's own lookups.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the stubs
    ModelIterable,
    RelatedPopulator,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
Argument = int | Sequence[int] | None

# Placeholders count down from a negative id no row has, inside every integer
# column's range (Django writes no parameter for an out-of-range value); any
# parameter near them is one the builder changed.
_FIRST_PLACEHOLDER = -2_000_000_000
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
_PLACEHOLDER_SPAN = 1_000_000


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    # (index in params, argument name, position in a list argument or None)
    slots: tuple[tuple[int, str, int | None], ...]
    compiler: SQLCompiler
    converters: dict[int, Any]
    width: int | None  # columns to keep, when ordering added some
    model: type[Model]
    fields: slice
    attnames: list[str]
    populators: list[RelatedPopulator]
    annotations: dict[str, int]


class CompiledQuery(Generic[M]):
    """`build(shape, **arguments)` composed once per connection, shape and length
    of each list argument. A shape can come from a request (a page size, say), so
    each connection keeps the `max_plans` most recently used plans, not all."""

    def __init__(
        self,
        model: type[M],
        build: Callable[..., QuerySet[M]],
        *arguments: str,
        max_plans: int = 64,
    ) -> None:
        self._model = model
        self._build = build
        self._arguments = arguments
        self._max_plans = max_plans
        self._plans: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, OrderedDict[Hashable, _Plan]
        ] = weakref.WeakKeyDictionary()

    def fetch(self, shape: Hashable, **arguments: Argument) -> list[M]:
        """The objects the builder's queryset gives for `shape` and `arguments`."""
        if arguments.keys() != set(self._arguments):
            raise TypeError(f"Expected the arguments {self._arguments}, got {tuple(arguments)}.")
        values = {name: _padded(arguments[name]) for name in self._arguments}
        if any(
            isinstance(value, int) and not _BIGINT_MIN <= value <= _BIGINT_MAX
            for value in values.values()
        ):
            return []  # as Django finds nothing for an id no column can hold
        lengths = tuple(
            len(value) if isinstance(value, list) else None for value in values.values()
        )
        connection = connections[router.db_for_read(self._model)]
        plans = self._plans.setdefault(connection, OrderedDict())
        key = (shape, lengths)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = self._compose(
                connection, shape, dict(zip(values, lengths, strict=True))
            )
            if len(plans) > self._max_plans:
                plans.popitem(last=False)
        else:
            plans.move_to_end(key)
        params = list(plan.params)
        for index, name, position in plan.slots:
            value = values[name]
            params[index] = value if position is None else value[position]  # type: ignore[index]
        if not plan.sql:
            return []
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows: Iterable[Any] = cursor.fetchall()
        if plan.width is not None:
            rows = [row[: plan.width] for row in rows]
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        alias = connection.alias
        objects: list[M] = []
        for row in rows:
            obj = plan.model.from_db(alias, plan.attnames, row[plan.fields])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)  # type: ignore[arg-type]
        return objects

    def _compose(
        self, connection: BaseDatabaseWrapper, shape: Hashable, lengths: dict[str, int | None]
    ) -> _Plan:
        placeholders: dict[str, Any] = {}
        where: dict[int, tuple[str, int | None]] = {}
        for name, length in lengths.items():
            if length is None:
                placeholders[name] = _placeholder(where, name, None)
            else:
                placeholders[name] = [_placeholder(where, name, n) for n in range(length)]
        queryset = self._build(shape, **placeholders)
        if (
            queryset.model is not self._model
            or queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        ):
            raise ValueError(f"A compiled query builds {self._model.__name__} objects only.")
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # such as IN over an empty list: nothing to ask
            sql, params = "", ()
        slots = []
        for index, value in enumerate(params):
            if type(value) is int and value <= _FIRST_PLACEHOLDER + _PLACEHOLDER_SPAN:
                if value not in where:
                    raise ValueError(f"A placeholder was changed on its way into the SQL: {value}")
                slots.append((index, *where[value]))
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None  # a model query always has one
        fields = [column for column, *_ in select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("A compiled query does not read composite keys.")
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            compiler=compiler,
            converters=compiler.get_converters(fields),
            width=compiler.col_count if compiler.has_extra_select else None,
            model=klass_info["model"],
            fields=slice(start, end),
            attnames=[column.target.attname for column, *_ in select[start:end]],
            populators=get_related_populators(klass_info, select, connection.alias),
            annotations=dict(compiler.annotation_col_map or {}),
        )


def _placeholder(where: dict[int, tuple[str, int | None]], name: str, position: int | None) -> int:
    value = _FIRST_PLACEHOLDER - len(where)
    where[value] = (name, position)
    return value


def _padded(value: Argument) -> int | list[int] | None:
    """A list argument without the values no column holds, lengthened to a power
    of two by repeating its last value (the same rows for IN), so a handful of
    plans serve every length."""
    if value is None or isinstance(value, int):
        return value
    items = [item for item in value if _BIGINT_MIN <= item <= _BIGINT_MAX]
    if not items:
        return items
    return items + [items[-1]] * ((1 << (len(items) - 1).bit_length()) - len(items))
