"""The REST door of mentoring: mentor profiles, mentorships and their notes."""

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
from nexus.collaboration.models import (
    MentorProfile,
    Mentorship,
    MentorshipNote,
)
from nexus.collaboration.selectors import mentoring as mentoring_selectors
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters
from nexus.knowledge.api.rest import RefSerializer

# --- Serializers ------------------------------------------------------------------------


class MentorSerializer(serializers.Serializer[MentorProfile]):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    technologies = RefSerializer(many=True, read_only=True)
    concepts = RefSerializer(many=True, read_only=True)
    capacity = serializers.IntegerField(read_only=True, help_text="Mentees at once.")
    active_count = serializers.IntegerField(read_only=True, help_text="Active mentees now.")
    is_accepting = serializers.BooleanField(read_only=True, help_text="Takes new requests.")
    has_room = serializers.SerializerMethodField(help_text="Below capacity now.")
    about = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_has_room(self, profile: MentorProfile) -> bool:
        return profile.active_count < profile.capacity


class MentorProfileWriteSerializer(serializers.Serializer[Any]):
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    concepts = serializers.ListField(child=serializers.SlugField(), required=False)
    capacity = serializers.IntegerField(
        min_value=0, max_value=20, required=False, help_text="Default 3."
    )
    is_accepting = serializers.BooleanField(required=False, help_text="Default true.")
    about = serializers.CharField(required=False, max_length=2000)


class MentorshipSerializer(serializers.Serializer[Mentorship]):
    id = serializers.IntegerField(read_only=True)
    mentor = UserRefSerializer(read_only=True)
    mentee = UserRefSerializer(read_only=True)
    goals = serializers.CharField(read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="requested, active, declined or ended."
    )
    my_role = serializers.SerializerMethodField(help_text="mentor or mentee.")
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_my_role(self, mentorship: Mentorship) -> str:
        request = self.context.get("request")
        viewer_id = getattr(getattr(request, "user", None), "pk", None)
        return "mentor" if mentorship.mentor_id == viewer_id else "mentee"


class MentorshipRequestSerializer(serializers.Serializer[Any]):
    mentor = serializers.CharField(help_text="The mentor's username.")
    goals = serializers.CharField(max_length=5000, help_text="What you want to learn.")


class MentorshipNoteSerializer(serializers.Serializer[MentorshipNote]):
    id = serializers.IntegerField(read_only=True)
    author = UserRefSerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class NoteWriteSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(help_text="Markdown.")


# --- Mentoring -------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=["mentoring"],
        summary="Mentors and what they offer",
        parameters=filter_parameters(mentoring_selectors.MentorFilter),
    )
)
class MentorListView(generics.ListAPIView[MentorProfile]):
    serializer_class = MentorSerializer
    permission_classes = (permissions.AllowAny,)
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at",)
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[MentorProfile]:
        return mentoring_selectors.mentor_list(filters=self.request.query_params)


class MyMentorProfileView(APIView):
    @extend_schema(
        tags=["mentoring"], summary="My mentor profile", responses={200: MentorSerializer}
    )
    def get(self, request: Request) -> Response:
        profile = mentoring_selectors.mentor_profile_get(user=actor(request))
        return Response(MentorSerializer(profile).data)

    @extend_schema(
        tags=["mentoring"],
        summary="Set my mentor profile (mentors and staff)",
        description="Fields left out return to their defaults. Capacity is 0-20 and not "
        "below your active mentorships.",
        request=MentorProfileWriteSerializer,
        responses={200: MentorSerializer},
    )
    def put(self, request: Request) -> Response:
        return self._write(request, partial=False)

    @extend_schema(
        tags=["mentoring"],
        summary="Edit my mentor profile (mentors and staff)",
        request=MentorProfileWriteSerializer(partial=True),
        responses={200: MentorSerializer},
    )
    def patch(self, request: Request) -> Response:
        return self._write(request, partial=True)

    def _write(self, request: Request, *, partial: bool) -> Response:
        user = actor(request)
        mentoring_services.mentor_profile_update(
            actor=user, data=body_object(request), partial=partial
        )
        profile = mentoring_selectors.mentor_profile_get(user=user)
        return Response(MentorSerializer(profile).data)


