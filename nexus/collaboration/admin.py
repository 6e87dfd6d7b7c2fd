"""The collaboration hub in the admin: for looking, and for the few staff writes
that go through the services (renaming or archiving a channel, removing a message).

Everything else (posting, memberships, reviews, mentoring) is written by the
services, which keep counters, read markers and capacity right and record
events; here those records are read-only.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from nexus.accounts.models import User
from nexus.collaboration.models import (
    Channel,
    Membership,
    MentorProfile,
    Mentorship,
    Message,
    MessageRevision,
    ReviewClaim,
    ReviewFeedback,
    ReviewRequest,
)
from nexus.collaboration.services import channels as channel_services

EXCERPT = 80


def _actor(request: HttpRequest) -> User:
    # Only signed-in staff reach the admin's views.
    return cast(User, request.user)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Records that only services write: readable here, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Channels and messages ------------------------------------------------------------------


class MembershipInline(ReadOnlyInline):
    model = Membership
    fk_name = "channel"
    fields = ("user", "role", "can_invite", "invited_by", "last_read_id", "joined_at")
    readonly_fields = fields


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    """Staff rename, re-topic and archive channels here, through `channel_update`;
    channels are opened through the API, which makes their creator the owner."""

    list_display = (
        "slug",
        "name",
        "kind",
        "is_archived",
        "message_count",
        "last_message_at",
        "cohort",
        "created_by",
    )
    list_filter = ("kind", "is_archived")
    search_fields = ("slug", "name", "topic")
    list_select_related = ("cohort", "created_by")
    editable_fields = ("name", "topic", "is_archived")
    readonly_fields = (
        "slug",
        "kind",
        "cohort",
        "technology",
        "created_by",
        "message_count",
        "last_message_id",
        "last_message_at",
        "created_at",
        "updated_at",
    )
    fields = (*editable_fields, *readonly_fields)
    inlines = (MembershipInline,)
    actions = ("archive", "unarchive")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead: the history stays

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        data = {name: value for name, value in changed.items() if name in self.editable_fields}
        if data:
            channel_services.channel_update(actor=_actor(request), slug=obj.slug, data=data)

    def _set_archived(self, request: HttpRequest, queryset: QuerySet[Channel], value: bool) -> int:
        slugs = list(queryset.exclude(is_archived=value).values_list("slug", flat=True))
        for slug in slugs:
            channel_services.channel_update(
                actor=_actor(request), slug=slug, data={"is_archived": value}
            )
        return len(slugs)

    @admin.action(description="Archive the selected channels (history stays, no new posts)")
    def archive(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        self.message_user(request, f"Archived {self._set_archived(request, queryset, True)}.")

    @admin.action(description="Reopen the selected archived channels")
    def unarchive(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        self.message_user(request, f"Reopened {self._set_archived(request, queryset, False)}.")


class MessageRevisionInline(ReadOnlyInline):
    model = MessageRevision
    fields = ("created_at", "edited_by", "body")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Messages and their edit history; staff remove a message (softly) with the action."""

    list_display = (
        "id",
        "channel",
        "author",
        "excerpt",
        "parent",
        "is_pinned",
        "reply_count",
        "created_at",
        "is_deleted",
    )
    list_filter = ("channel", ("deleted_at", admin.EmptyFieldListFilter), "is_pinned")
    search_fields = ("body", "author__username")
    list_select_related = ("channel", "author")
    date_hierarchy = "created_at"
    fields = (
        "channel",
        "author",
        "parent",
        "body",
        "body_html",
        "is_pinned",
        "reply_count",
        "last_reply_at",
        "edited_at",
        "deleted_at",
        "deleted_by",
        "challenge",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (MessageRevisionInline,)
    actions = ("remove",)

    @admin.display(description="body")
    def excerpt(self, obj: Message) -> str:
        return _excerpt(obj.body)

    @admin.display(boolean=True, description="deleted")
    def is_deleted(self, obj: Message) -> bool:
        return obj.is_deleted

    @admin.action(description="Delete the selected messages (soft: replies stay)")
    def remove(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        ids = list(queryset.filter(deleted_at__isnull=True).values_list("pk", flat=True))
        for message_id in ids:
            channel_services.message_delete(actor=_actor(request), message_id=message_id)
        self.message_user(request, f"Deleted {len(ids)} message(s).")


# --- Peer reviews ------------------------------------------------------------------------------


class ReviewClaimInline(ReadOnlyInline):
    model = ReviewClaim
    fields = ("reviewer", "created_at")
    readonly_fields = fields


class ReviewFeedbackInline(ReadOnlyInline):
    model = ReviewFeedback
    fields = ("reviewer", "verdict", "rating", "is_helpful", "body", "created_at")
    readonly_fields = fields


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "author",
        "status",
        "reviewer_track",
        "claim_count",
        "max_reviewers",
        "feedback_count",
        "created_at",
    )
    list_filter = ("status", "reviewer_track", "technologies")
    search_fields = ("title", "url", "author__username")
    list_select_related = ("author",)
    date_hierarchy = "created_at"
    fields = (
        "title",
        "author",
        "url",
        "focus",
        "technologies",
        "reviewer_track",
        "max_reviewers",
        "status",
        "claim_count",
        "feedback_count",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (ReviewClaimInline, ReviewFeedbackInline)


# --- Mentoring ---------------------------------------------------------------------------------


@admin.register(MentorProfile)
class MentorProfileAdmin(ReadOnlyAdmin):
    """Mentors keep their own offer (`me/mentor-profile/`); `active_count` is kept
    by accepting and ending mentorships, under a lock."""

    list_display = ("user", "capacity", "active_count", "is_accepting", "updated_at")
    list_filter = ("is_accepting", "technologies", "concepts")
    search_fields = ("user__username", "about")
    list_select_related = ("user",)
    fields = (
        "user",
        "technologies",
        "concepts",
        "capacity",
        "active_count",
        "is_accepting",
        "about",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(Mentorship)
class MentorshipAdmin(ReadOnlyAdmin):
    """Requests, answers and endings go through the services, which keep each
    mentor's `active_count`; notes stay between mentor and mentee."""

    list_display = ("mentor", "mentee", "status", "created_at", "accepted_at", "ended_at")
    list_filter = ("status",)
    search_fields = ("mentor__username", "mentee__username", "goals")
    list_select_related = ("mentor", "mentee")
    date_hierarchy = "created_at"
    fields = ("mentor", "mentee", "goals", "status", "accepted_at", "ended_at", "created_at")
    readonly_fields = fields
