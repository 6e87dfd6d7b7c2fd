"""Cursor pagination for every list, REST and GraphQL alike: no COUNT(*), no OFFSET.

A page is read by keyset: rows are ordered by the list's ordering with the id
last to break ties, and a cursor holds the position (those values) of the row
a page ends on, so the next page starts strictly after it however deep it is.
REST's `?cursor=` and GraphQL's `after` take the same cursors: a `next` link's
cursor and a page's `endCursor` are interchangeable for the same list and ordering.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from nexus.core.errors import ValidationError

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CURSOR_MAX_LENGTH = 1000  # a cursor we gave is far shorter; longer ones are not decoded

Row = TypeVar("Row")


def invalid_cursor(field: str) -> ValidationError:
    return ValidationError(
        "The cursor is not valid; start again from the first page.",
        errors={field: ["Invalid cursor."]},
    )


@dataclass(frozen=True)
class Cursor:
    """A position in a list: the ordering values and id of a row. A reverse
    cursor reads the rows before it (a `previous` link), else those after."""

    position: tuple[Any, ...]
    reverse: bool = False

    def encode(self) -> str:
        values = [_plain(value) for value in self.position]
        text = json.dumps([int(self.reverse), *values], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, *, field: str) -> Cursor:
        """The cursor `token` encodes; a `validation_error` on `field` if it is not one we gave."""
        if len(token) > CURSOR_MAX_LENGTH:
            raise invalid_cursor(field)
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise invalid_cursor(field) from exc
        scalars = (str, int, float, type(None))
        if (
            not isinstance(decoded, list)
            or len(decoded) < 2
            or decoded[0] not in (0, 1)
            or not all(isinstance(value, scalars) for value in decoded[1:])
        ):
            raise invalid_cursor(field)
        return cls(position=tuple(decoded[1:]), reverse=bool(decoded[0]))


def _plain(value: Any) -> Any:
    """A position value as JSON holds it; the database reads dates and decimals
    back from their text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    has_next: bool
    has_previous: bool
    end_cursor: str | None  # after the last row: the next page, when there is one
    start_cursor: str | None  # before the first row: the previous page, when there is one


@dataclass(frozen=True)
class _Key:
    name: str
    descending: bool
    nullable: bool

    def order(self, reverse: bool) -> OrderBy:
        # Nulls come last in reading order on every database; only nullable keys
        # say so, as an index serves a plain ORDER BY on a NOT NULL column.
        nulls = {("nulls_first" if reverse else "nulls_last"): True} if self.nullable else {}
        column = F(self.name)
        return column.desc(**nulls) if self.descending != reverse else column.asc(**nulls)

    def past(self, value: Any, reverse: bool, *, inclusive: bool = False) -> Q:
        """The rows past `value` in reading order (or at it, when `inclusive`)."""
        if value is None:  # nulls come last: nothing is past them, everything before
            return Q(**{f"{self.name}__isnull": False}) if reverse else Q(pk__in=[])
        lookup = ("lt" if self.descending != reverse else "gt") + ("e" if inclusive else "")
        past = Q(**{f"{self.name}__{lookup}": value})
        if self.nullable and not reverse:
            past |= Q(**{f"{self.name}__isnull": True})
        return past

    def at(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True} if value is None else {self.name: value})


class Keyset:
    """How a list is ordered and where its pages start: its ordering's fields
    (`"-created_at"`), then `id` when the ordering does not end on it."""

    def __init__(self, model: type[Model], ordering: Sequence[str]) -> None:
        names = ["id" if name.lstrip("-") == "pk" else name.lstrip("-") for name in ordering]
        descending = [name.startswith("-") for name in ordering]
        if "id" not in names:
            names.append("id")
            descending.append(bool(descending) and descending[-1])
        self.keys = tuple(
            _Key(name=name, descending=down, nullable=_nullable(model, name))
            for name, down in zip(names, descending, strict=True)
        )

    @property
    def fields(self) -> list[str]:
        return [key.name for key in self.keys]

    def bounded(
        self, queryset: QuerySet[Any], cursor: Cursor | None, *, field: str
    ) -> QuerySet[Any]:
        """`queryset` in this order, from `cursor` on; a `validation_error` on
        `field` if the cursor is not a position in this ordering."""
        reverse = cursor is not None and cursor.reverse
        ordered = queryset.order_by(*(key.order(reverse) for key in self.keys))
        if cursor is None:
            return ordered
        position = cursor.position
        if len(position) != len(self.keys):
            raise invalid_cursor(field)
        # (a, b) past (x, y): a past x, or a at x and b past y.
        alternatives, at_before = [], Q()
        for key, value in zip(self.keys, position, strict=True):
            alternatives.append(at_before & key.past(value, reverse))
            at_before &= key.at(value)
        condition = reduce(or_, alternatives)
        first = self.keys[0]
        if position[0] is not None and not first.nullable:
            # The first key's bound on its own too, so an index on it starts at the cursor.
            condition &= first.past(position[0], reverse, inclusive=True)
        try:
            return ordered.filter(condition)
        except (DjangoValidationError, TypeError, ValueError) as exc:  # a value of another type
            raise invalid_cursor(field) from exc

    def position(self, row: Any) -> tuple[Any, ...]:
        if isinstance(row, dict):
            return tuple(row[name] for name in self.fields)
        return tuple(getattr(row, name) for name in self.fields)

    def page(self, bounded: QuerySet[Any], cursor: Cursor | None, size: int) -> Page[Any]:
        """Up to `size` rows of `bounded` (what `bounded()` gave for `cursor`), in one query."""
        rows = list(bounded[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if cursor is not None and cursor.reverse:
            rows.reverse()
            has_next, has_previous = True, more
        else:
            has_next, has_previous = more, cursor is not None
        return Page(
            rows=rows,
            has_next=has_next,
            has_previous=has_previous,
            end_cursor=Cursor(self.position(rows[-1])).encode() if rows else None,
            start_cursor=(
                Cursor(self.position(rows[0]), reverse=True).encode()
                if rows and has_previous
                else None
            ),
        )


def _nullable(model: type[Model], name: str) -> bool:
    try:
        return bool(getattr(model._meta.get_field(name), "null", True))
    except FieldDoesNotExist:  # an annotation: it may be null
        return True


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor pagination (`?cursor=`, `?page_size=` up to 100, `next` and
    `previous` links, the ordering from the view's OrderingFilter) on `Keyset`.
    A cursor that is not one we gave is a 400 `validation_error` on `cursor`."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering: tuple[str, ...] = ("-created_at", "-id")

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        self.page_size, self.page_url = size, request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        token = request.query_params.get(self.cursor_query_param)
        cursor = Cursor.decode(token, field=self.cursor_query_param) if token else None
        keyset = Keyset(queryset.model, self.ordering)
        bounded = keyset.bounded(queryset, cursor, field=self.cursor_query_param)
        self.keyset_page = keyset.page(bounded, cursor, self.page_size)
        self.has_next, self.has_previous = self.keyset_page.has_next, self.keyset_page.has_previous
        if (self.has_next or self.has_previous) and self.template is not None:
            self.display_page_controls = True
        return self.keyset_page.rows

    def get_next_link(self) -> str | None:
        cursor = self.keyset_page.end_cursor if self.keyset_page.has_next else None
        return (
            replace_query_param(self.page_url, self.cursor_query_param, cursor) if cursor else None
        )

    def get_previous_link(self) -> str | None:
        cursor = self.keyset_page.start_cursor
        return (
            replace_query_param(self.page_url, self.cursor_query_param, cursor) if cursor else None
        )
