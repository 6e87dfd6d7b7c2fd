"""REST door of journals: mine, and a learner's as I may read it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserRefSerializer
from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters
from nexus.journeys import selectors, services
from nexus.journeys.filters import JournalFilter
from nexus.journeys.models import JournalEntry
from nexus.knowledge.api.rest import RefSerializer

# --- Serializers ----------------------------------------------------------------------


class JournalChallengeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class JournalEntrySerializer(serializers.Serializer[JournalEntry]):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True, help_text="Markdown, as written.")
    body_html = serializers.CharField(read_only=True, help_text="Rendered and sanitised.")
    visibility = serializers.CharField(read_only=True, help_text="private, cohort or public.")
    author = UserRefSerializer(read_only=True)
    technologies = RefSerializer(many=True, read_only=True)
    challenges = JournalChallengeSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="Its address for those who may read it.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_url(self, entry: JournalEntry) -> str:
        return selectors.journal_entry_url(entry)


class JournalEntryWriteSerializer(serializers.Serializer[Any]):
    """What an entry is written with. On PATCH every field is optional."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text="Markdown.")
    date = serializers.DateField(required=False, help_text="YYYY-MM-DD; today by default.")
    visibility = serializers.ChoiceField(
        choices=JournalEntry.Visibility.choices,
        required=False,
        help_text="private (the default), cohort or public.",
    )
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    challenges = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Challenge ids."
    )


def _entry(request: Request, entry_id: int, code: int = status.HTTP_200_OK) -> Response:
    entry = selectors.journal_entry_get(viewer=actor(request), entry_id=entry_id)
    return Response(JournalEntrySerializer(entry).data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=["journeys"],
        summary="My journal",
        description="Newest day first.",
        parameters=filter_parameters(JournalFilter),
    )
)
class JournalListView(generics.ListAPIView[JournalEntry]):
    serializer_class = JournalEntrySerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("-date", "-id")
    ordering_fields = ("date", "created_at")

    def get_queryset(self) -> QuerySet[JournalEntry]:
        return selectors.journal_entry_list(
            viewer=actor(self.request), filters=self.request.query_params
        )

    @extend_schema(
        tags=["journeys"],
        summary="Write a journal entry",
        description="Private unless you say `cohort` or `public`.",
        request=JournalEntryWriteSerializer,
        responses={201: JournalEntrySerializer},
    )
    def post(self, request: Request) -> Response:
        entry = services.journal_entry_create(actor=actor(request), data=body_object(request))
        return _entry(request, entry.pk, status.HTTP_201_CREATED)


class JournalDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["journeys"],
        summary="One of my journal entries",
        responses={200: JournalEntrySerializer},
    )
    def get(self, request: Request, entry_id: int) -> Response:
        return _entry(request, entry_id)

    @extend_schema(
        tags=["journeys"],
        summary="Edit a journal entry",
        request=JournalEntryWriteSerializer(partial=True),
        responses={200: JournalEntrySerializer},
    )
    def patch(self, request: Request, entry_id: int) -> Response:
        services.journal_entry_update(
            actor=actor(request), entry_id=entry_id, data=body_object(request)
        )
        return _entry(request, entry_id)

    @extend_schema(tags=["journeys"], summary="Remove a journal entry", responses={204: None})
    def delete(self, request: Request, entry_id: int) -> Response:
        services.journal_entry_delete(actor=actor(request), entry_id=entry_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        tags=["journeys"],
        summary="A learner's journal, as you may read it",
        description="Public entries for everyone, cohort entries for their cohort, all of it "
        "for its author.",
        parameters=filter_parameters(JournalFilter),
    )
)
class UserJournalListView(generics.ListAPIView[JournalEntry]):
    serializer_class = JournalEntrySerializer
    permission_classes = (permissions.AllowAny,)
    filter_backends = (OrderingFilter,)
    ordering = ("-date", "-id")
    ordering_fields = ("date", "created_at")

    def get_queryset(self) -> QuerySet[JournalEntry]:
        return selectors.user_journal_list(
            viewer=self.request.user,
            username=self.kwargs["username"],
            filters=self.request.query_params,
        )


class UserJournalEntryView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["journeys"],
        summary="A journal entry, if you may read it",
        description="Someone else's private entry is a 404, as if it did not exist.",
        responses={200: JournalEntrySerializer},
    )
    def get(self, request: Request, username: str, entry_id: int) -> Response:
        entry = selectors.user_journal_entry_get(
            viewer=request.user, username=username, entry_id=entry_id
        )
        return Response(JournalEntrySerializer(entry).data)


urlpatterns = [
    path("me/journal/", JournalListView.as_view(), name="journal-list"),
    path("me/journal/<int:entry_id>/", JournalDetailView.as_view(), name="journal-detail"),
    path("users/<str:username>/journal/", UserJournalListView.as_view(), name="user-journal"),
    path(
        "users/<str:username>/journal/<int:entry_id>/",
        UserJournalEntryView.as_view(),
        name="user-journal-entry",
    ),
]
