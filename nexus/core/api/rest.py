"""Helpers every app's REST door uses to stay thin."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request

from nexus.core.errors import NotAuthenticated, ValidationError

if TYPE_CHECKING:
    from nexus.accounts.models import User


def parse_input(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    """Validate the request body's shape and types; returns validated data.

    Business rules stay in services; this only refuses what is not even the
    right shape (missing fields, wrong types), in the one error shape.
    """
    serializer = serializer_class(data=body_object(request))
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body_object(request: Request) -> Mapping[str, Any]:
    """The request body as a mapping, or a 400 if it is a list or scalar."""
    if not isinstance(request.data, Mapping):
        raise ValidationError(
            "The body must be a JSON object.",
            errors={"non_field_errors": ["Expected a JSON object."]},
        )
    return request.data


def actor(request: Request) -> User:
    """The signed-in user making a write; 401 for anonymous callers."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sign in first: send `Authorization: Bearer <access token>`.")
    return request.user


def iso_datetime(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """A datetime as DRF's DateTimeField writes it (ISO 8601, in the current time
    zone, `Z` for UTC), for the lean paths that build their JSON from rows rather
    than serializers. Pass `zone` (`timezone.get_current_timezone()`, read once per
    response) when writing many: looking it up took half of each call."""
    if value is None:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
