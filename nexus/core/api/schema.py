"""OpenAPI helpers for the doors: filters documented from their FilterSets."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


def filter_parameters(
    filterset_class: type[django_filters.FilterSet],
) -> list[OpenApiParameter]:
    """Query parameters for a list whose selector applies `filterset_class`."""
    parameters = []
    for name, declared in filterset_class.base_filters.items():
        choices = declared.extra.get("choices")
        parameters.append(
            OpenApiParameter(
                name=name,
                type=OpenApiTypes.STR,
                location=OpenApiParameter.QUERY,
                required=False,
                description=str(declared.extra.get("help_text", "")),
                enum=[value for value, _label in choices] if choices else None,
            )
        )
    return parameters
