"""Readiness checks of the services Nexus depends on."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # django-redis swallows errors by design (IGNORE_EXCEPTIONS), so a round
    # trip that comes back empty is how an outage shows here.
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise ConnectionError("the cache did not return what was written")
    cache.delete(key)


def check_broker() -> str:
    """Connects to the broker; returns 'eager' when tasks run in process."""
    if not settings.CELERY_BROKER_URL:
        return "eager"
    # A fresh connection, not one from the pool, so the answer is about now.
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=0, timeout=2)
    return "ok"
