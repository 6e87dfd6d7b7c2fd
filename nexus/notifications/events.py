"""The transactional outbox: record an event with the write, publish it after commit.

Other apps call `record(...)` inside their service's transaction. Publishing
never blocks a request for long: the broker gets a bounded retry, and an
event it refuses stays in the outbox for the periodic relay.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from nexus.notifications.models import OutboxEvent

logger = logging.getLogger(__name__)

# Leave events this young to their own on-commit publish before the relay retries them.
RELAY_GRACE = timedelta(seconds=10)
RELAY_BATCH = 500


def record(name: str, **payload: Any) -> OutboxEvent:
    """Write an event in the caller's transaction and publish it once that commits."""
    event = OutboxEvent.objects.create(name=name, payload=payload)

    def publish_event() -> None:
        # A named function, not a partial: a robust on_commit hook that raises is
        # logged by its __qualname__, which a partial lacks (the request then failed).
        publish(event.pk)

    transaction.on_commit(publish_event, robust=True)
    return event


def publish(event_id: int) -> bool:
    """Hand one event to the broker; True if it took it.

    On failure the event stays unpublished, with the error, for the relay.
    In eager mode (no broker) the event is processed here and now.
    """
    from nexus.notifications.tasks import process_event_task

    try:
        process_event_task.apply_async(
            args=(event_id,), retry=True, retry_policy=settings.NEXUS_PUBLISH_RETRY_POLICY
        )
    except Exception as exc:  # broker down, or a bug in eager processing: keep the event
        logger.warning("event not published", extra={"event_id": event_id, "error": str(exc)})
        OutboxEvent.objects.filter(pk=event_id).update(
            publish_attempts=F("publish_attempts") + 1, last_error=str(exc)[:500]
        )
        return False
    _mark_published(event_id)
    return True


def _mark_published(event_id: int) -> None:
    """Note that the broker has the event (unless the relay noted it first).
    Written as SQL: composing this UPDATE with the ORM cost more than running it,
    after every write that records an event."""
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET published_at = %s, "  # noqa: S608 -- the model's table
            "publish_attempts = publish_attempts + 1, last_error = '' "
            "WHERE id = %s AND published_at IS NULL",
            [connection.ops.adapt_datetimefield_value(timezone.now()), event_id],
        )


def relay_pending(*, limit: int = RELAY_BATCH, grace: timedelta = RELAY_GRACE) -> int:
    """Publish events left behind (oldest first); returns how many the broker took.

    Stops at the first refusal: if the broker is down, the rest can wait too.
    """
    cutoff = timezone.now() - grace
    pending = list(
        OutboxEvent.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    published = 0
    for event_id in pending:
        if not publish(event_id):
            break
        published += 1
    return published
