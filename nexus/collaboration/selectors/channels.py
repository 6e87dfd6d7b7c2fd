"""Reads of channels and messages: visibility, unread counts, pages of messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from nexus.accounts.models import User
from nexus.collaboration import permissions
from nexus.collaboration.models import Channel, Membership, Message, Reaction
from nexus.core.errors import NotFound, ValidationError

PAGE_MAX = 100

# Unread messages are counted up to this many (clients show "99+"): a member
# whose marker is far behind had every message since counted on each channel
# list, 69,000 of them in a channel at a million challenges (450 ms for one
# member's list); now each channel reads at most this many index entries.
UNREAD_COUNT_MAX = 100


class BoundedCount(Subquery):
    """How many rows the (sliced) queryset gives: COUNT(*) over it as a derived
    table, so its LIMIT bounds the rows counted."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def channel_list(*, viewer: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Channel]:
    """Channels the viewer may read, each with `is_member` and `unread_count`
    (messages by others after their read marker, up to `UNREAD_COUNT_MAX`; 0 when
    not a member), in one query.

    `mine=true` keeps the viewer's channels; `kind` and `q` (name) narrow.
    """
    filters = filters or {}
    marker = Membership.objects.filter(channel=OuterRef("pk"), user_id=viewer.pk)
    # Non-members have no marker (NULL): no message compares above it, so 0 unread.
    unread = (
        Message.objects.filter(
            channel=OuterRef("pk"), deleted_at__isnull=True, id__gt=OuterRef("member_marker")
        )
        .exclude(author_id=viewer.pk)
        .order_by()
        .values("id")[:UNREAD_COUNT_MAX]
    )
    channels = (
        permissions.readable_channels(Channel.objects.all(), viewer)
        .select_related("cohort", "technology")
        .annotate(member_marker=Subquery(marker.values("last_read_id")[:1]))
        .annotate(unread_count=BoundedCount(unread))
    )
    mine = filters.get("mine")
    if mine not in (None, ""):
        if mine not in ("true", "false"):
            raise ValidationError(errors={"mine": ["true or false."]})
        has_marker = Q(pk__in=Membership.objects.filter(user_id=viewer.pk).values("channel_id"))
        channels = channels.filter(has_marker) if mine == "true" else channels.exclude(has_marker)
    kind = filters.get("kind")
    if kind:
        if kind not in Channel.Kind.values:
            raise ValidationError(errors={"kind": [f"One of: {', '.join(Channel.Kind.values)}."]})
        channels = channels.filter(kind=kind)
    if filters.get("q"):
        channels = channels.filter(name__icontains=str(filters["q"])[:80])
    return channels


def channel_get(*, viewer: User, slug: str) -> Channel:
    channel = channel_list(viewer=viewer).filter(slug=slug).first()
    if channel is None:
        raise NotFound(f"No channel '{slug}'.")
    return channel


def _messages(viewer: User) -> QuerySet[Message]:
    reactions = Reaction.objects.select_related("user").only(
        "message_id", "emoji", "user_id", "user__username"
    )
    return (
        Message.objects.filter(deleted_at__isnull=True)
        .select_related("author__profile", "channel")
        .prefetch_related(Prefetch("reactions", queryset=reactions, to_attr="all_reactions"))
    )


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    # Pass as `before` to read further back in time; None at the beginning.
    next_before: int | None


def message_page(
    *, viewer: User, slug: str, params: Mapping[str, Any], limit: Any = 50
) -> MessagePage:
    """A page of a channel's messages.

    By default the newest top-level messages, newest first; `before=<id>` pages
    back in time; `since=<id>` catches up on what came after, oldest first;
    `parent=<id>` reads one thread's replies. Raises NotFound, ValidationError.
    """
    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        raise NotFound(f"No channel '{slug}'.")
    permissions.check_can_read(viewer, channel, permissions.membership(viewer, channel))
    numbers: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for name in ("before", "since", "parent", "page_size"):
        raw = params.get(name)
        if raw in (None, ""):
            continue
        if not str(raw).isdigit():
            errors[name] = ["A positive whole number."]
        else:
            numbers[name] = int(str(raw))
    if "before" in numbers and "since" in numbers:
        errors["since"] = ["Use either before or since, not both."]
    if errors:
        raise ValidationError(errors=errors)
    size = min(numbers.get("page_size", int(limit or 50)), PAGE_MAX) or 1
    messages = _messages(viewer).filter(channel=channel)
    if "parent" in numbers:
        messages = messages.filter(parent_id=numbers["parent"])
    elif "since" not in numbers:
        messages = messages.filter(parent__isnull=True)
    if "since" in numbers:
        page = list(messages.filter(id__gt=numbers["since"]).order_by("id")[:size])
        return MessagePage(messages=page, next_before=None)
    if "before" in numbers:
        messages = messages.filter(id__lt=numbers["before"])
    page = list(messages.order_by("-id")[: size + 1])
    more = len(page) > size
    page = page[:size]
    return MessagePage(messages=page, next_before=page[-1].pk if more and page else None)


