from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    ModerationAction,
    ReputationEvent,
    Solution,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Records that only services write: readable here, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    """Moderation goes through the API so that it is logged; this is for looking."""

    list_display = ("title", "status", "author", "score", "solution_count", "is_hidden")
    list_filter = ("status", "is_hidden", "technologies")
    search_fields = ("title", "author__username")
    list_select_related = ("author",)
    date_hierarchy = "created_at"


@admin.register(Solution)
class SolutionAdmin(ReadOnlyAdmin):
    list_display = ("id", "challenge", "author", "score", "is_accepted", "is_hidden")
    list_filter = ("is_accepted", "is_hidden")
    search_fields = ("challenge__title", "author__username")
    list_select_related = ("challenge", "author")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("id", "author", "challenge", "solution", "is_hidden", "created_at")
    list_filter = ("is_hidden",)
    search_fields = ("body", "author__username")
    list_select_related = ("author", "challenge", "solution")


@admin.register(ChallengeRevision)
class ChallengeRevisionAdmin(ReadOnlyAdmin):
    list_display = ("challenge", "number", "editor", "created_at")
    search_fields = ("challenge__title",)
    list_select_related = ("challenge", "editor")


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("reason", "actor__username", "challenge__title")
    list_select_related = ("actor",)


@admin.register(ReputationEvent)
class ReputationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "reason", "points", "challenge")
    list_filter = ("reason",)
    search_fields = ("user__username",)
    list_select_related = ("user", "challenge")
