"""Who may read, post in and manage channels."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nexus.collaboration.models import Channel, Membership
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.core.permissions import is_staff


def membership(user: Any, channel: Channel) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(channel=channel, user=user).first()


def can_read(user: Any, channel: Channel, member: Membership | None) -> bool:
    """Public and announcement channels are read by everyone signed in; private
    ones by their members and staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if channel.kind != Channel.Kind.PRIVATE:
        return True
    return member is not None or is_staff(user)


def check_can_read(user: Any, channel: Channel, member: Membership | None) -> None:
    if not can_read(user, channel, member):
        raise NotFound(f"No channel '{channel.slug}'.")


def check_can_post(user: Any, channel: Channel, member: Membership | None) -> None:
    """Members post; only staff post in announcement channels; nobody in archived ones."""
    check_can_read(user, channel, member)
    if channel.is_archived:
        raise ValidationError(
            f"#{channel.slug} is archived: it keeps its history but takes no new messages.",
            errors={"channel": ["Archived."]},
        )
    if channel.kind == Channel.Kind.ANNOUNCEMENT and not is_staff(user):
        raise PermissionDenied("Only staff post in announcement channels.")
    if channel.kind == Channel.Kind.PRIVATE and member is None:
        raise PermissionDenied("Only members post in a private channel.")


def check_can_manage(user: Any, channel: Channel, member: Membership | None) -> None:
    if not (is_staff(user) or (member is not None and member.role == Membership.Role.OWNER)):
        raise PermissionDenied("Only the channel's owner or staff manage it.")


def check_can_invite(user: Any, channel: Channel, member: Membership | None) -> None:
    if is_staff(user):
        return
    if member is None:
        raise PermissionDenied("Only members invite people to a channel.")
    if channel.kind == Channel.Kind.PRIVATE and not (
        member.can_invite or member.role == Membership.Role.OWNER
    ):
        raise PermissionDenied("You are a member, but not one who may invite.")


def readable_channels(queryset: QuerySet[Channel], user: Any) -> QuerySet[Channel]:
    """The channels of `queryset` the user may read: all but private ones, and the
    private ones they belong to.

    Membership is a subquery, not a join: joined to every membership of every
    channel and made DISTINCT, each channel came once per member, and the
    channel list computed its per-row subqueries for every one of those rows
    before the DISTINCT (over ten minutes at a million challenges)."""
    if is_staff(user):
        return queryset
    return queryset.filter(
        ~Q(kind=Channel.Kind.PRIVATE) | Q(pk__in=joined_private_channel_ids(user))
    )


def joined_private_channel_ids(user: Any) -> QuerySet[Membership, Any]:
    """The ids (`channel_id`) of the private channels `user` belongs to: the
    private ones `readable_channels` lets a member who is not staff read, and a
    subquery for filters over other tables (search documents), bounded by the
    user's own memberships."""
    return Membership.objects.filter(user_id=user.pk, channel__kind=Channel.Kind.PRIVATE).values(
        "channel_id"
    )
