"""What the collaboration hub tells people: its notification kinds and the
audiences of its events, plugged into the notifications app."""

from __future__ import annotations

from typing import Any

from nexus.accounts.models import User
from nexus.collaboration.models import Channel, Membership, Message
from nexus.core.markdown import plain_text
from nexus.notifications import audiences, services, webhooks
from nexus.notifications.audiences import Audience, EventAudiences, active_users, mentions, short

CHANNEL_INVITED = "channel_invited"
THREAD_REPLY = "thread_reply"
ANNOUNCEMENT = "announcement"
REVIEW_CLAIMED = "review_claimed"
REVIEW_FEEDBACK = "review_feedback"
MENTORSHIP_REQUESTED = "mentorship_requested"
MENTORSHIP_ANSWERED = "mentorship_answered"
ANSWER_INVITED = "answer_invited"

KINDS = {
    CHANNEL_INVITED: "immediate",
    THREAD_REPLY: "daily",
    ANNOUNCEMENT: "daily",
    REVIEW_CLAIMED: "immediate",
    REVIEW_FEEDBACK: "immediate",
    MENTORSHIP_REQUESTED: "immediate",
    MENTORSHIP_ANSWERED: "immediate",
    ANSWER_INVITED: "immediate",
}


def channel_invited(payload: dict[str, Any]) -> EventAudiences:
    channel = Channel.objects.get(pk=payload["channel_id"])
    inviter = User.objects.filter(pk=payload.get("actor_id") or 0).first()
    who = inviter.username if inviter else "Someone"
    return EventAudiences(
        actor_id=payload.get("actor_id"),
        audiences=[
            Audience(
                kind=CHANNEL_INVITED,
                users=active_users(pk=payload["user_id"]),
                title=f"{who} added you to #{channel.slug}",
                target_type="channel",
                target_id=channel.pk,
                url=f"/api/v1/channels/{channel.slug}/",
            )
        ],
    )


def message_created(payload: dict[str, Any]) -> EventAudiences:
    message = Message.objects.select_related("author", "channel", "parent").get(
        pk=payload["message_id"]
    )
    channel: Channel = message.channel
    url = f"/api/v1/channels/{channel.slug}/messages/{message.pk}/"
    who = message.author.username
    members = Membership.objects.filter(channel=channel).values("user_id")
    # Only members hear of a private channel's messages, mentioned or not.
    can_read = {"pk__in": members} if channel.kind == Channel.Kind.PRIVATE else {}
    found: list[Audience] = [
        mentions(
            message.body,
            title=f"{who} mentioned you in #{channel.slug}",
            readers=can_read,
            target_type="message",
            target_id=message.pk,
            url=url,
        )
    ]
    if message.parent is not None:
        thread = Message.objects.filter(parent=message.parent_id).values("author_id")
        found.append(
            Audience(
                kind=THREAD_REPLY,
                users=active_users(pk=message.parent.author_id) | active_users(pk__in=thread),
                title=f"{who} replied in a thread in #{channel.slug}",
                excerpt=plain_text(message.body, 200),
                target_type="message",
                target_id=message.pk,
                url=url,
            )
        )
    if channel.kind == Channel.Kind.ANNOUNCEMENT and message.parent is None:
        found.append(
            Audience(
                kind=ANNOUNCEMENT,
                users=active_users(),
                title=f"Announcement in #{channel.slug}: {short(plain_text(message.body, 80))}",
                excerpt=plain_text(message.body, 200),
                target_type="message",
                target_id=message.pk,
                url=url,
            )
        )
        return EventAudiences(
            actor_id=message.author_id,
            audiences=found,
            webhook_topic="announcement",
            webhook_message={
                "title": f"Announcement in #{channel.slug}",
                "description": plain_text(message.body, 1800),
                "url": url,
                "author": who,
            },
        )
    return EventAudiences(actor_id=message.author_id, audiences=found)


def simple(kind: str, title_key: str = "title") -> Any:
    """An event that tells one user one thing: payload has user_id, title, url, target."""

    def handler(payload: dict[str, Any]) -> EventAudiences:
        return EventAudiences(
            actor_id=payload.get("actor_id"),
            audiences=[
                Audience(
                    kind=kind,
                    users=active_users(pk__in=payload["user_ids"]),
                    title=payload[title_key],
                    target_type=payload["target_type"],
                    target_id=payload["target_id"],
                    url=payload["url"],
                    excerpt=payload.get("excerpt", ""),
                )
            ],
        )

    return handler


def register() -> None:
    for kind, plan in KINDS.items():
        services.register_kind(kind, plan)
    webhooks.register_topic("announcement")
    audiences.register("channel.invited", channel_invited)
    audiences.register("message.created", message_created)
    audiences.register("review.claimed", simple(REVIEW_CLAIMED))
    audiences.register("review.feedback", simple(REVIEW_FEEDBACK))
    audiences.register("mentorship.requested", simple(MENTORSHIP_REQUESTED))
    audiences.register("mentorship.answered", simple(MENTORSHIP_ANSWERED))
    audiences.register("thread.to_challenge", simple(ANSWER_INVITED))
