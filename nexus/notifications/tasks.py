"""Celery tasks of the notifications app: thin, taking ids, calling services."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from nexus.notifications import delivery, digests, events, services

logger = logging.getLogger(__name__)

# Hard and soft time limits keep one stuck send from holding a worker forever:
# fast tasks get 30/60 seconds, slow ones (sending, digests, relay) 120/180.


@shared_task(name="notifications.process_event", soft_time_limit=30, time_limit=60)
def process_event_task(event_id: int, index: int = 0, after_id: int = 0) -> None:
    """Notify one batch of an event's audiences; the next batch is a new task."""
    progress = services.event_process(
        event_id=event_id, progress=services.FanoutProgress(index, after_id)
    )
    if progress is not None:
        process_event_task.apply_async(args=(event_id, progress.index, progress.after_id))


@shared_task(name="notifications.process_events", soft_time_limit=120, time_limit=180)
def process_events_task(event_ids: list[int]) -> None:
    """Notify the first batch of each event's audiences, as `process_event_task`
    does for one: the relay publishes a pass's events in one message.

    An event that fails is logged and the rest go on, as separate tasks would.
    Near the time limit, the events not reached yet go on as tasks of their own.
    """
    for position, event_id in enumerate(event_ids):
        try:
            process_event_task(event_id)
        except SoftTimeLimitExceeded:
            for later_id in event_ids[position:]:
                process_event_task.apply_async(args=(later_id,))
            return
        except Exception:
            logger.exception("event processing failed", extra={"event_id": event_id})


@shared_task(name="notifications.send_deliveries", soft_time_limit=120, time_limit=180)
def send_deliveries_task(delivery_ids: list[int]) -> None:
    """Send a batch of deliveries; those that must wait are queued again for later."""
    for delivery_id in delivery_ids:
        outcome = delivery.deliver(delivery_id)
        if outcome is not None and outcome.retry_in is not None:
            send_deliveries_task.apply_async(args=([delivery_id],), countdown=outcome.retry_in)


@shared_task(name="notifications.relay_outbox", soft_time_limit=120, time_limit=180)
def relay_outbox_task() -> int:
    return events.relay_pending()


@shared_task(name="notifications.retry_due_deliveries", soft_time_limit=30, time_limit=60)
def retry_due_deliveries_task() -> int:
    return services.deliveries_requeue_due()


@shared_task(name="notifications.send_digests", soft_time_limit=120, time_limit=180)
def send_digests_task() -> int:
    return digests.digests_send_due()


@shared_task(name="notifications.clean_up", soft_time_limit=120, time_limit=180)
def clean_up_task() -> int:
    return services.notifications_clean_up()
