"""Pushing events to WebSocket clients through the channel layer.

Groups are `channel.<id>` (a chat channel's connected members) and
`user.<id>` (one person's connections, for their notifications). Pushing is
best effort and after commit: a live update must never fail a write.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def channel_group(channel_id: int) -> str:
    return f"channel.{channel_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def push(group: str, event: dict[str, Any]) -> None:
    """Send `event` (a JSON-able dict with a `type`) to everyone in `group` now."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "push", "event": event})
    except Exception as exc:  # a live update is a courtesy; the data is already stored
        logger.warning("live push failed", extra={"group": group, "error": str(exc)})


def push_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: push(group, event), robust=True)
