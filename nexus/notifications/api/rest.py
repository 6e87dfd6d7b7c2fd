"""REST door of the notifications app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserRefSerializer
from nexus.core.api.rest import actor, body_object
from nexus.core.pagination import CursorPagination
from nexus.knowledge.api.rest import RefSerializer
from nexus.notifications import selectors, services
from nexus.notifications.models import Notification, Webhook


class NotificationSerializer(serializers.Serializer[Notification]):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)
    excerpt = serializers.CharField(read_only=True)
    target_type = serializers.CharField(read_only=True)
    target_id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="API path of what it is about.")
    is_read = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class NotificationPagination(CursorPagination):
    """Cursor pages that also say how many of the user's notifications are unread."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.user = actor(request)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread_count"] = selectors.unread_count(user=self.user)
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread_count"] = {"type": "integer", "example": 3}
        paginated.setdefault("required", []).append("unread_count")
        return paginated


class MarkReadSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    all = serializers.BooleanField(required=False)


class MarkedSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(help_text="How many went from unread to read.")
    unread_count = serializers.IntegerField()


class UnsubscribedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    kind = serializers.CharField()


class WebhookSerializer(serializers.Serializer[Webhook]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=80)
    url = serializers.URLField(write_only=True, help_text="https only; never shown again.")
    events = serializers.ListField(child=serializers.CharField())
    technologies = RefSerializer(many=True, read_only=True)
    is_active = serializers.BooleanField(required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class WebhookWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    url = serializers.URLField(help_text="A Discord webhook URL: https on a public address.")
    events = serializers.ListField(
        child=serializers.CharField(), help_text="announcement, challenge.created, challenge.solved"
    )
    technologies = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Only events about these."
    )
    is_active = serializers.BooleanField(required=False)


@extend_schema_view(
    get=extend_schema(
        tags=["notifications"],
        summary="My notifications, newest first",
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.STR, enum=["true", "false"]),
            OpenApiParameter("kind", OpenApiTypes.STR, description="Only this kind."),
        ],
    )
)
class NotificationListView(generics.ListAPIView[Notification]):
    serializer_class = NotificationSerializer
    permission_classes = (permissions.IsAuthenticated,)
    pagination_class = NotificationPagination
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at", "-id")
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list(
            user=actor(self.request), filters=self.request.query_params
        )


class NotificationReadView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["notifications"],
        summary="Mark notifications read",
        description='`{"ids": [1, 2]}` marks those (all must be yours); `{"all": true}` all.',
        request=MarkReadSerializer,
        responses={200: MarkedSerializer},
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        marked = services.notifications_mark_read(user=user, data=body_object(request))
        return Response({"marked": marked, "unread_count": selectors.unread_count(user=user)})


class PreferencesView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["notifications"],
        summary="My email preferences per kind",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(services.preferences_get(user=actor(request)))

    @extend_schema(
        tags=["notifications"],
        summary="Change email preferences",
        description='E.g. `{"comment_posted": "weekly", "mentioned": "never"}`. In-app '
        "notifications always arrive.",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def patch(self, request: Request) -> Response:
        return Response(services.preferences_update(user=actor(request), data=body_object(request)))


class UnsubscribeView(APIView):
    """Email links land here: no login, the signed token says who and what."""

    permission_classes = (permissions.AllowAny,)
    authentication_classes = ()

    @extend_schema(
        tags=["notifications"],
        summary="Unsubscribe from an email link (no login)",
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, required=True)],
        responses={200: UnsubscribedSerializer},
    )
    def get(self, request: Request) -> Response:
        return self._unsubscribe(request.query_params.get("token"))

    @extend_schema(
        tags=["notifications"],
        summary="One-click unsubscribe (mail clients)",
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, required=True)],
        request=None,
        responses={200: UnsubscribedSerializer},
    )
    def post(self, request: Request) -> Response:
        return self._unsubscribe(request.query_params.get("token"))

    def _unsubscribe(self, token: Any) -> Response:
        _user, kind = services.unsubscribe(token=token)
        what = "any Nexus emails" if kind == "all" else f"emails about {kind.replace('_', ' ')}"
        return Response({"detail": f"You will not get {what} any more.", "kind": kind})


@extend_schema_view(get=extend_schema(tags=["webhooks"], summary="Outgoing webhooks (staff)"))
class WebhookListView(generics.ListAPIView[Webhook]):
    serializer_class = WebhookSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("name", "id")
    ordering_fields = ("name", "created_at")

    def get_queryset(self) -> QuerySet[Webhook]:
        return selectors.webhook_list(viewer=actor(self.request))

    @extend_schema(
        tags=["webhooks"],
        summary="Add a Discord webhook (staff)",
        request=WebhookWriteSerializer,
        responses={201: WebhookSerializer},
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        webhook = services.webhook_create(actor=user, data=body_object(request))
        shown = selectors.webhook_get(viewer=user, webhook_id=webhook.pk)
        return Response(WebhookSerializer(shown).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["webhooks"], summary="A webhook (staff)", responses={200: WebhookSerializer}
    )
    def get(self, request: Request, webhook_id: int) -> Response:
        webhook = selectors.webhook_get(viewer=actor(request), webhook_id=webhook_id)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(
        tags=["webhooks"],
        summary="Change a webhook (staff)",
        request=WebhookWriteSerializer(partial=True),
        responses={200: WebhookSerializer},
    )
    def patch(self, request: Request, webhook_id: int) -> Response:
        user = actor(request)
        services.webhook_update(actor=user, webhook_id=webhook_id, data=body_object(request))
        webhook = selectors.webhook_get(viewer=user, webhook_id=webhook_id)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(tags=["webhooks"], summary="Remove a webhook (staff)", responses={204: None})
    def delete(self, request: Request, webhook_id: int) -> Response:
        services.webhook_delete(actor=actor(request), webhook_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notification-list"),
    path("notifications/read/", NotificationReadView.as_view(), name="notification-read"),
    path(
        "notifications/unsubscribe/",
        UnsubscribeView.as_view(),
        name="notification-unsubscribe",
    ),
    path(
        "me/notification-preferences/",
        PreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("webhooks/", WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<int:webhook_id>/", WebhookDetailView.as_view(), name="webhook-detail"),
]
