"""REST views of staff moderation and its log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.challenges import selectors, services
from nexus.challenges.api.rest.challenges import challenge_response
from nexus.challenges.api.rest.serializers import (
    ChallengeDetailSerializer,
    DuplicateSerializer,
    FlagSerializer,
    ModerationActionSerializer,
    ReasonSerializer,
)
from nexus.challenges.models import ModerationAction
from nexus.core.api.rest import actor, body_object


class ChallengeCloseView(APIView):
    @extend_schema(
        tags=["moderation"],
        summary="Close a challenge (staff)",
        request=ReasonSerializer,
        responses={200: ChallengeDetailSerializer},
    )
    def post(self, request: Request, challenge_id: int) -> Response:
        data = body_object(request) if request.data else {}
        services.challenge_close(
            actor=actor(request), challenge_id=challenge_id, reason=data.get("reason")
        )
        return challenge_response(request, challenge_id)


class ChallengeReopenView(APIView):
    @extend_schema(
        tags=["moderation"],
        summary="Reopen a closed or duplicate challenge (staff)",
        request=ReasonSerializer,
        responses={200: ChallengeDetailSerializer},
    )
    def post(self, request: Request, challenge_id: int) -> Response:
        data = body_object(request) if request.data else {}
        services.challenge_reopen(
            actor=actor(request), challenge_id=challenge_id, reason=data.get("reason")
        )
        return challenge_response(request, challenge_id)


class ChallengeDuplicateView(APIView):
    @extend_schema(
        tags=["moderation"],
        summary="Mark a challenge a duplicate of another (staff)",
        request=DuplicateSerializer,
        responses={200: ChallengeDetailSerializer},
    )
    def post(self, request: Request, challenge_id: int) -> Response:
        data = body_object(request)
        services.challenge_mark_duplicate(
            actor=actor(request),
            challenge_id=challenge_id,
            original_id=data.get("original"),
            reason=data.get("reason"),
        )
        return challenge_response(request, challenge_id)


def hide_view(target: services.ModeratedTarget, hidden: bool) -> Any:
    verb = "hide" if hidden else "unhide"

    class HideView(APIView):
        @extend_schema(
            tags=["moderation"],
            summary=f"{verb.title()} a {target} (staff)",
            description="Hidden content disappears for everyone but staff and its author, "
            "who sees the reason."
            if hidden
            else "",
            request=ReasonSerializer,
            responses={200: FlagSerializer},
            operation_id=f"{target}_{verb}",
        )
        def post(self, request: Request, target_id: int) -> Response:
            data = body_object(request) if request.data else {}
            services.content_hide(
                actor=actor(request),
                target=target,
                target_id=target_id,
                reason=data.get("reason"),
                hidden=hidden,
            )
            return Response({"active": hidden})

    HideView.__name__ = f"{target.title()}{verb.title()}View"
    return HideView.as_view()


@extend_schema_view(
    get=extend_schema(
        tags=["moderation"],
        summary="The moderation log (staff)",
        parameters=[OpenApiParameter("challenge", OpenApiTypes.INT, description="Only this one.")],
    )
)
class ModerationLogView(generics.ListAPIView[ModerationAction]):
    serializer_class = ModerationActionSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at", "-id")
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[ModerationAction]:
        raw = self.request.query_params.get("challenge")
        return selectors.moderation_log(
            viewer=self.request.user, challenge_id=int(raw) if raw and raw.isdigit() else None
        )
