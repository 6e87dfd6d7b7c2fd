from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nexus.journeys.models import Evidence, Goal, JournalEntry


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Goals and journals are their learners' own, written through the API: staff may
    look (to answer a support question), never edit."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline[Evidence, Goal]):
    model = Evidence
    fields = ("position", "kind", "guide", "challenge", "solution", "review", "mentorship", "url")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "kind", "status", "progress", "target_date", "updated_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "owner__username")
    list_select_related = ("owner",)
    inlines = (EvidenceInline,)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    # The body is left out: private entries are their author's alone.
    list_display = ("title", "author", "date", "visibility", "created_at")
    list_filter = ("visibility",)
    search_fields = ("title", "author__username")
    list_select_related = ("author",)
    fields = ("author", "date", "title", "visibility", "created_at", "updated_at")
    date_hierarchy = "date"
