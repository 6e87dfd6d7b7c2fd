"""Periodic work of the challenges app."""

from __future__ import annotations

from celery import shared_task

from nexus.challenges import services


@shared_task(name="challenges.flush_views", soft_time_limit=50, time_limit=60)
def flush_views() -> int:
    """Add the views counted in Redis to the challenges (beat, every minute)."""
    return services.challenge_flush_views()
