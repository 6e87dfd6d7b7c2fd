"""REST door of my goals and their evidence."""

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

from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters
from nexus.journeys import selectors, services
from nexus.journeys.filters import GoalFilter
from nexus.journeys.models import Evidence, Goal
from nexus.knowledge.api.rest import RefSerializer

# --- Serializers ----------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer[Evidence]):
    kind = serializers.CharField(
        read_only=True, help_text="guide, challenge, solution, review, mentorship or url."
    )
    guide = serializers.CharField(
        source="guide.slug", read_only=True, allow_null=True, help_text="The guide's slug."
    )
    challenge = serializers.IntegerField(source="challenge_id", read_only=True, allow_null=True)
    solution = serializers.IntegerField(source="solution_id", read_only=True, allow_null=True)
    review = serializers.IntegerField(source="review_id", read_only=True, allow_null=True)
    mentorship = serializers.IntegerField(source="mentorship_id", read_only=True, allow_null=True)
    url = serializers.CharField(read_only=True, help_text="The outside URL; empty otherwise.")
    note = serializers.CharField(read_only=True)
    title = serializers.SerializerMethodField(help_text="What it points at.")
    link = serializers.SerializerMethodField(help_text="Where it lives: an absolute URL.")

    def get_title(self, evidence: Evidence) -> str:
        return selectors.evidence_link(evidence, owner_id=evidence.goal.owner_id).title

    def get_link(self, evidence: Evidence) -> str | None:
        return selectors.evidence_link(evidence, owner_id=evidence.goal.owner_id).url


class GoalSerializer(serializers.Serializer[Goal]):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True, help_text="Markdown, as written.")
    description_html = serializers.CharField(read_only=True)
    # Plain strings: another `kind` or `status` enum would collide in OpenAPI names.
    kind = serializers.CharField(
        read_only=True, help_text="learn, build, contribute, deepen or mentor."
    )
    status = serializers.CharField(read_only=True, help_text="planned, active, done or dropped.")
    progress = serializers.IntegerField(read_only=True, help_text="0 to 100 (percent).")
    target_date = serializers.DateField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    technologies = RefSerializer(many=True, read_only=True)
    concepts = RefSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class EvidenceWriteSerializer(serializers.Serializer[Any]):
    """Exactly one of `guide`, `challenge`, `solution`, `review`, `mentorship`, `url`."""

    guide = serializers.SlugField(required=False, help_text="A guide you wrote or co-edit.")
    challenge = serializers.IntegerField(
        required=False, help_text="A challenge you asked or solved."
    )
    solution = serializers.IntegerField(required=False, help_text="A solution you gave.")
    review = serializers.IntegerField(
        required=False, help_text="A review request you asked for or reviewed."
    )
    mentorship = serializers.IntegerField(required=False, help_text="A mentorship you are in.")
    url = serializers.URLField(required=False, help_text="An outside http(s) URL.")
    note = serializers.CharField(required=False, max_length=200)


class GoalWriteSerializer(serializers.Serializer[Any]):
    """What a goal is written with. On PATCH every field is optional."""

    title = serializers.CharField(min_length=3, max_length=200)
    kind = serializers.ChoiceField(choices=Goal.Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    status = serializers.ChoiceField(
        choices=Goal.Status.choices, required=False, help_text="`done` sets progress to 100."
    )
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)
    target_date = serializers.DateField(required=False, allow_null=True, help_text="YYYY-MM-DD.")
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    concepts = serializers.ListField(child=serializers.SlugField(), required=False)
    evidence = EvidenceWriteSerializer(
        many=True, required=False, help_text="Replaces the goal's evidence."
    )


def _goal(request: Request, goal_id: int, code: int = status.HTTP_200_OK) -> Response:
    goal = selectors.goal_get(viewer=actor(request), goal_id=goal_id)
    return Response(GoalSerializer(goal).data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=["journeys"],
        summary="My goals",
        description="Newest first.",
        parameters=filter_parameters(GoalFilter),
    )
)
class GoalListView(generics.ListAPIView[Goal]):
    serializer_class = GoalSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at",)
    ordering_fields = ("created_at", "updated_at")

    def get_queryset(self) -> QuerySet[Goal]:
        return selectors.goal_list(viewer=actor(self.request), filters=self.request.query_params)

    @extend_schema(
        tags=["journeys"],
        summary="Set a goal",
        description="Evidence points at your own guides, challenges, solutions, reviews or "
        "mentorships, or at an outside http(s) URL; anything else is a 400.",
        request=GoalWriteSerializer,
        responses={201: GoalSerializer},
    )
    def post(self, request: Request) -> Response:
        goal = services.goal_create(actor=actor(request), data=body_object(request))
        return _goal(request, goal.pk, status.HTTP_201_CREATED)


class GoalDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(tags=["journeys"], summary="One of my goals", responses={200: GoalSerializer})
    def get(self, request: Request, goal_id: int) -> Response:
        return _goal(request, goal_id)

    @extend_schema(
        tags=["journeys"],
        summary="Update a goal",
        description="Fields left out stay; `technologies`, `concepts` and `evidence` replace.",
        request=GoalWriteSerializer(partial=True),
        responses={200: GoalSerializer},
    )
    def patch(self, request: Request, goal_id: int) -> Response:
        services.goal_update(actor=actor(request), goal_id=goal_id, data=body_object(request))
        return _goal(request, goal_id)

    @extend_schema(tags=["journeys"], summary="Remove a goal", responses={204: None})
    def delete(self, request: Request, goal_id: int) -> Response:
        services.goal_delete(actor=actor(request), goal_id=goal_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("me/goals/", GoalListView.as_view(), name="goal-list"),
    path("me/goals/<int:goal_id>/", GoalDetailView.as_view(), name="goal-detail"),
]
