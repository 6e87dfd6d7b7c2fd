"""A GraphQL executor that reads plain columns, loaded relations and simple
resolvers without graphql-core's and strawberry's per-field machinery.

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

Fields that are not leaves, and leaves computed by a resolver, still cost a
middleware call, strawberry's info, argument mapping and resolver wrappers
(strawberry-django's hop to a thread among them) before graphql-core completes
the value. For two kinds of them, with no arguments and no extensions, this
executor finds the value itself and hands it to graphql-core's own
`complete_value`, with the info graphql-core would have built, so lists,
objects, nulls and errors complete exactly as before:

- a strawberry-django relation to one object (`author`) that the query already
  loaded (select_related), read from Django's cache as strawberry-django does;
- a synchronous resolver that takes only `self`, `root` or the parent
  (`displayName`, a challenge's `tags`), called as strawberry would call it,
  when the execution itself is synchronous (in an async execution
  strawberry-django runs such a resolver in a thread, as it may query).

A resolver that raises, or returns a queryset, a manager, a callable or an
awaitable, goes down the normal path instead, which calls it again: that path
is the one that knows how to report or post-process such a value.

Even so, each object of a list page still cost graphql-core's field loop, an
info object and a completion per relation or link list: completing a page's
400 fields took longer than the REST list's whole request. So, in a
synchronous execution, a selection on an object type made only of such fields
(and `__typename`), with no arguments, directives or fragments below it, is
compiled once per query text into one function per field, kept by the parsed
nodes. An object completed by it comes out exactly as graphql-core would
complete it, or not at all: the first value that is not plainly fine (a null
for non-null, a refused value, a type that does not fit, anything left to the
normal path) drops the whole object to graphql-core's own completion, which
then reports the error where it belongs. Nothing is reported twice, but the
object's resolvers run again, as above.

Within a compiled selection, a model column's value is read and serialised
in the selection's own loop, without the calls of its step; one that already
has its scalar's exact Python type (a str for String, a bool for Boolean, an
int within 32 bits for Int) is put in the answer as it is, as the serialiser
would give it back.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from django.db.models import Model, QuerySet
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ForwardManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from django.db.models.manager import BaseManager
from django.db.models.query_utils import DeferredAttribute
from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField
from strawberry.utils.inspect import in_async_context
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension

# What a plan returns when the field must take graphql-core's own path.
_SLOW = object()
# A resolver's value of one of these exact types is final as it is: not a
# manager, queryset, awaitable or callable for strawberry to go on with.
_FINAL_TYPES = frozenset({list, tuple, str, int, float, bool, type(None)})

Plan = Callable[[Any], Any]
# A leaf read from a model column: (attname, the exact Python type its scalar
# gives back unchanged or None, the leaf type, nullable).
_ColumnLeaf = tuple[str, type | None, GraphQLScalarType | GraphQLEnumType, bool]
# A compiled completion: (value or source, info of the enclosing list) to the
# completed value, or _SLOW.
Completion = Callable[[Any, GraphQLResolveInfo[Any]], Any]

_COLUMNS = (DeferredAttribute, ForeignKeyDeferredAttribute)
_STRAWBERRY_MODULES = ("strawberry.", "strawberry_django.")


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


def _direct_leaf(
    field: GraphQLField,
) -> tuple[StrawberryField, GraphQLScalarType | GraphQLEnumType, bool] | None:
    """A leaf field (a scalar or an enum) with no arguments, resolver or field
    extensions: its definition, leaf type and whether it is nullable. Else None."""
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
    return definition, leaf, nullable


def leaf_plan(field: GraphQLField) -> Plan | None:
    """How to read `field` directly, or None when it must be resolved normally."""
    found = _direct_leaf(field)
    if found is None:
        return None
    definition, leaf, nullable = found
    read: Plan
    if type(definition) is StrawberryDjangoField:
        read = _column_reader(definition.django_name or definition.python_name)
    elif type(definition) is StrawberryField and definition.default_resolver is getattr:
        read = _attribute_reader(definition.python_name)
    else:
        return None

    serialize = _serializer(leaf, nullable)

    def plan(source: Any) -> Any:
        try:
            value = read(source)
        except Exception:  # let graphql-core raise it where it locates errors
            return _SLOW
        return serialize(value)

    return plan


def _column_leaf(field: GraphQLField | None) -> _ColumnLeaf | None:
    """For a leaf that `leaf_plan` reads as a model column: the column's attname,
    its scalar's plain type (`_plain_type`), the leaf type and whether it is
    nullable. Else None."""
    found = _direct_leaf(field) if field is not None else None
    if found is None:
        return None
    definition, leaf, nullable = found
    if type(definition) is not StrawberryDjangoField:
        return None
    return definition.django_name or definition.python_name, _plain_type(leaf), leaf, nullable


def _plain_type(leaf: GraphQLScalarType | GraphQLEnumType) -> type | None:
    """The Python type whose values graphql-core's String, Boolean and Int give
    back unchanged (an Int's only within 32 bits), or None for other leaves."""
    if leaf is GraphQLString:
        return str
    if leaf is GraphQLBoolean:
        return bool
    if leaf is GraphQLInt:
        return int
    return None


def _serializer(leaf: GraphQLScalarType | GraphQLEnumType, nullable: bool) -> Plan:
    """`_serialized` for one leaf type: a value of exactly its `_plain_type` (an
    Int within 32 bits) skips the call; anything else goes through it."""
    plain = _plain_type(leaf)
    if plain is int:

        def serialize_int(value: Any) -> Any:
            if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                return value
            return _serialized(leaf, nullable, value)

        return serialize_int
    if plain is not None:
        plain_type = plain

        def serialize_plain(value: Any) -> Any:
            if type(value) is plain_type:
                return value
            return _serialized(leaf, nullable, value)

        return serialize_plain
    return lambda value: _serialized(leaf, nullable, value)


def _serialized(leaf: GraphQLScalarType | GraphQLEnumType, nullable: bool, value: Any) -> Any:
    """A leaf's value as graphql-core serialises it, or _SLOW where graphql-core
    would raise (a null for non-null, a value the type refuses)."""
    if value is None:
        return None if nullable else _SLOW
    if value is _SLOW:
        return _SLOW
    try:
        serialized = leaf.serialize(value)
    except Exception:  # let graphql-core raise it where it locates errors
        return _SLOW
    if serialized is None or serialized is Undefined:
        return _SLOW
    return serialized


def _named_type(return_type: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(return_type, GraphQLNonNull | GraphQLList):
        return_type = return_type.of_type
    return return_type


def _relation_reader(attname: str) -> Plan:
    """A to-one relation the query loaded, from Django's cache of it (as
    strawberry-django reads it); not loaded means the normal path, which loads it."""
    cached: dict[type, Callable[[Any], Any] | None] = {}

    def read(source: Any) -> Any:
        cls = type(source)
        if cls not in cached:
            attr = getattr(cls, attname, None) if issubclass(cls, Model) else None
            if isinstance(attr, ForwardManyToOneDescriptor):
                cached[cls] = attr.field.get_cached_value
            elif isinstance(attr, ReverseOneToOneDescriptor):
                cached[cls] = attr.related.get_cached_value
            else:
                cached[cls] = None
        get_cached_value = cached[cls]
        if get_cached_value is None:
            return _SLOW
        try:
            return get_cached_value(source)
        except KeyError:
            return _SLOW

    return read


def _resolver_caller(definition: StrawberryField) -> Plan | None:
    """Call a resolver that asks for nothing but its parent, as strawberry does."""
    resolver = definition.base_resolver
    if resolver is None or resolver.is_async or resolver.info_parameter is not None:
        return None
    func = cast("Callable[..., Any]", resolver.wrapped_func)
    with_self = resolver.self_parameter is not None
    # One parameter can be both (`root: strawberry.Parent[...]`): named once.
    parent_names = list(
        dict.fromkeys(
            parameter.name
            for parameter in (resolver.root_parameter, resolver.parent_parameter)
            if parameter is not None
        )
    )

    # `self` and a parent parameter are both the source: the common shapes are
    # called without building their arguments each time.
    parent_name = parent_names[0] if len(parent_names) == 1 else None
    if with_self and not parent_names:
        resolve = func
    elif with_self and parent_name is not None:

        def resolve(source: Any) -> Any:
            return func(source, **{parent_name: source})
    else:

        def resolve(source: Any) -> Any:
            arguments = [source] if with_self else []
            return func(*arguments, **dict.fromkeys(parent_names, source))

    def call(source: Any) -> Any:
        try:
            value = resolve(source)
        except Exception:  # the normal path calls it again, and reports the error
            return _SLOW
        if type(value) in _FINAL_TYPES:
            return value
        if callable(value) or isinstance(value, BaseManager | QuerySet):
            return _SLOW  # strawberry-django fetches or optimises these itself
        if inspect.isawaitable(value):
            close = getattr(value, "close", None)
            if close is not None:
                close()
            return _SLOW
        return value

    return call


def value_plan(field: GraphQLField, *, resolvers: bool) -> Plan | None:
    """How to find `field`'s value directly for graphql-core to complete, or None.
    `resolvers`: whether resolvers may be called here (a synchronous execution)."""
    definition = field.extensions.get("strawberry-definition")
    if field.args or not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    kind = type(definition)
    if kind is not StrawberryDjangoField and kind is not StrawberryField:
        return None
    if definition.base_resolver is not None:
        return _resolver_caller(definition) if resolvers else None
    if kind is StrawberryDjangoField and isinstance(_named_type(field.type), GraphQLObjectType):
        if isinstance(field.type, GraphQLList) or (
            isinstance(field.type, GraphQLNonNull) and isinstance(field.type.of_type, GraphQLList)
        ):
            return None  # a to-many relation: a queryset, which the optimizer completes
        django_name = cast("StrawberryDjangoField", definition).django_name
        return _relation_reader(django_name or definition.python_name)
    return None


# Classes whose instances strawberry's own `is_type_of` accepted for a type, by
# (id of the type, class), the type kept alive beside them.
_fitting: dict[tuple[int, type], GraphQLObjectType] = {}


def _fits_plainly(object_type: GraphQLObjectType, value: Any, info: Any) -> bool:
    """graphql-core's `is_type_of` check, passed only by a plain True: anything
    else (False, an awaitable) is left for graphql-core to decide and report.

    Strawberry's and strawberry-django's checks decide by the value's class
    unless the value was cast to a type (`strawberry.cast`), and cost a few
    microseconds each (a page has a hundred objects): their answer for an
    uncast value's class is remembered."""
    is_type_of = object_type.is_type_of
    if is_type_of is None:
        return True
    key = (id(object_type), type(value))
    uncast = getattr(value, TYPE_CAST_ATTRIBUTE, None) is None
    if uncast and key in _fitting:
        return True
    fits = is_type_of(value, info)
    if fits is True:
        if uncast and getattr(is_type_of, "__module__", "").startswith(_STRAWBERRY_MODULES):
            _fitting[key] = object_type
        return True
    close = getattr(fits, "close", None)
    if close is not None and inspect.isawaitable(fits):
        close()
    return False


class _SelectionPlans:
    """Compiled selections by object type and the parsed field nodes that select
    on it (the schema caches parsing, so the same query text brings the same
    nodes). Bounded; an entry keeps its type and nodes alive so their ids are not
    reused while it lives. Selections that cannot be compiled are kept as None,
    so they are not tried again."""

    SIZE = 512

    def __init__(self) -> None:
        self._entries: dict[
            tuple[int, tuple[int, ...]],
            tuple[GraphQLObjectType, tuple[FieldNode, ...], Completion | None],
        ] = {}

    def get(
        self, object_type: GraphQLObjectType, nodes: tuple[FieldNode, ...]
    ) -> Completion | None:
        key = (id(object_type), tuple(map(id, nodes)))
        entry = self._entries.get(key)
        if entry is not None:  # the ids are of objects the entry keeps alive: these
            return entry[2]
        plan = _compile_selection(object_type, nodes)
        if len(self._entries) >= self.SIZE:
            # another thread may have got there first
            with contextlib.suppress(KeyError, RuntimeError, StopIteration):
                del self._entries[next(iter(self._entries))]
        self._entries[key] = (object_type, nodes, plan)
        return plan


def _compile_selection(
    object_type: GraphQLObjectType, nodes: Sequence[FieldNode]
) -> Completion | None:
    """One function completing `nodes`' selection on an object of `object_type`
    (already checked to be one), or None when a field of it needs graphql-core."""
    grouped: dict[str, list[FieldNode]] = {}
    for node in nodes:
        if node.selection_set is None:
            return None
        for selection in node.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.directives:
                return None  # fragments and @include/@skip/@defer: graphql-core's
            grouped.setdefault((selection.alias or selection.name).value, []).append(selection)
    # Per field: its response name, its column (`_column_leaf`) or None, its step.
    entries: list[tuple[str, _ColumnLeaf | None, Completion]] = []
    for response_name, field_nodes in grouped.items():
        step = _compile_field(object_type, field_nodes)
        if step is None:
            return None
        column = _column_leaf(object_type.fields.get(field_nodes[0].name.value))
        entries.append((response_name, column, step))
    attnames = [column[0] for _, column, _ in entries if column is not None]
    # By class: whether every selected column is read from `__dict__`, as each
    # step's `_column_reader` decides it.
    plain_classes: dict[type, bool] = {}

    def columns_of(cls: type) -> bool:
        plain_classes[cls] = found = issubclass(cls, Model) and all(
            type(getattr(cls, attname, None)) in _COLUMNS for attname in attnames
        )
        return found

    def complete(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        # A column's step reads the value from `__dict__` and serialises it: done
        # here without the calls between. A value of exactly its scalar's own
        # type is what the serialiser gives back, so it is taken as it is.
        cls = type(source)
        columns_read = plain_classes.get(cls)
        if columns_read is None:
            columns_read = columns_of(cls)
        values = source.__dict__ if columns_read else _NO_VALUES
        result: dict[str, Any] = {}
        for response_name, column, step in entries:
            if column is None:
                value = step(source, info)
            else:
                attname, plain, leaf, nullable = column
                value = values.get(attname, _SLOW)
                if type(value) is not plain or (
                    plain is int and not GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
                ):
                    value = _serialized(leaf, nullable, value)
            if value is _SLOW:
                return _SLOW
            result[response_name] = value
        return result

    return complete


_NO_VALUES: dict[str | None, Any] = {}


def _compile_field(
    object_type: GraphQLObjectType, field_nodes: list[FieldNode]
) -> Completion | None:
    name = field_nodes[0].name.value
    if any(node.arguments for node in field_nodes):
        return None
    if name == "__typename":
        type_name = object_type.name
        return lambda source, info: type_name
    field = object_type.fields.get(name)
    if field is None:
        return None
    read = FastLeafExecutionContext._type_plans(object_type).get(name)
    if read is not None:
        leaf_read = read
        return lambda source, info: leaf_read(source)
    find = FastLeafExecutionContext._type_value_plans_of(object_type, resolvers=True).get(name)
    complete = _compile_value(field.type, field_nodes)
    if find is None or complete is None:
        return None
    value_find, value_complete = find, complete

    def step(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        value = value_find(source)
        return _SLOW if value is _SLOW else value_complete(value, info)

    return step


def _compile_value(
    return_type: GraphQLOutputType, field_nodes: list[FieldNode]
) -> Completion | None:
    """Completing a value of `return_type` as graphql-core's complete_value would,
    or None where that takes more than a list, an object or a leaf."""
    nullable = not isinstance(return_type, GraphQLNonNull)
    inner = return_type if nullable else cast("GraphQLNonNull[Any]", return_type).of_type
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        serialize = _serializer(inner, nullable)
        return lambda value, info: serialize(value)
    if isinstance(inner, GraphQLObjectType):
        object_type = inner
        fields = _selection_plans.get(object_type, tuple(field_nodes))
        if fields is None:
            return None
        selected = fields

        def complete_object(value: Any, info: GraphQLResolveInfo[Any]) -> Any:
            if value is None:
                return None if nullable else _SLOW
            if not _fits_plainly(object_type, value, info):
                return _SLOW
            return selected(value, info)

        return complete_object
    if isinstance(inner, GraphQLList):
        item = _compile_value(inner.of_type, field_nodes)
        if item is None:
            return None
        complete_item = item

        def complete_list(value: Any, info: GraphQLResolveInfo[Any]) -> Any:
            if value is None:
                return None if nullable else _SLOW
            if type(value) is not list and type(value) is not tuple:
                return _SLOW  # other iterables: graphql-core's completion decides
            completed = []
            for element in value:
                element_value = complete_item(element, info)
                if element_value is _SLOW:
                    return _SLOW
                completed.append(element_value)
            return completed

        return complete_list
    return None  # interfaces and unions resolve their type first


_selection_plans = _SelectionPlans()


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaf fields read directly and
    loaded relations and parent-only resolvers found without its per-field wrappers."""

    # Per object type, each field's plan; keyed by id(type) with the type kept
    # alive beside its plans (graphql-core's types define __eq__ and so are not
    # hashable). Types live as long as the schema.
    _plans: dict[int, tuple[GraphQLObjectType, dict[str, Plan | None]]] = {}
    # The same for the values found directly, by whether resolvers may be called.
    _value_plans: dict[tuple[int, bool], tuple[GraphQLObjectType, dict[str, Plan | None]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._direct = manager is None or all(
            isinstance(middleware, DjangoOptimizerExtension) for middleware in manager.middlewares
        )
        self._sync = not in_async_context()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._direct and source is not None:
            node = field_details_list[0].node
            plan = (
                None if node.arguments else self._type_value_plans(parent_type).get(node.name.value)
            )
            if plan is not None:
                value = plan(source)
                if value is not _SLOW:
                    return self._complete_found(
                        parent_type, field_details_list, path, value, position_context
                    )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_found(
        self,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_field from the point where the resolver returned."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        return_type = field_def.type
        nullable = not isinstance(return_type, GraphQLNonNull)
        leaf = return_type if nullable else return_type.of_type
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            serialized = _serialized(leaf, nullable, value)
            if serialized is not _SLOW:
                return serialized
        nodes = [details.node for details in field_details_list]
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        try:
            completed = self.complete_value(
                return_type, field_details_list, info, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):

            async def await_completed() -> Any:
                try:
                    return await completed
                except Exception as raw_error:
                    self.handle_field_error(raw_error, return_type, field_details_list, path)
                    return None

            return await_completed()
        return completed

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if self._direct:
            completed = self._complete_objects(
                return_type, field_details_list, info, path, result, position_context
            )
            if completed is not _SLOW:
                return completed
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _complete_object(
        self,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        value: Any,
    ) -> Any:
        """One object (a challenge's author) completed as graphql-core's
        complete_value would: its type checked, then its fields. _SLOW for a null,
        an awaitable, a refused type or @defer, which graphql-core completes."""
        if value is None or self.is_awaitable(value):
            return _SLOW
        if any(details.node.directives for details in field_details_list):
            return _SLOW
        if not self._fits(object_type, value, info):
            return _SLOW
        compiled = self._compiled(object_type, field_details_list)
        if compiled is not None:
            fields = compiled(value, info)
            if fields is not _SLOW:
                return fields
        grouped_field_set = self._subfields(object_type, field_details_list)
        if grouped_field_set is None:
            return _SLOW
        return self.execute_fields(object_type, value, path, grouped_field_set, None)

    def _fits(
        self, object_type: GraphQLObjectType, value: Any, info: GraphQLResolveInfo[Any]
    ) -> bool:
        return _fits_plainly(object_type, value, info)

    def _compiled(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Completion | None:
        """The compiled selection for these fields' objects, in a synchronous
        execution (compiled selections call resolvers in place)."""
        if not self._sync:
            return None
        return _selection_plans.get(
            object_type, tuple(details.node for details in field_details_list)
        )

    def _subfields(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> GroupedFieldSet | None:
        """The object's sub-fields, as graphql-core collects them (memoised per
        list); None when a fragment is deferred, which graphql-core handles."""
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        return None if new_defer_usages else grouped_field_set

    def _complete_objects(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """An object (by `_complete_object`) or a list of objects (a challenge's
        tags) completed as graphql-core's complete_value would, without its
        per-item dispatch: one collection of the sub-fields for the whole list,
        then each item's fields. _SLOW for anything else (nulls, awaitables,
        @defer or @stream, a refused type), which graphql-core completes itself,
        reporting the error where it belongs."""
        if position_context is not None:  # inside a deferred fragment
            return _SLOW
        list_type = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if isinstance(list_type, GraphQLObjectType):
            return self._complete_object(list_type, field_details_list, info, path, value)
        if (
            not isinstance(list_type, GraphQLList)
            or not isinstance(list_type.of_type, GraphQLNonNull)
            or not isinstance(value, list)
            or any(details.node.directives for details in field_details_list)
        ):
            return _SLOW
        item_type = list_type.of_type
        object_type = item_type.of_type
        if not isinstance(object_type, GraphQLObjectType):
            return _SLOW
        for item in value:
            if item is None or self.is_awaitable(item) or not self._fits(object_type, item, info):
                return _SLOW
        compiled = self._compiled(object_type, field_details_list)
        grouped_field_set = self._subfields(object_type, field_details_list)
        if grouped_field_set is None:
            return _SLOW
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(value):
            if compiled is not None:
                fields = compiled(item, info)
                if fields is not _SLOW:
                    completed.append(fields)
                    continue
            item_path = path.add_key(index, None)
            try:
                fields = self.execute_fields(object_type, item, item_path, grouped_field_set, None)
            except Exception as raw_error:
                # Items are non-null: this raises and nulls the list, unless the
                # query turned error propagation off.
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                fields = None
            if self.is_awaitable(fields):
                awaitable_indices.append(index)
            completed.append(fields)
        if not awaitable_indices:
            return completed

        async def item_fields(index: int) -> Any:
            try:
                return await completed[index]
            except Exception as raw_error:
                item_path = path.add_key(index, None)
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                return None

        async def gathered() -> list[Any]:
            results = await gather_with_cancel(*(item_fields(index) for index in awaitable_indices))
            for index, fields in zip(awaitable_indices, results, strict=True):
                completed[index] = fields
            return completed

        return gathered()

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

    def _type_value_plans(self, object_type: GraphQLObjectType) -> dict[str, Plan | None]:
        return self._type_value_plans_of(object_type, resolvers=self._sync)

    @classmethod
    def _type_value_plans_of(
        cls, object_type: GraphQLObjectType, *, resolvers: bool
    ) -> dict[str, Plan | None]:
        key = (id(object_type), resolvers)
        entry = cls._value_plans.get(key)
        if entry is None or entry[0] is not object_type:
            plans = {
                name: value_plan(field, resolvers=resolvers)
                for name, field in object_type.fields.items()
            }
            entry = cls._value_plans[key] = (object_type, plans)
        return entry[1]
