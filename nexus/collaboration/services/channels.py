"""Writes of channels and messages: one function per use case.

Every write that others should see live pushes an event to the channel's
WebSocket group after commit; writes others should hear about record an
outbox event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from nexus.accounts.models import User
from nexus.collaboration import permissions
from nexus.collaboration.models import Channel, Membership, Message, MessageRevision, Reaction
from nexus.core import live
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.permissions import is_staff
from nexus.core.validation import Errors, clean_text, raise_if, unknown_fields
from nexus.notifications import events
from nexus.search.indexing import index_on_commit

MESSAGE_MAX = 10_000
TOPIC_MAX = 300


def _channel(slug: str, *, lock: bool = False) -> Channel:
    queryset = Channel.objects.select_for_update() if lock else Channel.objects
    channel = queryset.filter(slug=slug).first()
    if channel is None:
        raise NotFound(f"No channel '{slug}'.")
    return channel


def _push_message(kind: str, message: Message) -> None:
    # Only the id travels: each connection shows the message as REST shows it to
    # that viewer (their own reactions marked), loading it when the event arrives.
    live.push_on_commit(live.channel_group(message.channel_id), {"type": kind, "id": message.pk})


# --- Channels and members -------------------------------------------------------------------


CHANNEL_FIELDS = {"name", "slug", "kind", "topic", "cohort", "technology", "is_archived"}


@transaction.atomic
def channel_create(*, actor: User, data: Mapping[str, Any]) -> Channel:
    """Open a channel; its creator owns it. Announcement channels are staff's."""
    errors: Errors = unknown_fields(data, CHANNEL_FIELDS)
    name = clean_text(errors, "name", data.get("name"), max_length=80)
    slug = data.get("slug") or slugify(name)[:80]
    if not isinstance(slug, str) or not slug or slugify(slug) != slug:
        errors["slug"] = ["Lowercase letters, digits and hyphens, e.g. prodev-project-nexus."]
    kind = data.get("kind", Channel.Kind.PUBLIC)
    if kind not in Channel.Kind.values:
        errors["kind"] = [f"One of: {', '.join(Channel.Kind.values)}."]
    topic = clean_text(errors, "topic", data.get("topic", ""), max_length=TOPIC_MAX, min_length=0)
    links = _links(errors, data)
    raise_if(errors)
    if kind == Channel.Kind.ANNOUNCEMENT and not is_staff(actor):
        raise PermissionDenied("Only staff open announcement channels.")
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                slug=slug, name=name, kind=kind, topic=topic, created_by=actor, **links
            )
    except IntegrityError as exc:
        raise ValidationError(errors={"slug": [f"#{slug} exists already."]}) from exc
    Membership.objects.create(
        channel=channel, user=actor, role=Membership.Role.OWNER, can_invite=True
    )
    return channel


def _links(errors: Errors, data: Mapping[str, Any]) -> dict[str, Any]:
    from nexus.accounts.models import Cohort
    from nexus.knowledge.models import Technology

    links: dict[str, Any] = {}
    for field, model in (("cohort", Cohort), ("technology", Technology)):
        if data.get(field) in (None, ""):
            continue
        value = data[field]
        found = model.objects.filter(slug=value).first() if isinstance(value, str) else None
        if found is None:
            errors[field] = [f"No {field} '{value}'."]
        links[field] = found
    return links


@transaction.atomic
def channel_update(*, actor: User, slug: str, data: Mapping[str, Any]) -> Channel:
    """Rename, re-topic or archive a channel: its owner or staff."""
    channel = _channel(slug, lock=True)
    member = permissions.membership(actor, channel)
    permissions.check_can_read(actor, channel, member)
    permissions.check_can_manage(actor, channel, member)
    allowed = {"name", "topic", "is_archived", "cohort", "technology"}
    errors: Errors = {key: ["Cannot be changed here."] for key in sorted(set(data) - allowed)}
    if "name" in data:
        channel.name = clean_text(errors, "name", data["name"], max_length=80)
    if "topic" in data:
        channel.topic = clean_text(
            errors, "topic", data["topic"], max_length=TOPIC_MAX, min_length=0
        )
    if "is_archived" in data:
        if not isinstance(data["is_archived"], bool):
            errors["is_archived"] = ["true or false."]
        else:
            channel.is_archived = data["is_archived"]
    for field, value in _links(errors, data).items():
        setattr(channel, field, value)
    raise_if(errors)
    channel.save()
    return channel


