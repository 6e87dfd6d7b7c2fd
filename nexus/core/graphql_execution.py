"""A GraphQL executor that reads plain columns without graphql-core's per-field
machinery.

graphql-core resolves every field the same way: a path, an info object, the
middleware chain, the resolver, then value completion. A list page of 20
challenges asks for about 570 fields, nearly all of them plain attributes
(`id`, `title`, `score`, a tag's `slug`), and that machinery cost most of the
request: several times what the REST list spends in all.

For a leaf field (a scalar or an enum) whose value is a plain attribute read,
this executor reads and serialises the value directly. Everything else, and
any doubt (a missing value, a null where the schema says non-null, a value
the scalar refuses), goes through graphql-core's own `execute_field`, so the
answer and its errors are the same either way.

A field is a plain read when it has no arguments, no resolver and no field
extensions (permissions are extensions), and it is either a basic strawberry
field read with `getattr`, or a strawberry-django field over a concrete model
column that the query has already loaded (a value in the instance's
`__dict__`, exactly what strawberry-django itself returns for it). The only
middleware it skips is the Django optimizer's, which changes nothing but
querysets and managers, never a leaf.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from django.db.models import Model
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension

# What a plan returns when the field must take graphql-core's own path.
_SLOW = object()

Plan = Callable[[Any], Any]

_COLUMNS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _column_reader(attname: str) -> Plan:
    """Read a model column as strawberry-django does for a loaded value: from the
    instance's `__dict__`, only where the model's attribute is a plain column
    descriptor (not a file, a property or a relation)."""
    plain: dict[type, bool] = {}

    def read(source: Any) -> Any:
        cls = type(source)
        is_plain = plain.get(cls)
        if is_plain is None:
            # Exactly the column descriptors: a FileDescriptor, also a
            # DeferredAttribute, wraps its value when read.
            attr = getattr(cls, attname, None)
            is_plain = plain[cls] = issubclass(cls, Model) and type(attr) in _COLUMNS
        if not is_plain:
            return _SLOW
        # A deferred column is not in __dict__: graphql-core's path loads it.
        return source.__dict__.get(attname, _SLOW)

    return read


def _attribute_reader(name: str) -> Plan:
    def read(source: Any) -> Any:
        return getattr(source, name, _SLOW)

    return read


def leaf_plan(field: GraphQLField) -> Plan | None:
    """How to read `field` directly, or None when it must be resolved normally."""
    definition = field.extensions.get("strawberry-definition")
    if field.args or not isinstance(definition, StrawberryField):
        return None
    if definition.base_resolver is not None or definition.extensions:
        return None
    return_type = field.type
    nullable = not isinstance(return_type, GraphQLNonNull)
    leaf = return_type if nullable else return_type.of_type  # type: ignore[union-attr]
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    read: Plan
    if type(definition) is StrawberryDjangoField:
        read = _column_reader(definition.django_name or definition.python_name)
    elif type(definition) is StrawberryField and definition.default_resolver is getattr:
        read = _attribute_reader(definition.python_name)
    else:
        return None
    serialize = leaf.serialize

    def plan(source: Any) -> Any:
        try:
            value = read(source)
            if value is None:
                return None if nullable else _SLOW
            if value is _SLOW:
                return _SLOW
            serialized = serialize(value)
        except Exception:  # let graphql-core raise it where it locates errors
            return _SLOW
        if serialized is None or serialized is Undefined:
            return _SLOW
        return serialized

    return plan


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaf fields read directly."""

    # Per object type, each field's plan; keyed by id(type) with the type kept
    # alive beside its plans (graphql-core's types define __eq__ and so are not
    # hashable). Types live as long as the schema.
    _plans: dict[int, tuple[GraphQLObjectType, dict[str, Plan | None]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._direct = manager is None or all(
            isinstance(middleware, DjangoOptimizerExtension) for middleware in manager.middlewares
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if not self._direct or source_value is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plans = self._type_plans(parent_type)
        results: dict[str, Any] = {}
        others: GroupedFieldSet = {}
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            plan = None if node.arguments else plans.get(node.name.value)
            if plan is not None:
                value = plan(source_value)
                if value is not _SLOW:
                    results[response_name] = value
                    continue
            others[response_name] = field_details_list
        if not others:
            return results
        resolved = super().execute_fields(parent_type, source_value, path, others, position_context)

        def in_order(resolved: dict[str, Any]) -> dict[str, Any]:
            # Keys in the order the query asked for them, as graphql-core gives them.
            results.update(resolved)
            return {name: results[name] for name in grouped_field_set if name in results}

        if self.is_awaitable(resolved):

            async def awaited() -> dict[str, Any]:
                return in_order(await cast("Awaitable[dict[str, Any]]", resolved))

            return awaited()
        return in_order(cast("dict[str, Any]", resolved))

    @classmethod
    def _type_plans(cls, object_type: GraphQLObjectType) -> dict[str, Plan | None]:
        entry = cls._plans.get(id(object_type))
        if entry is None or entry[0] is not object_type:
            plans = {name: leaf_plan(field) for name, field in object_type.fields.items()}
            entry = cls._plans[id(object_type)] = (object_type, plans)
        return entry[1]
