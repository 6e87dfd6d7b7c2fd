"""Writes of the notifications app: turning events into notifications and deliveries,
reading them, preferences, and webhooks."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nexus.accounts.models import User
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.core.permissions import is_staff
from nexus.core.validation import unknown_fields
from nexus.knowledge import selectors as knowledge_selectors
from nexus.notifications import audiences as audience_rules
from nexus.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutboxEvent,
    Webhook,
)

logger = logging.getLogger(__name__)

# How many recipients one task notifies before handing the rest to the next task.
FANOUT_BATCH = 500
# How many deliveries one sending task carries.
SEND_BATCH = 50

# How each kind reaches a user by email unless they chose: each app registers its own.
DEFAULT_EMAIL_PLAN: dict[str, str] = {audience_rules.MENTIONED: Notification.EmailPlan.IMMEDIATE}


def notification_kinds() -> list[str]:
    """Every kind a preference can be set for, as the apps registered them."""
    return list(DEFAULT_EMAIL_PLAN)


def register_kind(kind: str, default_plan: str) -> None:
    DEFAULT_EMAIL_PLAN[kind] = default_plan


# --- Events to notifications -------------------------------------------------------------


@dataclass(frozen=True)
class FanoutProgress:
    """Where processing of one event stands: audience `index`, after user `after_id`."""

    index: int = 0
    after_id: int = 0


def event_process(
    *, event_id: int, progress: FanoutProgress | None = None
) -> FanoutProgress | None:
    """Notify the next batch of an event's audiences; returns where to continue, or None
    once everyone is notified.

    Idempotent: notifications are unique per recipient and cause, deliveries per key,
    so processing an event twice notifies nobody twice.
    """
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None:
        logger.warning("event gone before processing", extra={"event_id": event_id})
        return None
    progress = progress or FanoutProgress()
    if event.processed_at is not None and progress == FanoutProgress():
        return None
    try:
        plan = audience_rules.audiences_for(event)
    except Exception as exc:
        if type(exc).__name__ == "DoesNotExist":  # its subject was deleted since
            OutboxEvent.objects.filter(pk=event_id).update(processed_at=timezone.now())
            return None
        raise
    if plan is None:
        OutboxEvent.objects.filter(pk=event_id).update(processed_at=timezone.now())
        return None
    if progress == FanoutProgress():
        _queue_webhooks(event, plan)
    budget = FANOUT_BATCH
    index, after_id = progress.index, progress.after_id
    while index < len(plan.audiences):
        audience = plan.audiences[index]
        earlier = plan.audiences[:index]
        users = audience_rules.exclude_actor(audience.users, plan.actor_id).filter(pk__gt=after_id)
        for previous in earlier:
            users = users.exclude(pk__in=previous.users.values("pk"))
        batch = list(users.order_by("pk").values_list("pk", flat=True)[:budget])
        if batch:
            _notify(event, audience, batch)
            budget -= len(batch)
            after_id = batch[-1]
        if budget == 0:
            return FanoutProgress(index=index, after_id=after_id)
        index, after_id = index + 1, 0
    OutboxEvent.objects.filter(pk=event_id).update(processed_at=timezone.now())
    return None


def _email_plans(user_ids: Sequence[int], kind: str) -> dict[int, str]:
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "email"
        )
    )
    default = DEFAULT_EMAIL_PLAN.get(kind, Notification.EmailPlan.DAILY)
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


@transaction.atomic
def _notify(event: OutboxEvent, audience: audience_rules.Audience, user_ids: list[int]) -> None:
    cause = audience.cause or f"event:{event.pk}:{audience.kind}"
    plans = _email_plans(user_ids, audience.kind)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                kind=audience.kind,
                actor_id=event.payload.get("actor_id"),
                target_type=audience.target_type,
                target_id=audience.target_id,
                title=audience.title[:300],
                excerpt=audience.excerpt[:300],
                url=audience.url,
                dedupe_key=cause[:120],
                email_plan=plans[user_id],
            )
            for user_id in user_ids
        ],
        ignore_conflicts=True,
    )
    _push_live(user_ids, cause[:120])
    immediate = Notification.objects.filter(
        recipient_id__in=user_ids,
        dedupe_key=cause[:120],
        email_plan=Notification.EmailPlan.IMMEDIATE,
        emailed_at__isnull=True,
    ).select_related("recipient")
    from nexus.notifications import emails

    deliveries = [emails.notification_delivery(notification) for notification in immediate]
    if deliveries:
        keys = [d.key for d in deliveries]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        immediate.update(emailed_at=timezone.now())
        queue_sending(Delivery.objects.filter(key__in=keys, status=Delivery.Status.PENDING))


def _push_live(user_ids: list[int], cause: str) -> None:
    """Tell each recipient's open WebSocket connections, after commit."""
    from nexus.core import live

    fresh = Notification.objects.filter(recipient_id__in=user_ids, dedupe_key=cause)
    for notification_id, recipient_id in fresh.values_list("pk", "recipient_id"):
        live.push_on_commit(
            live.user_group(recipient_id), {"type": "notification", "id": notification_id}
        )


