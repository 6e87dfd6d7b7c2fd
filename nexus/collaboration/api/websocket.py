"""WebSocket door of a channel: `/ws/channels/<slug>/`.

One connection per open channel. The server sends JSON frames:

- `{"type": "message.created" | "message.updated", "message": {...}}`, the
  message exactly as REST shows it to this viewer;
- `{"type": "message.deleted", "message": {"id"}}`;
- `{"type": "reaction.added" | "reaction.removed", "reaction": {"message", "emoji", "user"}}`;
- `{"type": "notification", "notification": {...}}`, the viewer's own, from any app;
- `{"type": "sync.truncated", "since": <id>}` after catching up on 100 messages
  when more were missed: read on with `GET .../messages/?since=<id>`;
- `{"type": "pong"}`, and `{"type": "error", "error": {"type", "detail", "errors"}}`
  in the REST error shape, after which the connection stays open.

The client may send `{"type": "ping"}` and `{"type": "message.create", "body",
"parent"?}` (posted as `POST .../messages/` would be; the message then
arrives as `message.created`). Frames are JSON text of at most 16 KiB.

Connect with `?token=<access JWT>` (or the session) and, after a drop,
`&last_seen=<newest message id you have>` to receive what was missed, oldest
first. Refusals are sent as an error frame then a close code the client can
act on: 4401 sign in (again: also sent when the access token expires while
connected), 4403 not yours to read, 4404 no such channel, 1009 frame too big.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, cast
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from nexus.accounts.models import User
from nexus.collaboration import permissions
from nexus.collaboration.api.rest.channels import MessageSerializer
from nexus.collaboration.models import Channel
from nexus.collaboration.selectors import channels as selectors
from nexus.collaboration.services import channels as services
from nexus.core import live
from nexus.core.errors import DomainError, NotFound, error_body
from nexus.core.websocket_auth import AUTH_ERROR, AUTH_EXPIRES_AT

MAX_FRAME_BYTES = 16 * 1024
SYNC_MAX = selectors.PAGE_MAX

CLOSE_TOO_BIG = 1009
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404

MESSAGE_EVENTS = ("message.created", "message.updated")
REACTION_EVENTS = ("reaction.added", "reaction.removed")


def error_frame(error_type: str, detail: str, errors: dict[str, list[str]] | None = None) -> Any:
    body = error_body(error_type, detail, errors)
    body.pop("request_id", None)  # no request to trace on a socket
    return {"type": "error", "error": body}


# --- Reads and writes, in the database thread ---------------------------------------------


@database_sync_to_async
def open_channel(user: User, slug: str) -> tuple[int | None, bool]:
    """(the channel's id or None when there is none, whether the user may read it)."""
    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        return None, False
    try:
        permissions.check_can_read(user, channel, permissions.membership(user, channel))
    except NotFound:
        return channel.pk, False
    return channel.pk, True


@database_sync_to_async
def missed_messages(user: User, slug: str, last_seen: int) -> tuple[list[Any], bool]:
    """Messages after `last_seen`, oldest first, at most SYNC_MAX; and whether more exist."""
    params = {"since": str(last_seen), "page_size": str(SYNC_MAX)}
    page = selectors.message_page(viewer=user, slug=slug, params=params).messages
    truncated = False
    if len(page) == SYNC_MAX:
        after = {"since": str(page[-1].pk), "page_size": "1"}
        truncated = bool(selectors.message_page(viewer=user, slug=slug, params=after).messages)
    data = [MessageSerializer(m, context={"viewer_id": user.pk}).data for m in page]
    return data, truncated


@database_sync_to_async
def message_data(user: User, message_id: int) -> Any:
    """The message as REST shows it to `user`; None if it is gone or not theirs to see."""
    try:
        message = selectors.message_get(viewer=user, message_id=message_id)
    except NotFound:
        return None
    return MessageSerializer(message, context={"viewer_id": user.pk}).data


@database_sync_to_async
def notification_data(user: User, notification_id: int) -> Any:
    from nexus.notifications import selectors as notification_selectors
    from nexus.notifications.api.rest import NotificationSerializer

    notification = notification_selectors.notification_list(user=user).filter(pk=notification_id)
    found = notification.first()
    return None if found is None else NotificationSerializer(found).data


@database_sync_to_async
def post_message(user: User, slug: str, data: dict[str, Any]) -> None:
    services.message_post(actor=user, slug=slug, data=data)


# --- The consumer -------------------------------------------------------------------------


class ChannelConsumer(AsyncJsonWebsocketConsumer):
    """One member's live view of one channel (see the module for the protocol)."""

    user: User
    slug: str
    # Newest message id sent while catching up: a push of it that raced the
    # catch-up is not sent twice.
    caught_up_to: int = 0
    expiry: asyncio.Task[None] | None = None
    # False until the connection is let in, and again once the server closes it:
    # frames still in flight then are dropped.
    is_live: bool = False

    async def connect(self) -> None:
        user = self.scope_value("user")
        if user is None or not user.is_authenticated:
            error = self.scope_value(AUTH_ERROR)
            await self.refuse(
                CLOSE_NOT_AUTHENTICATED,
                error_frame(
                    error or "not_authenticated",
                    "Sign in: connect with ?token=<access token>."
                    if error is None
                    else "The token is not valid or has expired: refresh it and reconnect.",
                ),
            )
            return
        self.user = user
        self.slug = str(self.scope["url_route"]["kwargs"]["slug"])
        channel_id, readable = await open_channel(user, self.slug)
        if channel_id is None:
            await self.refuse(
                CLOSE_NOT_FOUND, error_frame("not_found", f"No channel '{self.slug}'.")
            )
            return
        if not readable:
            await self.refuse(
                CLOSE_FORBIDDEN,
                error_frame("permission_denied", "Only members read a private channel."),
            )
            return
        # Join before reading what was missed, so nothing falls between the two.
        self.groups = [live.channel_group(channel_id), live.user_group(user.pk)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.is_live = True
        self.watch_token_expiry()
        await self.catch_up()

    def scope_value(self, key: str) -> Any:
        # The scope carries keys the middlewares add, beyond its TypedDict.
        return cast("dict[str, Any]", self.scope).get(key)

    async def refuse(self, code: int, frame: Any) -> None:
        # Accepted, then closed: a close before accepting reaches a browser as a
        # bare failed handshake, and the client could not tell why.
        await self.accept()
        await self.send_json(frame)
        await self.close(code=code)

    def watch_token_expiry(self) -> None:
        expires_at = self.scope_value(AUTH_EXPIRES_AT)
        if isinstance(expires_at, int):
            self.expiry = asyncio.create_task(self.close_at(expires_at))

    async def close_at(self, expires_at: int) -> None:
        # A token-authenticated connection lives no longer than its token would
        # in a REST call; the client reconnects with a fresh one and last_seen.
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        self.is_live = False
        await self.send_json(
            error_frame("token_not_valid", "The access token expired: refresh it and reconnect.")
        )
        await self.close(code=CLOSE_NOT_AUTHENTICATED)

    async def catch_up(self) -> None:
        query = parse_qs(self.scope_value("query_string").decode("latin1"))
        raw = query.get("last_seen")
        if not raw:
            return
        if not raw[0].isdigit():
            await self.send_json(
                error_frame(
                    "validation_error",
                    "The submitted data is not valid.",
                    {"last_seen": ["A message id."]},
                )
            )
            return
        messages, truncated = await missed_messages(self.user, self.slug, int(raw[0]))
        for message in messages:
            await self.send_json({"type": "message.created", "message": message})
        if messages:
            self.caught_up_to = int(messages[-1]["id"])
        if truncated:
            await self.send_json({"type": "sync.truncated", "since": self.caught_up_to})

    async def disconnect(self, code: int) -> None:
        if self.expiry is not None:
            self.expiry.cancel()

    # --- What the server pushes (group messages of type "push") ---

    async def push(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if not self.is_live or not isinstance(event, dict):
            return
        kind = event.get("type")
        if kind in MESSAGE_EVENTS:
            if kind == "message.created" and event["id"] <= self.caught_up_to:
                return
            data = await message_data(self.user, event["id"])
            if data is not None:
                await self.send_json({"type": kind, "message": data})
        elif kind == "message.deleted":
            await self.send_json({"type": kind, "message": {"id": event["id"]}})
        elif kind in REACTION_EVENTS:
            await self.send_json({"type": kind, "reaction": event["reaction"]})
        elif kind == "notification":
            data = await notification_data(self.user, event["id"])
            if data is not None:
                await self.send_json({"type": kind, "notification": data})

    # --- What the client sends ---

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if not self.is_live:
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_FRAME_BYTES:
            self.is_live = False
            await self.close(
                code=CLOSE_TOO_BIG, reason=f"Frames are at most {MAX_FRAME_BYTES} bytes."
            )
            return
        if text_data is None:
            await self.send_json(error_frame("parse_error", "Frames are JSON text, not binary."))
            return
        try:
            content = json.loads(text_data)
        except ValueError as exc:
            await self.send_json(error_frame("parse_error", f"The frame is not valid JSON: {exc}"))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "message.create":
            data = {key: value for key, value in content.items() if key != "type"}
            try:
                await post_message(self.user, self.slug, data)
            except DomainError as exc:
                body = error_body(exc.error_type, exc.detail, exc.errors, exc.extra)
                body.pop("request_id", None)
                await self.send_json({"type": "error", "error": body})
        else:
            await self.send_json(
                error_frame(
                    "validation_error",
                    "A frame is a JSON object with a type.",
                    {"type": ["One of: ping, message.create."]},
                )
            )


# Django's path() is typed for views; channels routes ASGI applications with it.
websocket_urlpatterns: list[Any] = [
    path("ws/channels/<slug:slug>/", ChannelConsumer.as_asgi()),  # type: ignore[arg-type]
    # Any other path is refused at the handshake (403), not raised as a server error.
    re_path(r"", WebsocketDenier.as_asgi()),  # type: ignore[arg-type]
]