def message_get(*, viewer: User, message_id: int) -> Message:
    message = _messages(viewer).filter(pk=message_id).first()
    if message is None:
        raise NotFound(f"No message {message_id}.")
    permissions.check_can_read(
        viewer, message.channel, permissions.membership(viewer, message.channel)
    )
    return message


def message_with_reactions(message: Message) -> Message:
    """Load a single message's reactions the way lists have them."""
    if not hasattr(message, "all_reactions"):
        message.all_reactions = list(  # type: ignore[attr-defined]
            Reaction.objects.filter(message=message).select_related("user")
        )
    return message


def reaction_summary(message: Message, viewer_id: int | None) -> list[dict[str, Any]]:
    """Reactions of a message as `[{"emoji", "count", "mine"}]`, in a fixed emoji order."""
    reactions: list[Reaction] = getattr(message, "all_reactions", [])
    counts = Counter(reaction.emoji for reaction in reactions)
    mine = {reaction.emoji for reaction in reactions if reaction.user_id == viewer_id}
    return [
        {"emoji": emoji, "count": counts[emoji], "mine": emoji in mine}
        for emoji in Reaction.Emoji.values
        if counts[emoji]
    ]


def announcement_list(*, viewer: User) -> QuerySet[Message]:
    """Top-level messages of announcement channels, pinned first, then newest."""
    return (
        _messages(viewer)
        .filter(channel__kind=Channel.Kind.ANNOUNCEMENT, parent__isnull=True)
        .order_by("-is_pinned", "-id")
    )


def member_list(*, viewer: User, slug: str) -> QuerySet[Membership]:
    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        raise NotFound(f"No channel '{slug}'.")
    permissions.check_can_read(viewer, channel, permissions.membership(viewer, channel))
    return Membership.objects.filter(channel=channel).select_related("user__profile")


def user_channel_ids(*, user: Any) -> list[int]:
    """Ids of the channels whose live updates a user may receive."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        permissions.readable_channels(Channel.objects.all(), user).values_list("pk", flat=True)
    )


def _readable_channels(viewer: Any) -> QuerySet[Channel]:
    if not getattr(viewer, "is_authenticated", False):
        # The channels a learner talks in are no secret; private ones stay private.
        return Channel.objects.exclude(kind=Channel.Kind.PRIVATE)
    return permissions.readable_channels(Channel.objects.all(), viewer)


def channel_activity(*, viewer: Any, author: User) -> QuerySet[Any]:
    """Rows of (channel slug, name, kind, messages): how much the author wrote in
    each channel the viewer may read, most first."""
    return (
        Message.objects.filter(
            author=author,
            deleted_at__isnull=True,
            channel__in=_readable_channels(viewer).values("pk"),
        )
        .values("channel__slug", "channel__name", "channel__kind")
        .annotate(messages=Count("id"))
        .order_by("-messages", "channel__slug")
    )


def thread_partners(*, viewer: Any, user: User) -> QuerySet[Any]:
    """(reply author, thread author) pairs of the threads the user replied in or
    was replied to in, in channels the viewer may read."""
    return (
        Message.objects.filter(
            deleted_at__isnull=True,
            parent__isnull=False,
            channel__in=_readable_channels(viewer).values("pk"),
        )
        .filter(Q(author=user) | Q(parent__author=user))
        .values_list("author_id", "parent__author_id")
        .distinct()
    )


def messages_written_in_cohort(cohort: Any) -> QuerySet[Message]:
    """Messages (not deleted) whose authors are in the cohort."""
    return Message.objects.filter(author__profile__cohort=cohort, deleted_at__isnull=True)
