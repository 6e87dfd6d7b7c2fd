"""Versioned caching of hot anonymous reads.

Cached responses are stored with the version of each namespace they depend
on (`challenges`, `guides`, `reference`, `leaderboard`), and served only
while those are current. A write bumps the versions it affects once it
commits, so the next read misses and sees the new data: nobody reads stale
data after a write is acknowledged. A reader that raced the write stored its
page with the old versions, which no longer match.

The cache is a speed-up, never a dependency: with Redis down, versions read
as 0, nothing is stored, and every request is served from the database.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

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
    cache.set_many({_version_key(n): stamp for n in namespaces}, timeout=None)


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


def read_page(key: str, namespaces: Sequence[str]) -> tuple[tuple[int, ...], Any]:
    """The namespaces' current versions, and the page stored under `key` if it
    was stored under those versions (else None): one round trip to the cache."""
    names = [_version_key(n) for n in namespaces]
    found = cache.get_many([*names, key]) or {}
    current = tuple(int(found.get(name) or 0) for name in names)
    entry = found.get(key)
    if entry is None or entry[0] != current or 0 in current:
        return current, None
    return current, entry[1]


def write_page(
    key: str, namespaces: Sequence[str], current: tuple[int, ...], page: Any, timeout: int
) -> None:
    """Store `page` under `key` for the versions `read_page` gave."""
    if 0 in current:
        # First use since the cache started: give the namespaces a version; the
        # next miss stores its page under it.
        bump(*[n for n, version in zip(namespaces, current, strict=True) if not version])
    else:
        cache.set(key, (current, page), timeout=timeout)


def redis_client() -> Any | None:
    """The cache's own Redis connection, for what the cache API cannot do (hashes),
    or None when the cache is not Redis (the embedded default)."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")
