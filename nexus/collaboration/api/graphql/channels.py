"""GraphQL door of channels, messages and announcements: the same services and selectors as REST.

Every field needs a signed-in user. `channels` is a cursor page of the selector's
queryset, already annotated with `is_member` and `unread_count`, which the
optimizer completes with whatever the query selects: one query for the page. `messages`
and `announcements` return what the selectors built, authors with their
profiles and reactions prefetched, so their nested fields only read those.
The services push live events to connected members; resolvers just call them.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
import strawberry_django
from strawberry.types import Info

from nexus.accounts.api.graphql import UserType
from nexus.accounts.models import User
from nexus.collaboration.api import descriptions
from nexus.collaboration.models import Channel, Membership, Message
from nexus.collaboration.selectors import channels as selectors
from nexus.collaboration.services import channels as services
from nexus.core.graphql import (
    PAGED,
    After,
    First,
    Page,
    page,
    request_user,
    sent_fields,
    signed_in,
)
from nexus.core.pagination import PAGE_SIZE

ANNOUNCEMENTS_SHOWN = 50


# --- Enums ------------------------------------------------------------------------------


@strawberry.enum(name="ChannelKind", description="Who reads and posts in a channel.")
class ChannelKindEnum(Enum):
    PUBLIC = "public"
    PRIVATE = "private"
    ANNOUNCEMENT = "announcement"


# --- Types ------------------------------------------------------------------------------


@strawberry_django.type(
    Channel, name="Channel", description="A place to talk: public, private or announcements."
)
class ChannelType:
    slug: str
    name: str
    kind: str = strawberry_django.field(description="public, private or announcement.")
    topic: str
    is_archived: bool = strawberry_django.field(
        description="Keeps its history but takes no new messages."
    )
    message_count: int = strawberry_django.field(description=descriptions.MESSAGE_COUNT)
    last_message_at: datetime | None
    created_at: datetime

    @strawberry_django.field(
        only=["cohort__slug"], select_related=["cohort"], description="The cohort's slug."
    )
    def cohort(self, root: strawberry.Parent[Channel]) -> str | None:
        return root.cohort.slug if root.cohort else None

    @strawberry_django.field(
        only=["technology__slug"],
        select_related=["technology"],
        description="The technology's slug.",
    )
    def technology(self, root: strawberry.Parent[Channel]) -> str | None:
        return root.technology.slug if root.technology else None

    @strawberry_django.field(description="You are a member.")
    def is_member(self, root: strawberry.Parent[Channel]) -> bool:
        return getattr(root, "member_marker", None) is not None

    @strawberry_django.field(description=descriptions.UNREAD_COUNT)
    def unread_count(self, root: strawberry.Parent[Channel]) -> int:
        return getattr(root, "unread_count", 0)


@strawberry.type(name="ReactionSummary", description="One emoji on a message.")
class ReactionSummaryType:
    emoji: str
    count: int
    mine: bool = strawberry.field(description="You reacted with it.")


@strawberry_django.type(
    Message,
    name="Message",
    description="A post in a channel; a reply when it has a parent (threads are one level).",
)
class MessageType:
    id: int
    author: UserType
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    is_pinned: bool
    reply_count: int = strawberry_django.field(description=descriptions.REPLY_COUNT)
    last_reply_at: datetime | None
    edited_at: datetime | None
    created_at: datetime

    @strawberry_django.field(
        only=["channel__slug"], select_related=["channel"], description="The channel's slug."
    )
    def channel(self, root: strawberry.Parent[Message]) -> str:
        return root.channel.slug

    @strawberry_django.field(only=["parent_id"], description="The thread's first message.")
    def parent_id(self, root: strawberry.Parent[Message]) -> int | None:
        return root.parent_id

    @strawberry_django.field(
        only=["challenge_id"], description="The challenge this thread became, if any."
    )
    def challenge_id(self, root: strawberry.Parent[Message]) -> int | None:
        return root.challenge_id

    @strawberry_django.field(description="Its reactions, in a fixed emoji order.")
    def reactions(
        self, root: strawberry.Parent[Message], info: Info[Any, Any]
    ) -> list[ReactionSummaryType]:
        summary = selectors.reaction_summary(
            selectors.message_with_reactions(root), request_user(info).pk
        )
        return [ReactionSummaryType(**reaction) for reaction in summary]


@strawberry.type(name="MessagePage", description="A page of a channel's messages.")
class MessagePageType:
    messages: list[MessageType]
    next_before: int | None = strawberry.field(
        description="Pass as `before` for older messages; null at the beginning."
    )


@strawberry_django.type(Membership, name="Member", description="Someone in a channel.")
class MemberType:
    user: UserType
    role: str = strawberry_django.field(description="owner or member.")
    can_invite: bool = strawberry_django.field(description="May invite others.")
    joined_at: datetime


@strawberry.type(name="ThreadChallenge", description="The challenge a thread became.")
class ThreadChallengeType:
    id: int
    title: str


# --- Inputs -----------------------------------------------------------------------------


@strawberry.input
class CreateChannelInput:
    name: str = strawberry.field(description="Up to 80 characters.")
    slug: str | None = strawberry.field(
        default=strawberry.UNSET, description="Made from the name if left out."
    )
    kind: ChannelKindEnum | None = strawberry.field(
        default=strawberry.UNSET, description="Default PUBLIC; ANNOUNCEMENT is staff's."
    )
    topic: str | None = strawberry.UNSET
    cohort: str | None = strawberry.field(default=strawberry.UNSET, description="A cohort slug.")
    technology: str | None = strawberry.field(
        default=strawberry.UNSET, description="A technology slug."
    )


@strawberry.input(description="Fields left out are not changed.")
class UpdateChannelInput:
    name: str | None = strawberry.UNSET
    topic: str | None = strawberry.UNSET
    is_archived: bool | None = strawberry.UNSET
    cohort: str | None = strawberry.field(default=strawberry.UNSET, description="A cohort slug.")
    technology: str | None = strawberry.field(
        default=strawberry.UNSET, description="A technology slug."
    )


def _channel(user: User, slug: str) -> ChannelType:
    return selectors.channel_get(viewer=user, slug=slug)  # type: ignore[return-value]


def _message(user: User, message_id: int) -> MessageType:
    message = selectors.message_get(viewer=user, message_id=message_id)
    return message  # type: ignore[return-value]


# --- Queries ----------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(
        description="Channels you can read, by slug, with your unread counts. `mine: true` "
        f"keeps yours, `mine: false` the others; `q` searches names. {PAGED}"
    )
    def channels(
        self,
        info: Info[Any, Any],
        mine: bool | None = None,
        kind: ChannelKindEnum | None = None,
        q: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[ChannelType]:
        filters: dict[str, Any] = {"q": q}
        if mine is not None:
            filters["mine"] = "true" if mine else "false"
        if kind is not None:
            filters["kind"] = kind.value
        channels = selectors.channel_list(viewer=signed_in(info), filters=filters)
        return page(channels, ordering=("slug",), first=first, after=after)

    @strawberry.field(description="A channel you can read.")
    def channel(self, info: Info[Any, Any], slug: str) -> ChannelType:
        return _channel(signed_in(info), slug)

    @strawberry.field(
        description="A page of a channel's messages: the newest top-level ones, newest "
        "first; `before` pages back in time; `since` catches up on what came after, oldest "
        f"first; `parent` reads one thread's replies. `pageSize` is at most "
        f"{selectors.PAGE_MAX}."
    )
    def messages(
        self,
        info: Info[Any, Any],
        channel: str,
        before: int | None = None,
        since: int | None = None,
        parent: int | None = None,
        page_size: int | None = None,
    ) -> MessagePageType:
        given = {"before": before, "since": since, "parent": parent, "page_size": page_size}
        page = selectors.message_page(
            viewer=signed_in(info),
            slug=channel,
            params={name: value for name, value in given.items() if value is not None},
        )
        return MessagePageType(
            messages=page.messages,  # type: ignore[arg-type]
            next_before=page.next_before,
        )

    @strawberry.field(
        description=f"Announcements, pinned first, then newest (the latest {ANNOUNCEMENTS_SHOWN})."
    )
    def announcements(self, info: Info[Any, Any]) -> list[MessageType]:
        announcements = selectors.announcement_list(viewer=signed_in(info))
        return list(announcements[:ANNOUNCEMENTS_SHOWN])  # type: ignore[arg-type]

    @strawberry.field(description=f"Members of a channel you can read, first joined first. {PAGED}")
    def channel_members(
        self, info: Info[Any, Any], slug: str, first: First = PAGE_SIZE, after: After = None
    ) -> Page[MemberType]:
        members = selectors.member_list(viewer=signed_in(info), slug=slug)
        return page(members, ordering=("joined_at", "id"), first=first, after=after)


# --- Mutations --------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Open a channel; you own it. Announcement ones are staff's.")
    def create_channel(self, info: Info[Any, Any], input: CreateChannelInput) -> ChannelType:
        user = signed_in(info)
        channel = services.channel_create(actor=user, data=sent_fields(input))
        return _channel(user, channel.slug)

    @strawberry.mutation(description="Rename, re-topic or archive a channel (owner or staff).")
    def update_channel(
        self, info: Info[Any, Any], slug: str, input: UpdateChannelInput
    ) -> ChannelType:
        user = signed_in(info)
        services.channel_update(actor=user, slug=slug, data=sent_fields(input))
        return _channel(user, slug)

    @strawberry.mutation(
        description="Join a public or announcement channel; private ones need an invitation."
    )
    def join_channel(self, info: Info[Any, Any], slug: str) -> ChannelType:
        user = signed_in(info)
        services.channel_join(actor=user, slug=slug)
        return _channel(user, slug)

    @strawberry.mutation(description="Leave a channel.")
    def leave_channel(self, info: Info[Any, Any], slug: str) -> bool:
        services.channel_leave(actor=signed_in(info), slug=slug)
        return True

    @strawberry.mutation(
        description="Add someone to a channel; they are told. In a private channel only its "
        "owner, those it allowed and staff may; `canInvite` (owner) lets them invite too."
    )
    def invite_to_channel(
        self, info: Info[Any, Any], slug: str, username: str, can_invite: bool = False
    ) -> MemberType:
        membership = services.member_invite(
            actor=signed_in(info), slug=slug, username=username, can_invite=can_invite
        )
        return membership  # type: ignore[return-value]

    @strawberry.mutation(description="Remove a member (owner or staff; anyone themself).")
    def remove_from_channel(self, info: Info[Any, Any], slug: str, username: str) -> bool:
        services.member_remove(actor=signed_in(info), slug=slug, username=username)
        return True

    @strawberry.mutation(
        description="Post a message, or a reply in the thread of `parent`. Markdown; "
        "@username mentions notify. Posting in a public channel joins it. `pinned` is staff's."
    )
    def post_message(
        self,
        info: Info[Any, Any],
        channel: str,
        body: str,
        parent: int | None = None,
        pinned: bool | None = None,
    ) -> MessageType:
        user = signed_in(info)
        data: dict[str, Any] = {"body": body, "parent": parent}
        if pinned is not None:
            data["pinned"] = pinned
        message = services.message_post(actor=user, slug=channel, data=data)
        return _message(user, message.pk)

    @strawberry.mutation(description="Edit your message; the text it had is kept.")
    def edit_message(self, info: Info[Any, Any], id: int, body: str) -> MessageType:
        user = signed_in(info)
        services.message_edit(actor=user, message_id=id, data={"body": body})
        return _message(user, id)

    @strawberry.mutation(description="Delete a message (its author or staff); replies stay.")
    def delete_message(self, info: Info[Any, Any], id: int) -> bool:
        services.message_delete(actor=signed_in(info), message_id=id)
        return True

    @strawberry.mutation(
        description="React to a message with one of the fixed emoji (`present: false` takes "
        "it back). Returns whether anything changed: repeating it changes nothing."
    )
    def react(
        self, info: Info[Any, Any], message_id: int, emoji: str, present: bool = True
    ) -> bool:
        return services.reaction_set(
            actor=signed_in(info), message_id=message_id, emoji=emoji, present=present
        )

    @strawberry.mutation(
        description="Move your read marker forward to message `lastRead` (never back)."
    )
    def mark_channel_read(self, info: Info[Any, Any], slug: str, last_read: int) -> ChannelType:
        user = signed_in(info)
        services.channel_mark_read(actor=user, slug=slug, last_read=last_read)
        return _channel(user, slug)

    @strawberry.mutation(
        description="Turn a thread into a challenge asked by its author; the repliers are "
        "invited to answer it."
    )
    def thread_to_challenge(
        self,
        info: Info[Any, Any],
        message_id: int,
        title: str | None = None,
        technologies: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> ThreadChallengeType:
        given = {"title": title, "technologies": technologies, "tags": tags}
        challenge = services.message_to_challenge(
            actor=signed_in(info),
            message_id=message_id,
            data={key: value for key, value in given.items() if value is not None},
        )
        return ThreadChallengeType(id=challenge.pk, title=challenge.title)
