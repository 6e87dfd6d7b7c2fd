"""The transactional outbox: record an event with the write, publish it after commit.

Other apps call `record(...)` inside their service's transaction. Who publishes
it depends on `NEXUS_OUTBOX_RELAY`:

- off (the default, and the embedded mode): the request itself, once its
  transaction commits, with a bounded retry;
- on (PostgreSQL): `manage.py relay_outbox --listen`, a process of its own
  that the commit wakes with a NOTIFY. The request then only writes the row,
  and the relay publishes what piled up in one pass, marking it in one UPDATE.

Either way an event is marked published only once the broker confirmed it,
and one it refused stays in the outbox for the periodic relay: at least once.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from nexus.notifications.models import OutboxEvent

logger = logging.getLogger(__name__)

# Leave events this young to their own on-commit publish before the relay retries them.
RELAY_GRACE = timedelta(seconds=10)
RELAY_BATCH = 500
# Events per message the relay publishes: a worker takes them in turn.
RELAY_MESSAGE_EVENTS = 50
# The channel a commit that recorded events notifies, in relay mode.
RELAY_CHANNEL = "nexus_outbox"
# How long the listening relay waits for a notification before looking anyway.
RELAY_POLL_SECONDS = 5.0
# How long a woken relay lets commits gather before its pass: one pass (a
# message, an UPDATE) then takes a burst's events, for a delay nobody notices.
RELAY_GATHER_SECONDS = 0.05


def record(name: str, **payload: Any) -> OutboxEvent:
    """Write an event in the caller's transaction; it is published once that commits,
    by this process or, in relay mode, by the relay the commit wakes."""
    if settings.NEXUS_OUTBOX_RELAY:
        return _insert_and_notify(name, payload)
    event = OutboxEvent.objects.create(name=name, payload=payload)

    def publish_event() -> None:
        # A named function, not a partial: a robust on_commit hook that raises is
        # logged by its __qualname__, which a partial lacks (the request then failed).
        publish(event.pk)

    transaction.on_commit(publish_event, robust=True)
    return event


def _insert_and_notify(name: str, payload: dict[str, Any]) -> OutboxEvent:
    """The row, and the relay's wake-up. PostgreSQL delivers the NOTIFY only if
    the transaction commits, after the row is visible, and folds a
    transaction's identical notifications into one."""
    event = OutboxEvent.objects.create(name=name, payload=payload)
    with connection.cursor() as cursor:
        # Raw SQL: the ORM cannot NOTIFY.
        cursor.execute("SELECT pg_notify(%s, '')", [RELAY_CHANNEL])
    return event


def publish(event_id: int) -> bool:
    """Hand one event to the broker and mark it published; True if the broker took it.

    On failure the event stays unpublished, with the error, for the relay.
    In eager mode (no broker) the event is processed here and now.
    """
    if not _send(event_id):
        return False
    _mark_published([event_id])
    return True


def _send(event_id: int) -> bool:
    from nexus.notifications.tasks import process_event_task

    return _handed_over([event_id], process_event_task, (event_id,))


def _send_many(event_ids: list[int]) -> bool:
    """One message for the events: the relay's cost per pass, not per event."""
    from nexus.notifications.tasks import process_events_task

    return _handed_over(event_ids, process_events_task, (event_ids,))


def _handed_over(event_ids: list[int], task: Any, args: tuple[Any, ...]) -> bool:
    try:
        task.apply_async(args=args, retry=True, retry_policy=settings.NEXUS_PUBLISH_RETRY_POLICY)
    except Exception as exc:  # broker down, or a bug in eager processing: keep the events
        logger.warning("events not published", extra={"event_ids": event_ids, "error": str(exc)})
        OutboxEvent.objects.filter(pk__in=event_ids).update(
            publish_attempts=F("publish_attempts") + 1, last_error=str(exc)[:500]
        )
        return False
    return True


def _mark_published(event_ids: list[int]) -> None:
    """Note that the broker has the events (unless another relay noted it first)."""
    if event_ids:
        OutboxEvent.objects.filter(pk__in=event_ids, published_at__isnull=True).update(
            published_at=timezone.now(),
            publish_attempts=F("publish_attempts") + 1,
            last_error="",
        )


def relay_pending(*, limit: int = RELAY_BATCH, grace: timedelta = RELAY_GRACE) -> int:
    """Publish events left behind (oldest first); returns how many the broker took.

    They go in messages of `RELAY_MESSAGE_EVENTS` events each, and the ones the
    broker took are marked published together, after the last. Stops at the
    first refusal: if the broker is down, the rest can wait too.
    """
    cutoff = timezone.now() - grace
    pending = list(
        OutboxEvent.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent: list[int] = []
    for start in range(0, len(pending), RELAY_MESSAGE_EVENTS):
        chunk = pending[start : start + RELAY_MESSAGE_EVENTS]
        if not _send_many(chunk):
            break
        sent.extend(chunk)
    _mark_published(sent)
    return len(sent)


def relay_listen(
    *,
    stop: threading.Event,
    poll_seconds: float = RELAY_POLL_SECONDS,
    gather_seconds: float = RELAY_GATHER_SECONDS,
) -> None:
    """Publish events as their transactions commit, until `stop` is set (relay mode).

    Listens on `RELAY_CHANNEL` on a connection of its own, then publishes
    whatever is unpublished, oldest first, and waits for the next commit's
    notification, or `poll_seconds` at most (an event whose first publish the
    broker refused is retried then). Woken, it waits `gather_seconds` more:
    what committed meanwhile, or while it published, is taken by the next
    pass, so a busy relay publishes in batches. A lost database or broker is
    waited out, never fatal.
    """
    while not stop.is_set():
        listener = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            listener.ensure_connection()
            raw = listener.connection
            with listener.wrap_database_errors:
                raw.execute(f"LISTEN {RELAY_CHANNEL}")
            while not stop.is_set():
                while relay_pending(grace=timedelta(0)) == RELAY_BATCH:
                    pass
                with listener.wrap_database_errors:
                    for _ in raw.notifies(timeout=poll_seconds, stop_after=1):
                        pass
                    stop.wait(gather_seconds)
                    # Drained before the next pass, which takes their events: a
                    # notification that comes during a pass wakes another one.
                    for _ in raw.notifies(timeout=0):
                        pass
        except DatabaseError as exc:  # a restart or a network cut: start over
            logger.warning("outbox relay lost the database", extra={"error": str(exc)})
            connection.close()
            stop.wait(poll_seconds)
        finally:
            listener.close()


def relay_is_listening() -> bool:
    """Whether a `relay_listen` is connected: its connection's last statement is the LISTEN."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
            [f"LISTEN {RELAY_CHANNEL}"],
        )
        return cursor.fetchone() is not None
