"""Cursor pagination for every list: no COUNT(*), no OFFSET scans."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from nexus.core.errors import ValidationError


class CursorPagination(pagination.CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering: tuple[str, ...] = ("-created_at", "-id")

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:  # a malformed cursor is bad input, not a missing page
            raise ValidationError(
                "The cursor is not valid; start again from the first page.",
                errors={self.cursor_query_param: ["Invalid cursor."]},
            ) from exc

    def first_page(
        self,
        request: Request,
        view: Any,
        fetch: Callable[[Sequence[str], int], list[Any]],
    ) -> list[Any] | None:
        """The first page of a list (no cursor) from `fetch(ordering, count)`
        instead of a queryset, for views that keep its SQL; the positions for the
        links are kept as `paginate_queryset` keeps them. None when the request
        has a cursor: take `paginate_queryset` then."""
        if self.decode_cursor(request) is not None:
            return None
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.request = request
        self.page_size = page_size
        self.base_url = request.build_absolute_uri()
        # The view's ordering filter decides it from the request and the view
        # alone: there is no queryset to give it.
        self.ordering = self.get_ordering(request, None, view)  # type: ignore[arg-type]
        self.cursor = None
        results = fetch(self.ordering, self.page_size + 1)
        self.page = results[: self.page_size]
        self.has_next = len(results) > len(self.page)
        self.has_previous = False
        self.next_position = (
            self._get_position_from_instance(results[-1], self.ordering) if self.has_next else None
        )
        self.previous_position = None
        if self.has_next and self.template is not None:
            self.display_page_controls = True
        return self.page
