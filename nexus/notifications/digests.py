"""Daily and weekly digests, sent in each recipient's morning by their time zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nexus.accounts.models import Profile, User
from nexus.notifications.emails import digest_delivery
from nexus.notifications.models import Delivery, Notification
from nexus.notifications.services import queue_sending

DIGEST_BATCH = 200
MAX_ITEMS = 50


def _zones_in_the_morning(now: datetime) -> list[str]:
    zones = Profile.objects.values_list("timezone", flat=True).distinct()
    morning = []
    for name in zones:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if local.hour == settings.NEXUS_DIGEST_HOUR:
            morning.append(name)
    return morning


def digests_send_due(*, now: datetime | None = None) -> int:
    """Queue the digests due this hour: daily for everyone whose local time is the
    digest hour, weekly on their Monday. Returns how many digests were queued.

    Keyed by user, period and local date, so running twice in an hour sends once.
    """
    now = now or timezone.now()
    queued = 0
    for zone in _zones_in_the_morning(now):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        periods = [Notification.EmailPlan.DAILY]
        if local.weekday() == 0:
            periods.append(Notification.EmailPlan.WEEKLY)
        for period in periods:
            queued += _send_period(zone, str(period), local.date().isoformat())
    return queued


def _send_period(zone: str, period: str, period_key: str) -> int:
    recipients = (
        Notification.objects.filter(
            email_plan=period,
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__profile__timezone=zone,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    queued, after = 0, 0
    while True:
        batch = list(recipients.filter(recipient_id__gt=after)[:DIGEST_BATCH])
        if not batch:
            return queued
        after = batch[-1]
        for user in User.objects.filter(pk__in=batch):
            queued += _send_one(user, period, period_key)


@transaction.atomic
def _send_one(user: User, period: str, period_key: str) -> int:
    pending = Notification.objects.select_for_update().filter(
        recipient=user, email_plan=period, emailed_at__isnull=True
    )
    items = list(pending.order_by("-created_at")[:MAX_ITEMS])
    if not items:
        return 0
    delivery = digest_delivery(user=user, period=period, notifications=items, period_key=period_key)
    if Delivery.objects.filter(key=delivery.key).exists():
        # This period's digest went out already: what came since waits for the next one.
        return 0
    Delivery.objects.bulk_create([delivery], ignore_conflicts=True)
    # Only what the digest lists counts as emailed; any overflow waits for the next one.
    pending.filter(pk__in=[item.pk for item in items]).update(emailed_at=timezone.now())
    saved = Delivery.objects.filter(key=delivery.key, status=Delivery.Status.PENDING)
    queue_sending(saved)
    return 1
