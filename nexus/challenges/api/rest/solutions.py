"""REST views of solutions: answering, editing, accepting, promoting."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.challenges import selectors, services
from nexus.challenges.api.rest.serializers import (
    BodySerializer,
    GuideLinkSerializer,
    SolutionSerializer,
)
from nexus.challenges.models import Solution
from nexus.core.api.rest import actor, body_object


def solution_response(
    request: Request, solution_id: int, code: int = status.HTTP_200_OK
) -> Response:
    """The solution as its detail shows it, read afresh for the request's viewer."""
    solution = selectors.solution_get(viewer=request.user, solution_id=solution_id)
    return Response(SolutionSerializer(solution).data, status=code)


@extend_schema_view(
    get=extend_schema(tags=["solutions"], summary="A challenge's solutions, accepted first")
)
class SolutionListView(generics.ListAPIView[Solution]):
    serializer_class = SolutionSerializer
    queryset = Solution.objects.none()  # for the schema; get_queryset decides
    pagination_class = None  # a thread's answers come whole, in their ranking

    def get_queryset(self) -> QuerySet[Solution]:
        return selectors.solution_list(
            viewer=self.request.user, challenge_id=self.kwargs["challenge_id"]
        )

    @extend_schema(
        tags=["solutions"],
        summary="Answer a challenge",
        request=BodySerializer,
        responses={201: SolutionSerializer},
    )
    def post(self, request: Request, challenge_id: int) -> Response:
        solution = services.solution_create(
            actor=actor(request), challenge_id=challenge_id, data=body_object(request)
        )
        return solution_response(request, solution.pk, status.HTTP_201_CREATED)


class SolutionDetailView(APIView):
    @extend_schema(tags=["solutions"], summary="A solution", responses={200: SolutionSerializer})
    def get(self, request: Request, solution_id: int) -> Response:
        return solution_response(request, solution_id)

    @extend_schema(
        tags=["solutions"],
        summary="Edit a solution (author or staff)",
        request=BodySerializer,
        responses={200: SolutionSerializer},
    )
    def patch(self, request: Request, solution_id: int) -> Response:
        services.solution_update(
            actor=actor(request), solution_id=solution_id, data=body_object(request)
        )
        return self.get(request, solution_id)

    @extend_schema(tags=["solutions"], summary="Delete a solution", responses={204: None})
    def delete(self, request: Request, solution_id: int) -> Response:
        services.solution_delete(actor=actor(request), solution_id=solution_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SolutionAcceptView(APIView):
    @extend_schema(
        tags=["solutions"],
        summary="Accept a solution (challenge author or staff)",
        description="Marks the challenge solved; accepting another moves the mark.",
        request=None,
        responses={200: SolutionSerializer},
    )
    def post(self, request: Request, solution_id: int) -> Response:
        services.solution_accept(actor=actor(request), solution_id=solution_id)
        return solution_response(request, solution_id)

    @extend_schema(
        tags=["solutions"],
        summary="Withdraw acceptance: the challenge is open again",
        responses={200: SolutionSerializer},
    )
    def delete(self, request: Request, solution_id: int) -> Response:
        services.solution_unaccept(actor=actor(request), solution_id=solution_id)
        return solution_response(request, solution_id)


class SolutionPromoteView(APIView):
    @extend_schema(
        tags=["solutions"],
        summary="Turn an accepted solution into a takeaway guide",
        request=None,
        responses={201: GuideLinkSerializer},
    )
    def post(self, request: Request, solution_id: int) -> Response:
        guide = services.solution_promote_to_guide(actor=actor(request), solution_id=solution_id)
        return Response(GuideLinkSerializer(guide).data, status=status.HTTP_201_CREATED)