@transaction.atomic
def channel_join(*, actor: User, slug: str) -> Membership:
    """Join a public or announcement channel (idempotent); private ones need an invitation."""
    channel = _channel(slug)
    member = permissions.membership(actor, channel)
    if member is not None:
        return member
    if channel.kind == Channel.Kind.PRIVATE and not is_staff(actor):
        raise NotFound(f"No channel '{slug}'.")
    member, _ = Membership.objects.get_or_create(
        channel=channel, user=actor, defaults={"last_read_id": channel.last_message_id}
    )
    return member


@transaction.atomic
def channel_leave(*, actor: User, slug: str) -> None:
    channel = _channel(slug)
    deleted, _ = Membership.objects.filter(channel=channel, user=actor).delete()
    if not deleted:
        raise ValidationError(errors={"channel": ["You are not a member."]})


@transaction.atomic
def member_invite(*, actor: User, slug: str, username: Any, can_invite: bool = False) -> Membership:
    """Add someone to a channel. In a private channel, only members allowed to invite
    (its owner, those it allowed, staff) may. Notifies the invited person."""
    channel = _channel(slug, lock=True)
    member = permissions.membership(actor, channel)
    permissions.check_can_read(actor, channel, member)
    permissions.check_can_invite(actor, channel, member)
    if not isinstance(username, str) or not username:
        raise ValidationError(errors={"username": ["A username."]})
    invitee = User.objects.filter(username=username, is_active=True).first()
    if invitee is None:
        raise ValidationError(errors={"username": [f"No user '{username}'."]})
    existing = Membership.objects.filter(channel=channel, user=invitee).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(
        channel=channel,
        user=invitee,
        invited_by=actor,
        can_invite=bool(can_invite) and member is not None and member.role == "owner",
        last_read_id=channel.last_message_id,
    )
    events.record("channel.invited", channel_id=channel.pk, user_id=invitee.pk, actor_id=actor.pk)
    return membership


@transaction.atomic
def member_remove(*, actor: User, slug: str, username: str) -> None:
    """Remove a member: the owner or staff (or the member themself, as leaving)."""
    channel = _channel(slug, lock=True)
    member = permissions.membership(actor, channel)
    permissions.check_can_read(actor, channel, member)
    if username != actor.username:
        permissions.check_can_manage(actor, channel, member)
    target = Membership.objects.filter(channel=channel, user__username=username).first()
    if target is None:
        raise NotFound(f"'{username}' is not a member of #{slug}.")
    if target.role == Membership.Role.OWNER and username != actor.username:
        raise PermissionDenied("The owner cannot be removed; staff can archive the channel.")
    target.delete()


def channel_mark_read(*, actor: User, slug: str, last_read: Any) -> Membership:
    """Move the reader's marker forward to message `last_read` (never backward)."""
    channel = _channel(slug)
    member = permissions.membership(actor, channel)
    if member is None:
        raise ValidationError(errors={"channel": ["Join the channel to keep a read marker."]})
    if isinstance(last_read, bool) or not isinstance(last_read, int) or last_read < 0:
        raise ValidationError(errors={"last_read": ["A message id."]})
    if last_read > channel.last_message_id:
        raise ValidationError(errors={"last_read": ["No such message in this channel."]})
    Membership.objects.filter(pk=member.pk, last_read_id__lt=last_read).update(
        last_read_id=last_read
    )
    member.refresh_from_db()
    return member


