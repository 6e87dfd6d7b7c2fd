"""Versioned caching of hot anonymous reads.

Cached responses live under keys that carry the current version of each
namespace they depend on (`challenges`, `guides`, `reference`,
`leaderboard`). A write bumps the versions it affects once it commits, so
the next read misses and sees the new data: nobody reads stale data after
a write is acknowledged. A reader that raced the write stored its page
under the old version, which nobody asks for any more.

The cache is a speed-up, never a dependency: with Redis down, versions read
as 0, nothing is stored, and every request is served from the database.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

NAMESPACES = ("challenges", "guides", "reference", "leaderboard")

P = ParamSpec("P")
R = TypeVar("R")


def _version_key(namespace: str) -> str:
    return f"version:{namespace}"


def versions(namespaces: Iterable[str]) -> dict[str, int]:
    """The current version (microseconds since the epoch of its last bump) of each."""
    names = list(namespaces)
    found = cache.get_many([_version_key(n) for n in names]) or {}
    return {name: int(found.get(_version_key(name)) or 0) for name in names}


def bump(*namespaces: str) -> None:
    """Start new versions now: what was cached under the old ones is never served."""
    stamp = time.time_ns() // 1000
    versions = {_version_key(n): stamp for n in namespaces}
    redis = redis_client()
    if redis is None:
        cache.set_many(versions, timeout=None)
        return
    # One MSET where the cache's set_many sent a MULTI ... EXEC, after every write.
    # Integers are stored as django-redis stores them (as text), so `versions` reads
    # them back.
    try:
        redis.mset({cache.make_key(key): value for key, value in versions.items()})
    except RedisError:
        logger.warning("Cache versions not bumped: Redis is unreachable")


def bump_on_commit(*namespaces: str) -> None:
    transaction.on_commit(lambda: bump(*namespaces), robust=True)


def invalidates(*namespaces: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a service: once its write commits, the namespaces it touched move on."""
    unknown = set(namespaces) - set(NAMESPACES)
    if unknown:
        raise ValueError(f"Unknown cache namespaces: {sorted(unknown)}")

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            result = service(*args, **kwargs)
            bump_on_commit(*namespaces)
            return result

        return wrapper

    return decorate


def read(key: str) -> Any:
    return cache.get(key)


def write(key: str, value: Any, timeout: int) -> None:
    cache.set(key, value, timeout=timeout)


def redis_client() -> Any | None:
    """The cache's own Redis connection, for what the cache API cannot do (hashes),
    or None when the cache is not Redis (the embedded default)."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")