def _mentorship(request: Request, mentorship_id: int, code: int = status.HTTP_200_OK) -> Response:
    mentorship = mentoring_selectors.mentorship_get(
        viewer=request.user, mentorship_id=mentorship_id
    )
    serializer = MentorshipSerializer(mentorship, context={"request": request})
    return Response(serializer.data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=["mentoring"],
        summary="My mentorships, as mentor or mentee",
        parameters=filter_parameters(mentoring_selectors.MentorshipFilter),
    )
)
class MentorshipListView(generics.ListAPIView[Mentorship]):
    serializer_class = MentorshipSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at",)
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[Mentorship]:
        return mentoring_selectors.mentorship_list(
            viewer=self.request.user, filters=self.request.query_params
        )

    @extend_schema(
        tags=["mentoring"],
        summary="Ask a mentor for mentoring",
        description="Not yourself, only a mentor taking mentees, and not again while a "
        "request or mentorship with them is open (409). The mentor is told.",
        request=MentorshipRequestSerializer,
        responses={201: MentorshipSerializer},
    )
    def post(self, request: Request) -> Response:
        mentorship = mentoring_services.mentorship_request(
            actor=actor(request), data=body_object(request)
        )
        return _mentorship(request, mentorship.pk, status.HTTP_201_CREATED)


class MentorshipDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["mentoring"],
        summary="A mentorship (its mentor or mentee)",
        responses={200: MentorshipSerializer},
    )
    def get(self, request: Request, mentorship_id: int) -> Response:
        return _mentorship(request, mentorship_id)


def _answer_view(verb: str) -> Any:
    write = {
        "accept": mentoring_services.mentorship_accept,
        "decline": mentoring_services.mentorship_decline,
        "end": mentoring_services.mentorship_end,
    }[verb]
    summaries = {
        "accept": "Accept a mentorship request (the mentor)",
        "decline": "Decline a mentorship request (the mentor)",
        "end": "End a mentorship (either side), or withdraw a request (the mentee)",
    }
    descriptions = {
        "accept": "A mentor at capacity gets 409. The mentee is told.",
        "decline": "The mentee is told.",
        "end": "Frees a place with the mentor.",
    }

    class AnswerView(APIView):
        conflict_on_write = True

        @extend_schema(
            tags=["mentoring"],
            summary=summaries[verb],
            description=descriptions[verb],
            request=None,
            responses={200: MentorshipSerializer},
            operation_id=f"mentorship_{verb}",
        )
        def post(self, request: Request, mentorship_id: int) -> Response:
            write(actor=actor(request), mentorship_id=mentorship_id)
            return _mentorship(request, mentorship_id)

    AnswerView.__name__ = f"Mentorship{verb.title()}View"
    return AnswerView.as_view()


@extend_schema_view(
    get=extend_schema(tags=["mentoring"], summary="A mentorship's notes, oldest first")
)
class MentorshipNoteListView(generics.ListAPIView[MentorshipNote]):
    serializer_class = MentorshipNoteSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("created_at", "id")
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[MentorshipNote]:
        return mentoring_selectors.mentorship_note_list(
            viewer=self.request.user, mentorship_id=self.kwargs["mentorship_id"]
        )

    @extend_schema(
        tags=["mentoring"],
        summary="Write a note (mentor or mentee)",
        description="On a requested or active mentorship.",
        request=NoteWriteSerializer,
        responses={201: MentorshipNoteSerializer},
    )
    def post(self, request: Request, mentorship_id: int) -> Response:
        note = mentoring_services.mentorship_note_create(
            actor=actor(request), mentorship_id=mentorship_id, data=body_object(request)
        )
        shown = mentoring_selectors.mentorship_note_list(
            viewer=request.user, mentorship_id=mentorship_id
        ).get(pk=note.pk)
        return Response(MentorshipNoteSerializer(shown).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("mentors/", MentorListView.as_view(), name="mentor-list"),
    path("me/mentor-profile/", MyMentorProfileView.as_view(), name="my-mentor-profile"),
    path("mentorships/", MentorshipListView.as_view(), name="mentorship-list"),
    path(
        "mentorships/<int:mentorship_id>/",
        MentorshipDetailView.as_view(),
        name="mentorship-detail",
    ),
    path(
        "mentorships/<int:mentorship_id>/accept/",
        _answer_view("accept"),
        name="mentorship-accept",
    ),
    path(
        "mentorships/<int:mentorship_id>/decline/",
        _answer_view("decline"),
        name="mentorship-decline",
    ),
    path("mentorships/<int:mentorship_id>/end/", _answer_view("end"), name="mentorship-end"),
    path(
        "mentorships/<int:mentorship_id>/notes/",
        MentorshipNoteListView.as_view(),
        name="mentorship-notes",
    ),
]