def _queue_webhooks(event: OutboxEvent, plan: audience_rules.EventAudiences) -> None:
    if not plan.webhook_topic:
        return
    from nexus.notifications import webhooks

    deliveries = webhooks.deliveries_for(event, plan)
    if deliveries:
        keys = [d.key for d in deliveries]
        with transaction.atomic():
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            queue_sending(Delivery.objects.filter(key__in=keys, status=Delivery.Status.PENDING))


def queue_sending(deliveries: Iterable[Delivery], *, countdown: float | None = None) -> None:
    """Hand deliveries to the sending tasks after commit, SEND_BATCH per task."""
    ids = [delivery.pk for delivery in deliveries]
    if not ids:
        return
    from nexus.notifications.tasks import send_deliveries_task

    def enqueue() -> None:
        for start in range(0, len(ids), SEND_BATCH):
            try:
                send_deliveries_task.apply_async(
                    args=(ids[start : start + SEND_BATCH],),
                    countdown=countdown or 0,
                    retry=True,
                    retry_policy=settings.NEXUS_PUBLISH_RETRY_POLICY,
                )
            except Exception as exc:  # the periodic sweep picks them up
                logger.warning("deliveries not queued", extra={"error": str(exc)})
                return

    transaction.on_commit(enqueue, robust=True)


# --- Reading and preferences ---------------------------------------------------------------


def notifications_mark_read(*, user: User, data: Mapping[str, Any]) -> int:
    """Mark the user's notifications read: `{"ids": [...]}` or `{"all": true}`.

    Ids must all be the user's own; unknown or foreign ids are a 404 and
    nothing is marked. Returns how many changed from unread to read.
    """
    unknown_keys = sorted(set(data) - {"ids", "all"})
    if unknown_keys:
        raise ValidationError(errors={key: ["Unknown field."] for key in unknown_keys})
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if data.get("all") is True and "ids" not in data:
        return mine.update(read_at=timezone.now())
    ids = data.get("ids")
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > 500
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise ValidationError(
            'Send {"ids": [1, 2]} (up to 500) or {"all": true}.',
            errors={"ids": ["A list of notification ids."]},
        )
    owned = set(
        Notification.objects.filter(recipient=user, pk__in=ids).values_list("pk", flat=True)
    )
    missing = sorted(set(ids) - owned)
    if missing:
        raise NotFound(
            f"No notifications {', '.join(map(str, missing))} of yours.",
            errors={"ids": [f"Unknown: {', '.join(map(str, missing))}."]},
        )
    return mine.filter(pk__in=ids).update(read_at=timezone.now())


def preferences_get(*, user: User) -> dict[str, str]:
    """The email plan for every kind, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, default) for kind, default in DEFAULT_EMAIL_PLAN.items()}


@transaction.atomic
def preferences_update(*, user: User, data: Mapping[str, Any]) -> dict[str, str]:
    """Set how each kind reaches the user by email: immediate, daily, weekly or never.

    In-app notifications always arrive. Raises ValidationError naming each bad
    kind or value; nothing is saved then.
    """
    errors: dict[str, list[str]] = {}
    for kind, plan in data.items():
        if kind not in DEFAULT_EMAIL_PLAN:
            errors[kind] = [f"Unknown kind; one of: {', '.join(DEFAULT_EMAIL_PLAN)}."]
        elif plan not in Notification.EmailPlan.values:
            errors[kind] = [f"One of: {', '.join(Notification.EmailPlan.values)}."]
    if errors:
        raise ValidationError(errors=errors)
    for kind, plan in data.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": plan}
        )
    return preferences_get(user=user)


# --- Periodic work ----------------------------------------------------------------------------


def deliveries_requeue_due(*, limit: int = 1000) -> int:
    """Queue again the deliveries whose retry time has come, and those abandoned
    mid-send by a worker that died (their lease ran out)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NEXUS_DELIVERY_LEASE_SECONDS)
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.PENDING, created_at__lte=now - lease)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
    ).order_by("id")[:limit]
    deliveries = list(due)
    with transaction.atomic():
        queue_sending(deliveries)
    return len(deliveries)


def delivery_retry(*, actor: User, delivery_id: int) -> Delivery:
    """Staff send a dead-lettered delivery again, from a fresh count of attempts."""
    if not is_staff(actor):
        raise PermissionDenied("Only staff retry deliveries.")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(f"No delivery {delivery_id}.")
        if delivery.status != Delivery.Status.DEAD:
            raise ValidationError(errors={"status": [f"It is {delivery.status}, not dead."]})
        delivery.status = Delivery.Status.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
        queue_sending([delivery])
    return delivery