# --- Messages ----------------------------------------------------------------------------------


@transaction.atomic
def message_post(*, actor: User, slug: str, data: Mapping[str, Any]) -> Message:
    """Post a message, or a reply when `parent` names a message of the channel.

    Posting in a public channel joins it. Mentions and thread replies are
    notified; connected members see it live. Raises NotFound, PermissionDenied,
    ValidationError.
    """
    channel = _channel(slug, lock=True)
    member = permissions.membership(actor, channel)
    permissions.check_can_post(actor, channel, member)
    errors: Errors = unknown_fields(data, {"body", "parent", "pinned"})
    body = clean_text(errors, "body", data.get("body"), max_length=MESSAGE_MAX)
    parent: Message | None = None
    if data.get("parent") is not None:
        parent_id = data["parent"]
        if isinstance(parent_id, bool) or not isinstance(parent_id, int):
            errors["parent"] = ["A message id."]
        else:
            parent = (
                Message.objects.select_for_update()
                .filter(pk=parent_id, channel=channel, deleted_at__isnull=True)
                .first()
            )
            if parent is None:
                errors["parent"] = ["No such message in this channel."]
            elif parent.parent_id is not None:
                errors["parent"] = ["Reply to the thread's first message."]
    pinned = data.get("pinned", False)
    if not isinstance(pinned, bool):
        errors["pinned"] = ["true or false."]
    elif pinned and not is_staff(actor):
        errors["pinned"] = ["Only staff pin messages."]
    raise_if(errors)
    message = Message.objects.create(
        channel=channel,
        author=actor,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        is_pinned=bool(pinned) and parent is None,
    )
    now = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(
        message_count=F("message_count") + 1, last_message_id=message.pk, last_message_at=now
    )
    if parent is not None:
        Message.objects.filter(pk=parent.pk).update(
            reply_count=F("reply_count") + 1, last_reply_at=now
        )
    if member is None:
        Membership.objects.get_or_create(channel=channel, user=actor)
    Membership.objects.filter(channel=channel, user=actor, last_read_id__lt=message.pk).update(
        last_read_id=message.pk
    )
    events.record(
        "message.created", message_id=message.pk, channel_id=channel.pk, actor_id=actor.pk
    )
    index_on_commit("message", message.pk)
    _push_message("message.created", message)
    return message


