"""REST door of a learner's journey: JSON, and the portfolio README in markdown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserPublicSerializer, UserRefSerializer
from nexus.core.errors import ValidationError
from nexus.journeys import selectors
from nexus.journeys.portfolio import render_journey
from nexus.knowledge.api.rest import RefSerializer

# --- Serializers ----------------------------------------------------------------------


class JourneyLinkSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        help_text="goal, skill, guide, challenge, solution, journal, review, mentorship or url."
    )
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="Absolute; null when nowhere to go.")
    note = serializers.CharField()


class TopicSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    slug = serializers.CharField(allow_null=True, help_text="Null for a skill not in the guide.")
    url = serializers.CharField(allow_null=True)
    category = serializers.CharField(help_text="A technology's category; empty for concepts.")
    evidence = JourneyLinkSerializer(many=True)


class AcceptedSolutionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    author = UserRefSerializer()
    excerpt = serializers.CharField()
    url = serializers.CharField()


class ChallengeFacedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    excerpt = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    technologies = RefSerializer(many=True)
    solution = AcceptedSolutionSerializer(allow_null=True, help_text="The accepted solution.")


class ChallengeSolvedSerializer(serializers.Serializer[Any]):
    solution_id = serializers.IntegerField()
    excerpt = serializers.CharField()
    url = serializers.CharField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    challenge_id = serializers.IntegerField()
    challenge_title = serializers.CharField()
    challenge_url = serializers.CharField()
    challenge_author = UserRefSerializer()


class TakeawaySerializer(serializers.Serializer[Any]):
    origin = serializers.CharField(help_text="Where it comes from: guide or journal.")
    kind = serializers.CharField(help_text="best_practice, takeaway or journal.")
    title = serializers.CharField()
    excerpt = serializers.CharField()
    url = serializers.CharField()
    date = serializers.DateField()
    visibility = serializers.CharField(help_text="public, cohort, private, or draft (a guide).")


class CollaboratorSerializer(serializers.Serializer[Any]):
    user = UserRefSerializer()
    group = serializers.CharField(help_text="e.g. Backend learners, Frontend learners, Mentors.")
    how = serializers.ListField(child=serializers.CharField())


class ChannelActivitySerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    messages = serializers.IntegerField(help_text="Messages the learner posted there.")
    url = serializers.CharField()


class ReviewGivenSerializer(serializers.Serializer[Any]):
    review_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    author = UserRefSerializer()
    verdict = serializers.CharField()
    given_at = serializers.DateTimeField()


class ReviewReceivedSerializer(serializers.Serializer[Any]):
    review_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    status = serializers.CharField()
    reviewers = UserRefSerializer(many=True)
    feedback_count = serializers.IntegerField()


class MentoringLinkSerializer(serializers.Serializer[Any]):
    mentorship_id = serializers.IntegerField()
    role = serializers.CharField(help_text="The learner's role: mentee or mentor.")
    partner = UserRefSerializer()
    status = serializers.CharField()
    since = serializers.DateTimeField()
    url = serializers.CharField()


class CollaborationSerializer(serializers.Serializer[Any]):
    collaborators = CollaboratorSerializer(many=True)
    channels = ChannelActivitySerializer(many=True)
    reviews_given = ReviewGivenSerializer(many=True)
    reviews_received = ReviewReceivedSerializer(many=True)
    mentoring = MentoringLinkSerializer(many=True, help_text="Only those you are in.")


class NextStepSerializer(serializers.Serializer[Any]):
    goal_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    target_date = serializers.DateField(allow_null=True)
    technologies = RefSerializer(many=True)
    concepts = RefSerializer(many=True)
    evidence = JourneyLinkSerializer(many=True)


class JourneyStatsSerializer(serializers.Serializer[Any]):
    technologies = serializers.IntegerField()
    concepts = serializers.IntegerField()
    guides = serializers.IntegerField()
    challenges_faced = serializers.IntegerField()
    challenges_solved = serializers.IntegerField()
    journal_entries = serializers.IntegerField()
    goals_done = serializers.IntegerField()
    goals_open = serializers.IntegerField()
    collaborators = serializers.IntegerField()
    channels = serializers.IntegerField()


class JourneySerializer(serializers.Serializer[Any]):
    learner = UserPublicSerializer()
    is_own = serializers.BooleanField(help_text="You are this learner and see all of it.")
    objective = serializers.CharField()
    stats = JourneyStatsSerializer()
    technologies = TopicSerializer(many=True)
    concepts = TopicSerializer(many=True)
    challenges_faced = ChallengeFacedSerializer(many=True)
    challenges_solved = ChallengeSolvedSerializer(many=True)
    takeaways = TakeawaySerializer(many=True)
    collaboration = CollaborationSerializer()
    next_steps = NextStepSerializer(many=True, help_text="Open goals, soonest target first.")
    url = serializers.CharField()
    markdown_url = serializers.CharField(help_text="The same as a portfolio README.")
    generated_at = serializers.DateTimeField()


_PUBLIC_PARAMETER = OpenApiParameter(
    "public",
    OpenApiTypes.STR,
    enum=["true", "false"],
    description="`true`: see it as someone signed out would (a preview of your public page).",
)


def _journey_viewer(request: Request) -> Any:
    flag = request.query_params.get("public", "")
    if flag not in ("", "true", "false"):
        raise ValidationError("Some filters are not valid.", errors={"public": ["true or false."]})
    return AnonymousUser() if flag == "true" else request.user


class JourneyView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["journeys"],
        summary="A learner's journey",
        description="Technologies, concepts, challenges faced and solved, takeaways, "
        "collaboration and next steps, built from their real work. Others see only what "
        "is public (or shared with their cohort); the learner sees all of it.",
        parameters=[_PUBLIC_PARAMETER],
        responses={200: JourneySerializer},
    )
    def get(self, request: Request, username: str) -> Response:
        journey = selectors.journey_get(viewer=_journey_viewer(request), username=username)
        return Response(JourneySerializer(journey).data)


class MarkdownRenderer(renderers.BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return str(data).encode(self.charset)


class JourneyMarkdownView(APIView):
    permission_classes = (permissions.AllowAny,)
    renderer_classes = (MarkdownRenderer, renderers.JSONRenderer)

    @extend_schema(
        tags=["journeys"],
        summary="A learner's journey as a portfolio README",
        description="Markdown (`text/markdown`) in the sections of the programme's journey "
        "document, linking back to Nexus. The same privacy as the JSON journey.",
        parameters=[_PUBLIC_PARAMETER],
        responses={(200, "text/markdown"): OpenApiTypes.STR},
    )
    def get(self, request: Request, username: str) -> Response:
        journey = selectors.journey_get(viewer=_journey_viewer(request), username=username)
        return Response(render_journey(journey))

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # Errors keep the API's one JSON shape, whatever was asked for.
        if response.status_code >= 400:
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


urlpatterns = [
    path("users/<str:username>/journey/", JourneyView.as_view(), name="journey"),
    path("users/<str:username>/journey.md", JourneyMarkdownView.as_view(), name="journey-markdown"),
]
