"""Running a list's FilterSet inside a selector, with errors in the domain's shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet

from nexus.core.errors import ValidationError


def apply_filters(
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet[Any],
    filters: Mapping[str, Any] | None,
) -> QuerySet[Any]:
    """Filter `queryset` by the known keys of `filters`; unknown keys are ignored.

    Raises ValidationError naming each filter whose value is not valid.
    """
    if not filters or filterset_class.base_filters.keys().isdisjoint(filters):
        return queryset  # nothing to filter by (ordering, page size, cursor only)
    filterset = filterset_class(data=filters, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(
            "Some filters are not valid.",
            errors={field: list(messages) for field, messages in filterset.errors.items()},
        )
    return filterset.qs  # type: ignore[no-any-return]
