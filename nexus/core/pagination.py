"""Cursor pagination for every list: no COUNT(*), no OFFSET scans."""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from nexus.core.errors import ValidationError


class CursorPagination(pagination.CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:  # a malformed cursor is bad input, not a missing page
            raise ValidationError(
                "The cursor is not valid; start again from the first page.",
                errors={self.cursor_query_param: ["Invalid cursor."]},
            ) from exc
