"""Email for notifications: one message now, or a digest later; both from templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string

from nexus.accounts.models import User
from nexus.notifications.models import Delivery, Notification

UNSUBSCRIBE_SALT = "nexus.notifications.unsubscribe"
# How long an unsubscribe link keeps working.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed token that stops one kind of email (or `all`) for one user."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Returns (user id, kind). Raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or "k" not in data:
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], str(data["k"])


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _unsubscribe_url(user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return _absolute(f"/api/v1/notifications/unsubscribe/?token={token}")


def _headers(unsubscribe_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def notification_delivery(notification: Notification) -> Delivery:
    """An unsaved email delivery for one notification, keyed by the notification."""
    recipient = notification.recipient
    unsubscribe = _unsubscribe_url(recipient.pk, notification.kind)
    context: dict[str, Any] = {
        "user": recipient,
        "notification": notification,
        "link": _absolute(notification.url),
        "unsubscribe_url": unsubscribe,
        "preferences_url": _absolute("/api/v1/me/notification-preferences/"),
    }
    return Delivery(
        key=f"email:notification:{notification.pk}",
        channel=Delivery.Channel.EMAIL,
        recipient=recipient,
        payload={
            "to": recipient.email,
            "subject": f"[Nexus] {notification.title}"[:200],
            "text": render_to_string("notifications/email/notification.txt", context),
            "html": render_to_string("notifications/email/notification.html", context),
            "headers": _headers(unsubscribe),
        },
    )


def digest_delivery(
    *, user: User, period: str, notifications: Sequence[Notification], period_key: str
) -> Delivery:
    """An unsaved digest email of `notifications`, keyed by user, period and date."""
    unsubscribe = _unsubscribe_url(user.pk, "all")
    context: dict[str, Any] = {
        "user": user,
        "period": period,
        "items": [(n, _absolute(n.url)) for n in notifications],
        "unsubscribe_url": unsubscribe,
        "preferences_url": _absolute("/api/v1/me/notification-preferences/"),
    }
    label = "Your daily Nexus digest" if period == "daily" else "Your weekly Nexus digest"
    return Delivery(
        key=f"email:digest:{period}:{user.pk}:{period_key}",
        channel=Delivery.Channel.EMAIL,
        recipient=user,
        payload={
            "to": user.email,
            "subject": f"{label}: {len(notifications)} update(s)",
            "text": render_to_string("notifications/email/digest.txt", context),
            "html": render_to_string("notifications/email/digest.html", context),
            "headers": _headers(unsubscribe),
        },
    )
