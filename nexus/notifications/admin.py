"""The notifications app in the admin: mostly for looking; the writes go through services.

A webhook's URL is its secret (whoever has it can post to the channel), so the
admin never shows it: only its host. Webhooks are added through the API, which
checks the URL; here staff only switch them on or off.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from nexus.notifications import services
from nexus.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutboxEvent,
    Webhook,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Records that only services write: readable here, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def happened_filter(field: str, title: str) -> type[admin.SimpleListFilter]:
    """A yes/no filter on whether the datetime `field` is set (`?published=no`)."""

    class Happened(admin.SimpleListFilter):
        parameter_name = field.removesuffix("_at")

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [("yes", "Yes"), ("no", "No")]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            if self.value() not in ("yes", "no"):
                return queryset
            return queryset.filter(**{f"{field}__isnull": self.value() == "no"})

    Happened.title = title
    return Happened


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "name",
        "created_at",
        "published_at",
        "processed_at",
        "publish_attempts",
        "last_error",
    )
    list_filter = (
        happened_filter("published_at", "published"),
        happened_filter("processed_at", "processed"),
        "name",
    )
    search_fields = ("name",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "is_read", "email_plan")
    list_filter = ("kind", happened_filter("read_at", "read"), "email_plan")
    search_fields = ("recipient__username", "title")
    list_select_related = ("recipient",)

    @admin.display(boolean=True, description="read")
    def is_read(self, obj: Notification) -> bool:
        return obj.is_read


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    """Users set these themselves; staff may change a plan for someone who asks."""

    list_display = ("user", "kind", "email")
    list_filter = ("kind", "email")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "kind", "email")
    readonly_fields = ("user", "kind")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: NotificationPreference, form: Any, change: bool
    ) -> None:
        services.preferences_update(user=obj.user, data={obj.kind: obj.email})


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    list_display = ("name", "host", "events", "is_active", "created_at")
    list_filter = ("is_active",)
    list_editable = ("is_active",)
    search_fields = ("name",)
    # `url` is left out on purpose: only its host is ever shown.
    fields = (
        "name",
        "host",
        "events",
        "technologies",
        "is_active",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "name",
        "host",
        "events",
        "technologies",
        "created_by",
        "created_at",
        "updated_at",
    )

    @admin.display(description="host")
    def host(self, obj: Webhook) -> str:
        return urlsplit(obj.url).hostname or "?"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        # Django would build a form of every field, `url` included, and then use one.
        return super().get_changelist_form(request, fields=self.list_editable, **kwargs)

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        services.webhook_update(
            actor=request.user,  # type: ignore[arg-type]
            webhook_id=obj.pk,
            data={"is_active": obj.is_active},
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Dead-lettered deliveries (`?status__exact=dead`) can be sent again from here."""

    list_display = (
        "created_at",
        "channel",
        "status",
        "recipient",
        "webhook",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("key", "recipient__username")
    list_select_related = ("recipient", "webhook")
    actions = ("retry_dead",)

    @admin.action(description="Retry selected dead deliveries")
    def retry_dead(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        dead = list(queryset.filter(status=Delivery.Status.DEAD).values_list("pk", flat=True))
        for delivery_id in dead:
            services.delivery_retry(actor=request.user, delivery_id=delivery_id)  # type: ignore[arg-type]
        skipped = queryset.count() - len(dead)
        note = f"; {skipped} not dead, left alone" if skipped else ""
        self.message_user(request, f"Queued {len(dead)} dead delivery(ies) again{note}.")
