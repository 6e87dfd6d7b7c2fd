"""Periodic work of the challenges app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from nexus.challenges import services


@shared_task(name="challenges.flush_views", soft_time_limit=50, time_limit=60)
def flush_views() -> int:
    """Add the views counted in Redis to the challenges (beat, every minute)."""
    return services.challenge_flush_views()


# Named as the beat schedule and the task routes know it.
@shared_task(name="notifications.notify_unanswered", soft_time_limit=30, time_limit=60)
def notify_unanswered_task() -> int:
    """Tell mentors of challenges left unanswered too long, once each (beat)."""
    return services.challenges_flag_unanswered(hours=settings.NEXUS_UNANSWERED_AFTER_HOURS)
