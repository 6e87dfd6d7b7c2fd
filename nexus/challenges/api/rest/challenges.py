"""REST views of challenges: list, detail, edits, votes, follows, bookmarks, the
leaderboard."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.challenges import selectors, services
from nexus.challenges.api.rest.serializers import (
    ChallengeDetailSerializer,
    ChallengeRevisionSerializer,
    ChallengeSerializer,
    ChallengeWriteSerializer,
    FlagSerializer,
    LeaderboardRowSerializer,
    ScoreSerializer,
    VoteSerializer,
)
from nexus.challenges.filters import ChallengeFilter
from nexus.challenges.models import Challenge, ChallengeRevision
from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters


def challenge_response(
    request: Request, challenge_id: int, code: int = status.HTTP_200_OK
) -> Response:
    """The challenge as its detail shows it, read afresh for the request's viewer."""
    challenge = selectors.challenge_get(viewer=request.user, challenge_id=challenge_id)
    return Response(ChallengeDetailSerializer(challenge).data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=["challenges"],
        summary="Challenges",
        description="Newest first; `ordering=-last_activity_at` for recently active, "
        "`-score` for top; `unanswered=true` for those without a solution.",
        parameters=filter_parameters(ChallengeFilter),
    )
)
class ChallengeListView(generics.ListAPIView[Challenge]):
    serializer_class = ChallengeSerializer
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at",)
    ordering_fields = ("created_at", "last_activity_at", "score")

    def get_queryset(self) -> QuerySet[Challenge]:
        return selectors.challenge_list(viewer=self.request.user, filters=self.request.query_params)

    @extend_schema(
        tags=["challenges"],
        summary="Post a challenge",
        request=ChallengeWriteSerializer,
        responses={201: ChallengeDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        challenge = services.challenge_create(actor=actor(request), data=body_object(request))
        return challenge_response(request, challenge.pk, status.HTTP_201_CREATED)


class ChallengeDetailView(APIView):
    conflict_on_write = True

    @extend_schema(
        tags=["challenges"],
        summary="A challenge with its solutions and comments",
        responses={200: ChallengeDetailSerializer},
    )
    def get(self, request: Request, challenge_id: int) -> Response:
        response = challenge_response(request, challenge_id)
        services.challenge_record_view(challenge_id=challenge_id)
        return response

    @extend_schema(
        tags=["challenges"],
        summary="Edit a challenge (author or staff)",
        description="A new title or body needs `base_revision`; a stale one gets 409.",
        request=ChallengeWriteSerializer(partial=True),
        responses={200: ChallengeDetailSerializer},
    )
    def patch(self, request: Request, challenge_id: int) -> Response:
        services.challenge_update(
            actor=actor(request), challenge_id=challenge_id, data=body_object(request)
        )
        return challenge_response(request, challenge_id)

    @extend_schema(
        tags=["challenges"],
        summary="Delete a challenge (author while unanswered, or staff)",
        responses={204: None},
    )
    def delete(self, request: Request, challenge_id: int) -> Response:
        services.challenge_delete(actor=actor(request), challenge_id=challenge_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChallengeSimilarView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["challenges"],
        summary="Challenges like the one being written, solved first",
        parameters=[OpenApiParameter("title", OpenApiTypes.STR, required=True)],
        responses={200: ChallengeSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        similar = selectors.challenge_similar(
            viewer=request.user, title=request.query_params.get("title")
        )
        return Response(ChallengeSerializer(similar, many=True).data)


@extend_schema_view(get=extend_schema(tags=["challenges"], summary="A challenge's revisions"))
class ChallengeRevisionListView(generics.ListAPIView[ChallengeRevision]):
    serializer_class = ChallengeRevisionSerializer
    filter_backends = (OrderingFilter,)
    ordering = ("-number",)
    ordering_fields = ("number",)

    def get_queryset(self) -> QuerySet[ChallengeRevision]:
        return selectors.challenge_revision_list(
            viewer=self.request.user, challenge_id=self.kwargs["challenge_id"]
        )


def vote_view(target: services.VoteTarget) -> type[APIView]:
    class VoteView(APIView):
        @extend_schema(
            tags=["challenges" if target == "challenge" else "solutions"],
            summary=f"Vote on a {target}",
            description="One vote per person; repeating it changes nothing. Not on your own.",
            request=VoteSerializer,
            responses={200: ScoreSerializer},
            operation_id=f"{target}_vote",
        )
        def post(self, request: Request, target_id: int) -> Response:
            value = body_object(request).get("value")
            score = services.vote_cast(
                actor=actor(request), target=target, target_id=target_id, value=value
            )
            return Response({"score": score, "my_vote": value})

    VoteView.__name__ = f"{target.title()}VoteView"
    return VoteView


def flag_view(kind: str) -> type[APIView]:
    setter = services.follow_set if kind == "follow" else services.bookmark_set

    class FlagView(APIView):
        @extend_schema(
            tags=["challenges"],
            summary=f"{kind.title()} a challenge",
            request=None,
            responses={200: FlagSerializer},
            operation_id=f"challenge_{kind}",
        )
        def post(self, request: Request, challenge_id: int) -> Response:
            setter(actor=actor(request), challenge_id=challenge_id, **{_flag_arg(kind): True})
            return Response({"active": True})

        @extend_schema(
            tags=["challenges"],
            summary=f"Un-{kind} a challenge",
            responses={200: FlagSerializer},
            operation_id=f"challenge_un{kind}",
        )
        def delete(self, request: Request, challenge_id: int) -> Response:
            setter(actor=actor(request), challenge_id=challenge_id, **{_flag_arg(kind): False})
            return Response({"active": False})

    FlagView.__name__ = f"Challenge{kind.title()}View"
    return FlagView


def _flag_arg(kind: str) -> str:
    return "following" if kind == "follow" else "bookmarked"


def my_list_view(kind: str) -> Any:
    select = (
        selectors.bookmarked_challenges if kind == "bookmarks" else selectors.followed_challenges
    )

    @extend_schema_view(get=extend_schema(tags=["me"], summary=f"My {kind}"))
    class MyChallengesView(generics.ListAPIView[Challenge]):
        serializer_class = ChallengeSerializer
        permission_classes = (permissions.IsAuthenticated,)
        filter_backends = (OrderingFilter,)
        ordering = ("-created_at",)
        ordering_fields = ("created_at", "last_activity_at")

        def get_queryset(self) -> QuerySet[Challenge]:
            return select(viewer=actor(self.request))

    MyChallengesView.__name__ = f"My{kind.title()}View"
    return MyChallengesView.as_view()


class LeaderboardView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["challenges"],
        summary="Reputation leaderboard",
        description="Reputation: +5/-2 per up/down vote on your challenge, +10/-2 on your "
        "solution, +15 when your solution is accepted, +2 when you accept another's.",
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=["all", "30d"]),
            OpenApiParameter("cohort", OpenApiTypes.STR, description="Cohort slug."),
            OpenApiParameter("technology", OpenApiTypes.STR, description="Technology slug."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1-100, default 20."),
        ],
        responses={200: LeaderboardRowSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        rows = selectors.leaderboard(
            period=params.get("period", "all"),
            cohort=params.get("cohort"),
            technology=params.get("technology"),
            limit=params.get("limit", 20),
        )
        return Response(LeaderboardRowSerializer(rows, many=True).data)
