"""ORM querysets composed into SQL once and run many times with new arguments.

For the hot reads whose shape never changes (one challenge's thread, say),
composing the SQL took longer than the database took to answer it. A
`CompiledQuery` (or, for a `values()` queryset, `CompiledRows`) calls its
builder once per database connection and shape with placeholder arguments,
keeps the SQL and where each placeholder landed among its parameters, and from
then on swaps the arguments in and builds the objects (or dicts) as the ORM's
own iteration does (`select_related` included).

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
    ValuesIterable,
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
    reader: _Objects | _Rows


@dataclass(frozen=True)
class _Objects:
    """How a row becomes an instance, as ModelIterable builds it."""

    model: type[Model]
    fields: slice
    attnames: list[str]
    populators: list[RelatedPopulator]
    annotations: dict[str, int]


@dataclass(frozen=True)
class _Rows:
    """How a row becomes a dict, as ValuesIterable builds it."""

    names: list[str]


class _Compiled(Generic[M]):
    """`build(shape, **arguments)` composed once per connection, shape and length
    of each list argument. A shape can come from a request (a page size, say), so
    each connection keeps the `max_plans` most recently used plans, not all."""

    iterable_class: type = ModelIterable

    def __init__(
        self,
        model: type[M],
        build: Callable[..., QuerySet[Any]],
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

    def _run(
        self, shape: Hashable, arguments: dict[str, Argument]
    ) -> tuple[_Plan, Iterable[Any], str] | None:
        """The plan, its converted rows and the connection's alias; None when the
        builder's queryset gives nothing for these arguments."""
        if arguments.keys() != set(self._arguments):
            raise TypeError(f"Expected the arguments {self._arguments}, got {tuple(arguments)}.")
        values = {name: _padded(arguments[name]) for name in self._arguments}
        if any(
            isinstance(value, int) and not _BIGINT_MIN <= value <= _BIGINT_MAX
            for value in values.values()
        ):
            return None  # as Django finds nothing for an id no column can hold
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
            return None
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows: Iterable[Any] = cursor.fetchall()
        if plan.width is not None:
            rows = [row[: plan.width] for row in rows]
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        return plan, rows, connection.alias

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
            or queryset._iterable_class is not self.iterable_class
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        ):
            raise ValueError(
                f"This compiled query reads {self._model.__name__} "
                f"through {self.iterable_class.__name__} only."
            )
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
        fields = [column for column, *_ in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("A compiled query does not read composite keys.")
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            compiler=compiler,
            converters=compiler.get_converters(fields),
            width=compiler.col_count if compiler.has_extra_select else None,
            reader=self._reader(queryset, compiler, connection),
        )

    def _reader(
        self, queryset: QuerySet[Any], compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> _Objects | _Rows:
        raise NotImplementedError


class CompiledQuery(_Compiled[M]):
    """Model instances, as the builder's queryset would give them."""

    def fetch(self, shape: Hashable, **arguments: Argument) -> list[M]:
        """The objects the builder's queryset gives for `shape` and `arguments`."""
        found = self._run(shape, arguments)
        if found is None:
            return []
        plan, rows, alias = found
        reader = plan.reader
        assert isinstance(reader, _Objects)
        objects: list[M] = []
        for row in rows:
            obj = reader.model.from_db(alias, reader.attnames, row[reader.fields])
            for populator in reader.populators:
                populator.populate(row, obj)
            for name, position in reader.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)  # type: ignore[arg-type]
        return objects

    def _reader(
        self, queryset: QuerySet[Any], compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> _Objects:
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None  # a model query always has one
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Objects(
            model=klass_info["model"],
            fields=slice(start, end),
            attnames=[column.target.attname for column, *_ in select[start:end]],
            populators=get_related_populators(klass_info, select, connection.alias),
            annotations=dict(compiler.annotation_col_map or {}),
        )


class CompiledRows(_Compiled[Any]):
    """Dicts, as the builder's `values()` queryset would give them."""

    iterable_class = ValuesIterable

    def fetch(self, shape: Hashable, **arguments: Argument) -> list[dict[str, Any]]:
        """The rows the builder's queryset gives for `shape` and `arguments`."""
        found = self._run(shape, arguments)
        if found is None:
            return []
        plan, rows, _ = found
        reader = plan.reader
        assert isinstance(reader, _Rows)
        names = reader.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _reader(
        self, queryset: QuerySet[Any], compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> _Rows:
        query = queryset.query
        if query.selected:
            return _Rows(names=list(query.selected))
        return _Rows(names=[*query.extra_select, *query.values_select, *query.annotation_select])


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
