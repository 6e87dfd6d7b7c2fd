"""Who hears of each event, and what they are told: the machinery.

Each app registers, from its `AppConfig.ready()`, a function per event name
returning the event's audiences: a kind of notification, the users who get it
(a queryset, walked in batches), and the words. The first audience that
reaches a user wins: a challenge's author hears "a solution on your
challenge", not also "activity on a challenge you follow". Nobody is told of
their own action. The rules themselves live in each app's `notices.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from nexus.accounts.models import User
from nexus.core.markdown import extract_mentions, plain_text
from nexus.notifications.models import OutboxEvent

# The one kind every app's content shares: a user named with @handle.
MENTIONED = "mentioned"


@dataclass(frozen=True)
class Audience:
    kind: str
    users: QuerySet[User]
    title: str
    target_type: str
    target_id: int
    url: str
    excerpt: str = ""
    # Makes one notification per recipient and cause; defaults to the event's id.
    cause: str = ""


@dataclass(frozen=True)
class EventAudiences:
    actor_id: int | None
    audiences: list[Audience] = field(default_factory=list)
    # Webhook topic this event is carried under, and the technologies it concerns.
    webhook_topic: str = ""
    technology_ids: list[int] = field(default_factory=list)
    webhook_message: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[dict[str, Any]], EventAudiences]
HANDLERS: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """Let an app add the audiences of one of its events."""
    HANDLERS[name] = handler


def audiences_for(event: OutboxEvent) -> EventAudiences | None:
    handler = HANDLERS.get(event.name)
    return handler(event.payload) if handler else None


def exclude_actor(users: QuerySet[User], actor_id: int | None) -> QuerySet[User]:
    return users.exclude(pk=actor_id) if actor_id else users


def active_users(**lookup: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True, **lookup)


def short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mentions(
    source: str, *, title: str, readers: dict[str, Any] | None = None, **on: Any
) -> Audience:
    """The users `source` mentions by handle, among those `readers` narrows to."""
    names = extract_mentions(source)
    return Audience(
        kind=MENTIONED,
        users=active_users(username__in=names, **(readers or {})) if names else User.objects.none(),
        title=title,
        excerpt=plain_text(source, 200),
        **on,
    )
