"""Counting a challenge's views without writing a row per read."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from redis.exceptions import RedisError, ResponseError

from nexus.challenges.models import Challenge
from nexus.core import cache

logger = logging.getLogger(__name__)

# A Redis hash of views not yet added to the table: challenge id -> views.
VIEWS_KEY = "challenges:views"
VIEWS_FLUSH_BATCH = 500
VIEWS_FLUSH_LOCK_SECONDS = 120  # longer than the task's hard time limit


def challenge_record_view(*, challenge_id: int) -> None:
    """Count a view. With Redis, in a hash that `challenge_flush_views` adds to the
    table every minute, so reading a challenge writes no row; without Redis, or
    with it down, in SQL, without loading or locking the row."""
    redis = cache.redis_client()
    if redis is not None:
        try:
            redis.hincrby(django_cache.make_key(VIEWS_KEY), str(challenge_id), 1)
            return
        except RedisError:
            logger.warning("Views counted in SQL: Redis is unreachable")
    Challenge.objects.filter(pk=challenge_id).update(view_count=F("view_count") + 1)


def challenge_flush_views() -> int:
    """Add the views buffered in Redis to the challenges' counts, in one transaction;
    returns how many challenges were viewed. The buffer is renamed first, so views
    counted meanwhile wait for the next flush, and a flush that failed is finished
    by the next one rather than lost. One flush at a time: two at once would both
    add the renamed buffer."""
    redis = cache.redis_client()
    if redis is None:
        return 0
    pending = django_cache.make_key(VIEWS_KEY)
    lock = redis.lock(f"{pending}:lock", timeout=VIEWS_FLUSH_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        return 0
    try:
        return _flush_views(redis, pending)
    finally:
        with contextlib.suppress(RedisError):  # expired already: the next flush may run
            lock.release()


def _flush_views(redis: Any, pending: str) -> int:
    flushing = f"{pending}:flushing"
    if not redis.exists(flushing):
        try:
            redis.rename(pending, flushing)
        except ResponseError:  # nothing viewed since the last flush
            return 0
    counts = {int(pk): int(views) for pk, views in redis.hgetall(flushing).items()}
    ids = sorted(counts)
    with transaction.atomic():
        for start in range(0, len(ids), VIEWS_FLUSH_BATCH):
            batch = ids[start : start + VIEWS_FLUSH_BATCH]
            added = Case(
                *[When(pk=pk, then=Value(counts[pk])) for pk in batch],
                default=Value(0),
                output_field=IntegerField(),
            )
            Challenge.objects.filter(pk__in=batch).update(view_count=F("view_count") + added)
    redis.delete(flushing)
    return len(ids)
