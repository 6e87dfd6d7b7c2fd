"""REST door of learning journeys: my goals and journal, a learner's journal and
journey (JSON and a portfolio README in markdown), and the cohort dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, renderers, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import CohortRefSerializer, UserPublicSerializer, UserRefSerializer
from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters
from nexus.core.errors import ValidationError
from nexus.journeys import selectors, services
from nexus.journeys.filters import GoalFilter, JournalFilter
from nexus.journeys.models import Evidence, Goal, JournalEntry
from nexus.journeys.portfolio import render_journey
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


class WeekActivitySerializer(serializers.Serializer[Any]):
    week = serializers.DateField(help_text="The Monday it starts on.")
    challenges = serializers.IntegerField()
    solutions = serializers.IntegerField()
    guides = serializers.IntegerField()
    messages = serializers.IntegerField()
    reviews = serializers.IntegerField(help_text="Review feedback given.")
    journal_entries = serializers.IntegerField()
    total = serializers.IntegerField()


class LearnerActivitySerializer(serializers.Serializer[Any]):
    user = UserRefSerializer()
    weeks = WeekActivitySerializer(many=True)
    total = serializers.IntegerField(help_text="All activity over the weeks shown.")
    totals = serializers.SerializerMethodField(help_text="Each kind of activity, summed.")
    goals_open = serializers.IntegerField()
    goals_done = serializers.IntegerField()
    mentor = UserRefSerializer(allow_null=True, help_text="Their active mentor, if any.")

    def get_totals(self, row: selectors.LearnerActivity) -> dict[str, int]:
        return selectors.activity_totals(row.weeks)


class UnansweredChallengeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = UserRefSerializer()
    created_at = serializers.DateTimeField()


class ReviewTurnaroundSerializer(serializers.Serializer[Any]):
    claims = serializers.IntegerField(help_text="Claims on the cohort's requests since `since`.")
    answered = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text="Claimed, no feedback yet.")
    median_hours = serializers.FloatField(allow_null=True, help_text="Claim to first feedback.")
    average_hours = serializers.FloatField(allow_null=True)
    longest_waiting_hours = serializers.FloatField(allow_null=True)


class MentorLoadSerializer(serializers.Serializer[Any]):
    mentor = UserRefSerializer()
    active = serializers.IntegerField()
    requested = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    mentees = UserRefSerializer(many=True, help_text="Active mentees in this cohort.")


class CohortDashboardSerializer(serializers.Serializer[Any]):
    cohort = CohortRefSerializer()
    weeks = serializers.ListField(child=serializers.DateField())
    since = serializers.DateTimeField()
    learners = LearnerActivitySerializer(many=True)
    unanswered_count = serializers.IntegerField()
    unanswered = UnansweredChallengeSerializer(many=True, help_text="Oldest first.")
    review_turnaround = ReviewTurnaroundSerializer()
    mentoring = MentorLoadSerializer(many=True)


# --- Views ------------------------------------------------------------------------------


def _goal(request: Request, goal_id: int, code: int = status.HTTP_200_OK) -> Response:
    goal = selectors.goal_get(viewer=actor(request), goal_id=goal_id)
    return Response(GoalSerializer(goal).data, status=code)


def _entry(request: Request, entry_id: int, code: int = status.HTTP_200_OK) -> Response:
    entry = selectors.journal_entry_get(viewer=actor(request), entry_id=entry_id)
    return Response(JournalEntrySerializer(entry).data, status=code)


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


class CohortDashboardView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["cohorts"],
        summary="A cohort's dashboard (mentors and staff)",
        description="Per learner: activity each week, goals open and done, active mentor; "
        "the cohort's unanswered challenges; review turnaround from claim to first "
        "feedback; each mentor's load. Learners get 403.",
        parameters=[OpenApiParameter("weeks", OpenApiTypes.INT, description="1-26, default 8.")],
        responses={200: CohortDashboardSerializer},
    )
    def get(self, request: Request, slug: str) -> Response:
        dashboard = selectors.cohort_dashboard(
            viewer=request.user, slug=slug, weeks=request.query_params.get("weeks")
        )
        return Response(CohortDashboardSerializer(dashboard).data)


urlpatterns = [
    path("me/goals/", GoalListView.as_view(), name="goal-list"),
    path("me/goals/<int:goal_id>/", GoalDetailView.as_view(), name="goal-detail"),
    path("me/journal/", JournalListView.as_view(), name="journal-list"),
    path("me/journal/<int:entry_id>/", JournalDetailView.as_view(), name="journal-detail"),
    path("users/<str:username>/journal/", UserJournalListView.as_view(), name="user-journal"),
    path(
        "users/<str:username>/journal/<int:entry_id>/",
        UserJournalEntryView.as_view(),
        name="user-journal-entry",
    ),
    path("users/<str:username>/journey/", JourneyView.as_view(), name="journey"),
    path("users/<str:username>/journey.md", JourneyMarkdownView.as_view(), name="journey-markdown"),
    path("cohorts/<slug:slug>/dashboard/", CohortDashboardView.as_view(), name="cohort-dashboard"),
]
