"""REST door of the cohort dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import CohortRefSerializer, UserRefSerializer
from nexus.journeys import selectors

# --- Serializers ----------------------------------------------------------------------


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
    path("cohorts/<slug:slug>/dashboard/", CohortDashboardView.as_view(), name="cohort-dashboard"),
]