def notifications_clean_up() -> int:
    """Delete read notifications, processed events and finished deliveries past their keep."""
    now = timezone.now()
    keep = timedelta(days=settings.NEXUS_NOTIFICATION_RETENTION_DAYS)
    removed, _ = Notification.objects.filter(read_at__lt=now - keep).delete()
    OutboxEvent.objects.filter(processed_at__lt=now - timedelta(days=7)).delete()
    Delivery.objects.filter(status=Delivery.Status.SENT, sent_at__lt=now - keep).delete()
    return removed


# --- Unsubscribe and webhooks ------------------------------------------------------------------


def unsubscribe(*, token: Any) -> tuple[User, str]:
    """Stop one kind of email (or all of them) from a signed link, without logging in.

    Raises ValidationError for a missing, forged or expired token.
    """
    from django.core import signing

    from nexus.notifications.emails import read_unsubscribe_token

    if not isinstance(token, str) or not token:
        raise ValidationError(errors={"token": ["Required."]})
    try:
        user_id, kind = read_unsubscribe_token(token)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            "This unsubscribe link has expired; change your preferences when signed in.",
            errors={"token": ["Expired."]},
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(errors={"token": ["Not a valid unsubscribe token."]}) from exc
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or (kind != "all" and kind not in DEFAULT_EMAIL_PLAN):
        raise ValidationError(errors={"token": ["Not a valid unsubscribe token."]})
    kinds = list(DEFAULT_EMAIL_PLAN) if kind == "all" else [kind]
    preferences_update(user=user, data=dict.fromkeys(kinds, Notification.EmailPlan.NEVER))
    return user, kind


WEBHOOK_FIELDS = {"name", "url", "events", "technologies", "is_active"}


def _webhook_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    from nexus.notifications.webhooks import WEBHOOK_TOPICS, check_url_is_public

    errors: dict[str, list[str]] = unknown_fields(data, WEBHOOK_FIELDS)
    clean: dict[str, Any] = {}
    if "name" in data or not partial:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 80:
            errors["name"] = ["1 to 80 characters."]
        else:
            clean["name"] = name.strip()
    if "url" in data or not partial:
        url = data.get("url")
        if not isinstance(url, str) or len(url) > 500:
            errors["url"] = ["An https URL of at most 500 characters."]
        else:
            try:
                check_url_is_public(url)
                clean["url"] = url
            except ValueError as exc:
                errors["url"] = [str(exc)]
    if "events" in data or not partial:
        topics = data.get("events")
        if (
            not isinstance(topics, list)
            or not topics
            or any(topic not in WEBHOOK_TOPICS for topic in topics)
        ):
            errors["events"] = [f"A non-empty list of: {', '.join(WEBHOOK_TOPICS)}."]
        else:
            clean["events"] = sorted(set(topics))
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            errors["is_active"] = ["true or false."]
        else:
            clean["is_active"] = data["is_active"]
    if "technologies" in data:
        clean["technologies"] = knowledge_selectors.technologies_by_slug(
            errors, data["technologies"]
        )
    if errors:
        raise ValidationError(errors=errors)
    return clean


@transaction.atomic
def webhook_create(*, actor: User, data: Mapping[str, Any]) -> Webhook:
    """Staff add a Discord webhook. Only https URLs on public addresses are accepted."""
    if not is_staff(actor):
        raise PermissionDenied("Only staff manage webhooks.")
    clean = _webhook_fields(data, partial=False)
    technologies = clean.pop("technologies", [])
    webhook = Webhook.objects.create(created_by=actor, **clean)
    webhook.technologies.set(technologies)
    return webhook


@transaction.atomic
def webhook_update(*, actor: User, webhook_id: int, data: Mapping[str, Any]) -> Webhook:
    if not is_staff(actor):
        raise PermissionDenied("Only staff manage webhooks.")
    webhook = Webhook.objects.select_for_update().filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound(f"No webhook {webhook_id}.")
    clean = _webhook_fields(data, partial=True)
    technologies = clean.pop("technologies", None)
    for field, value in clean.items():
        setattr(webhook, field, value)
    webhook.save()
    if technologies is not None:
        webhook.technologies.set(technologies)
    return webhook


def webhook_delete(*, actor: User, webhook_id: int) -> None:
    if not is_staff(actor):
        raise PermissionDenied("Only staff manage webhooks.")
    deleted, _ = Webhook.objects.filter(pk=webhook_id).delete()
    if not deleted:
        raise NotFound(f"No webhook {webhook_id}.")
