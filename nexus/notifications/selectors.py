"""Reads of the notifications app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from nexus.accounts.models import User
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.core.permissions import is_staff
from nexus.notifications.models import Notification, Webhook


def notification_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[Notification]:
    """The user's notifications, newest first; `unread=true` and `kind=` narrow them."""
    filters = filters or {}
    notifications = Notification.objects.filter(recipient=user).select_related("actor__profile")
    unread = filters.get("unread")
    if unread not in (None, ""):
        if unread not in ("true", "false"):
            raise ValidationError(errors={"unread": ["true or false."]})
        notifications = notifications.filter(read_at__isnull=unread == "true")
    kind = filters.get("kind")
    if kind:
        notifications = notifications.filter(kind=kind)
    return notifications


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def webhook_list(*, viewer: User) -> QuerySet[Webhook]:
    if not is_staff(viewer):
        raise PermissionDenied("Only staff manage webhooks.")
    return Webhook.objects.prefetch_related("technologies")


def webhook_get(*, viewer: User, webhook_id: int) -> Webhook:
    webhook = webhook_list(viewer=viewer).filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound(f"No webhook {webhook_id}.")
    return webhook
