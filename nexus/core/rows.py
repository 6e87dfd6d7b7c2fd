"""Model instances from hand-written SQL, for the few hot statements where the
ORM takes longer to compose a query than the database takes to answer it.

`columns` selects a model's fields in the order `instance` reads them back;
`instance` converts the values as the ORM would (booleans and dates on SQLite,
JSON everywhere) and builds the object with `Model.from_db`, so it is saved,
refreshed and compared like any other.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]

# Per connection (their operations differ by backend), per model and field names:
# the attribute names read, and the converters of each value that has any.
_Plan = tuple[list[str], list[tuple[int, Any, list[Converter]]]]
_PLANS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[Any, _Plan]] = (
    weakref.WeakKeyDictionary()
)


def fields_of(model: type[Model], names: Sequence[str] | None = None) -> list[Field[Any, Any]]:
    """The concrete fields of `model` named `names` (attribute names; in the
    model's order whatever the order of `names`), or all of them."""
    wanted = None if names is None else set(names)
    return [
        field for field in model._meta.concrete_fields if wanted is None or field.attname in wanted
    ]


def columns(
    model: type[Model],
    alias: str | None,
    connection: BaseDatabaseWrapper,
    names: Sequence[str] | None = None,
) -> str:
    """`alias.column, ...` for the fields `fields_of(model, names)`, quoted; the
    bare columns without an `alias` (as SQLite's RETURNING wants them)."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{quote(field.column)}" for field in fields_of(model, names))


def _plan(
    connection: BaseDatabaseWrapper, model: type[Model], names: Sequence[str] | None
) -> _Plan:
    plans = _PLANS.setdefault(connection, {})
    key = (model, None if names is None else tuple(names))
    if key not in plans:
        fields = fields_of(model, names)
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, column, found))
        plans[key] = ([field.attname for field in fields], converters)
    return plans[key]


def instance(
    model: type[M],
    connection: BaseDatabaseWrapper,
    values: Sequence[Any],
    names: Sequence[str] | None = None,
) -> M:
    """The `model` object of `values`, as `columns(model, ..., names)` selected
    them; the fields not in `names` are deferred."""
    attnames, converters = _plan(connection, model, names)
    converted = list(values)
    for index, column, functions in converters:
        for convert in functions:
            converted[index] = convert(converted[index], column, connection)
    return model.from_db(connection.alias, attnames, converted)


# Per connection, per model and conflict handling: the INSERT's text and its fields.
_Insert = tuple[str, list[Field[Any, Any]]]
_INSERTS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[Any, _Insert]] = (
    weakref.WeakKeyDictionary()
)


def _insert_plan(
    connection: BaseDatabaseWrapper, model: type[Model], skip_conflicts: bool
) -> _Insert:
    plans = _INSERTS.setdefault(connection, {})
    key = (model, skip_conflicts)
    if key not in plans:
        quote = connection.ops.quote_name
        pk = model._meta.pk
        assert pk is not None  # every concrete model has one
        fields = [field for field in model._meta.concrete_fields if field is not pk]
        plans[key] = (
            # Names from the model; values are parameters.
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
            f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} "
            f"RETURNING {quote(pk.column)}",
            fields,
        )
    return plans[key]


def insert(obj: M, connection: BaseDatabaseWrapper, *, skip_conflicts: bool = False) -> bool:
    """Write the new `obj` as `obj.save()` would (its defaults, its auto_now dates;
    no signals, which the project does not use) in one INSERT composed once per
    model, and give it its primary key. With `skip_conflicts`, a row that breaks
    a unique constraint is not written, and False says so.

    For the hot writes, where composing the INSERT took longer than running it.
    Without INSERT ... RETURNING (SQLite before 3.35) the ORM writes it, and a
    skipped row cannot be told from a written one (True, no primary key).
    """
    if not connection.features.can_return_columns_from_insert:
        if skip_conflicts:
            type(obj)._default_manager.bulk_create([obj], ignore_conflicts=True)
        else:
            obj.save(force_insert=True)
        return True
    sql, fields = _insert_plan(connection, type(obj), skip_conflicts)
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True
