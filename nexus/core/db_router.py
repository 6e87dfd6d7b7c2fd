"""Reads to the replica, writes to the primary, and your own writes always visible.

Active only when DATABASE_REPLICA_URL is set. Once a request writes, its
later reads go to the primary; and for REPLICA_PIN_SECONDS after, so do the
writer's next requests (by user, or by session for anonymous callers), so
nobody reads around their own write while the replica catches up.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings

pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if pinned_to_primary.get() or "replica" not in settings.DATABASES:
            return "default"
        return "replica"

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        pinned_to_primary.set(True)
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two doors onto it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
