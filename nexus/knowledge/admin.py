from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from nexus.knowledge import services
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology


class ReferenceAdmin(admin.ModelAdmin[Any]):
    """Edits here reach the caches and the search index as the API's do."""

    link: str  # what `services.reference_changed` calls it

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        services.reference_changed(
            self.link, obj.pk, renamed=change and "name" in form.changed_data
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.references_delete(self.link, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        services.references_delete(self.link, queryset)


@admin.register(Technology)
class TechnologyAdmin(ReferenceAdmin):
    link = "technology"
    list_display = ("name", "slug", "category", "updated_at")
    list_filter = ("category",)
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_by", "created_at", "updated_at")
    # A docs link typed without a scheme is taken as https, Django 6's default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Concept)
class ConceptAdmin(ReferenceAdmin):
    link = "concept"
    list_display = ("name", "slug", "updated_at")
    list_filter = ("technologies",)
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("technologies",)
    readonly_fields = ("created_by", "created_at", "updated_at")


@admin.register(Tag)
class TagAdmin(ReferenceAdmin):
    link = "tag"
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")


class GuideRevisionInline(admin.TabularInline[GuideRevision, Guide]):
    model = GuideRevision
    fields = ("number", "title", "message", "editor", "restored_from", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin[Guide]):
    """Guides are edited through the API so every change leaves a revision;
    the admin shows them and lets staff publish, unpublish, relink or restore
    them. It never deletes one: deleting is the API's soft delete, which keeps
    the history."""

    list_display = ("title", "kind", "status", "author", "revision_count", "deleted_at")
    list_filter = ("kind", "status", "technologies", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "slug", "author__username")
    list_select_related = ("author",)
    readonly_fields = (
        "slug",
        "title",
        "body",
        "body_html",
        "author",
        "current_revision",
        "revision_count",
        "published_at",
        "deleted_at",
        "deleted_by",
        "created_at",
        "updated_at",
    )
    fields = ("status", "kind", "technologies", "concepts", "tags", "co_editors", *readonly_fields)
    filter_horizontal = ("technologies", "concepts", "tags", "co_editors")
    inlines = (GuideRevisionInline,)
    actions = ("restore_deleted",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a guide starts in the API, with its first revision

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Guide, form: ModelForm[Guide], change: bool
    ) -> None:
        obj._counted_before = services.guide_saving_in_admin(obj)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm[Guide], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.guide_changed_in_admin(form.instance, form.instance._counted_before)  # type: ignore[attr-defined]

    @admin.action(description="Restore the selected deleted guides")
    def restore_deleted(self, request: HttpRequest, queryset: Any) -> None:
        deleted = list(queryset.filter(deleted_at__isnull=False).values_list("slug", flat=True))
        for slug in deleted:
            services.guide_undelete(actor=request.user, slug=slug)  # type: ignore[arg-type]
        self.message_user(request, f"Restored {len(deleted)} guide(s).")


@admin.register(GuideRevision)
class GuideRevisionAdmin(admin.ModelAdmin[GuideRevision]):
    """Revisions are immutable: readable here, never changed or deleted."""

    list_display = ("guide", "number", "editor", "message", "created_at")
    search_fields = ("guide__title", "title", "message", "editor__username")
    list_filter = ("created_at",)
    list_select_related = ("guide", "editor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