def _own_message(actor: User, message_id: int, *, staff_too: bool) -> Message:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("channel")
        .filter(pk=message_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise NotFound(f"No message {message_id}.")
    permissions.check_can_read(
        actor, message.channel, permissions.membership(actor, message.channel)
    )
    if message.author_id != actor.pk and not (staff_too and is_staff(actor)):
        raise PermissionDenied("Only its author" + (" or staff" if staff_too else "") + " may.")
    return message


@transaction.atomic
def message_edit(*, actor: User, message_id: int, data: Mapping[str, Any]) -> Message:
    """Edit a message (its author); the text it had is kept in its history."""
    message = _own_message(actor, message_id, staff_too=False)
    if message.channel.is_archived:
        raise ValidationError(errors={"channel": ["Archived."]})
    errors: Errors = unknown_fields(data, {"body"})
    body = clean_text(errors, "body", data.get("body"), max_length=MESSAGE_MAX)
    raise_if(errors)
    if body == message.body:
        return message
    MessageRevision.objects.create(message=message, body=message.body, edited_by=actor)
    message.body = body
    message.body_html = render_markdown(body)
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
    index_on_commit("message", message.pk)
    _push_message("message.updated", message)
    return message


@transaction.atomic
def message_delete(*, actor: User, message_id: int) -> None:
    """Soft-delete a message: its author or staff. Replies stay. The channel's
    message count and the parent's reply count stop counting it, as the reads do."""
    message = _own_message(actor, message_id, staff_too=True)
    message.deleted_at = timezone.now()
    message.deleted_by = actor
    message.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    Channel.objects.filter(pk=message.channel_id).update(message_count=F("message_count") - 1)
    if message.parent_id is not None:
        Message.objects.filter(pk=message.parent_id).update(reply_count=F("reply_count") - 1)
    index_on_commit("message", message.pk)
    channel_id, message_pk = message.channel_id, message.pk
    live.push_on_commit(
        live.channel_group(channel_id), {"type": "message.deleted", "id": message_pk}
    )


def _readable_message(actor: User, message_id: int) -> Message:
    message = (
        Message.objects.select_related("channel")
        .filter(pk=message_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise NotFound(f"No message {message_id}.")
    member = permissions.membership(actor, message.channel)
    permissions.check_can_read(actor, message.channel, member)
    return message


def reaction_set(*, actor: User, message_id: int, emoji: Any, present: bool) -> bool:
    """Add or remove one of the fixed emoji on a message; one of each per person,
    idempotent and safe when the same reaction arrives twice at once."""
    if emoji not in Reaction.Emoji.values:
        raise ValidationError(errors={"emoji": [f"One of: {' '.join(Reaction.Emoji.values)}"]})
    message = _readable_message(actor, message_id)
    changed = False
    if present:
        try:
            with transaction.atomic():
                _, changed = Reaction.objects.get_or_create(
                    message=message, user=actor, emoji=emoji
                )
        except IntegrityError:
            changed = False  # the same reaction landed a moment earlier
    else:
        deleted, _ = Reaction.objects.filter(message=message, user=actor, emoji=emoji).delete()
        changed = bool(deleted)
    if changed:
        live.push_on_commit(
            live.channel_group(message.channel_id),
            {
                "type": "reaction.added" if present else "reaction.removed",
                "reaction": {
                    "message": message.pk,
                    "emoji": emoji,
                    "user": {"username": actor.username, "display_name": actor.display_name},
                },
            },
        )
    return changed


@transaction.atomic
def message_to_challenge(*, actor: User, message_id: int, data: Mapping[str, Any]) -> Any:
    """Turn a thread into a challenge asked by the thread's author, with the thread as
    context, links both ways, and the repliers invited to answer it as solutions."""
    from nexus.challenges import services as challenge_services

    message = _readable_message(actor, message_id)
    member = permissions.membership(actor, message.channel)
    if member is None and not is_staff(actor):
        raise PermissionDenied("Members of the channel turn its threads into challenges.")
    if message.parent_id is not None:
        raise ValidationError(errors={"message": ["Start from the thread's first message."]})
    if message.challenge_id is not None:
        raise ValidationError(
            "This thread is a challenge already.",
            errors={"message": ["Already a challenge."]},
            extra={"challenge": message.challenge_id},
        )
    title = data.get("title") or message.body.strip().splitlines()[0][:200]
    channel = message.channel
    context = (
        f"{message.body}\n\n---\n*Asked in a thread of #{channel.slug}: "
        f"[the conversation](/api/v1/channels/{channel.slug}/messages/?parent={message.pk}).*"
    )
    challenge = challenge_services.challenge_create(
        actor=message.author,
        data={
            "title": title,
            "body": context,
            **{key: data[key] for key in ("technologies", "concepts", "tags") if key in data},
        },
    )
    Message.objects.filter(pk=message.pk).update(challenge=challenge)
    repliers = list(
        Message.objects.filter(parent=message, deleted_at__isnull=True)
        .exclude(author=message.author)
        .values_list("author_id", flat=True)
        .distinct()
    )
    if repliers:
        events.record(
            "thread.to_challenge",
            user_ids=repliers,
            actor_id=actor.pk,
            title=f"Your answer in #{channel.slug} is wanted on “{challenge.title[:80]}”",
            target_type="challenge",
            target_id=challenge.pk,
            url=f"/api/v1/challenges/{challenge.pk}/",
        )
    return challenge
