"""REST views of comments on challenges and solutions."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.challenges import selectors, services
from nexus.challenges.api.rest.serializers import BodySerializer, CommentSerializer
from nexus.challenges.models import Comment
from nexus.core.api.rest import actor, body_object


def comment_view(target: services.VoteTarget) -> type[generics.ListAPIView[Comment]]:
    @extend_schema_view(
        get=extend_schema(
            tags=["challenges" if target == "challenge" else "solutions"],
            summary=f"Comments on a {target}, oldest first",
            operation_id=f"{target}_comments_list",
        )
    )
    class CommentListView(generics.ListAPIView[Comment]):
        serializer_class = CommentSerializer
        filter_backends = (OrderingFilter,)
        ordering = ("created_at", "id")
        ordering_fields = ("created_at",)

        def get_queryset(self) -> QuerySet[Comment]:
            return selectors.comment_list(
                viewer=self.request.user, target=target, target_id=self.kwargs["target_id"]
            )

        @extend_schema(
            tags=["challenges" if target == "challenge" else "solutions"],
            summary=f"Comment on a {target}",
            request=BodySerializer,
            responses={201: CommentSerializer},
            operation_id=f"{target}_comments_create",
        )
        def post(self, request: Request, target_id: int) -> Response:
            comment = services.comment_create(
                actor=actor(request), target=target, target_id=target_id, data=body_object(request)
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    CommentListView.__name__ = f"{target.title()}CommentListView"
    return CommentListView


class CommentDetailView(APIView):
    @extend_schema(
        tags=["comments"],
        summary="Edit a comment (its author, within 15 minutes)",
        request=BodySerializer,
        responses={200: CommentSerializer},
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = services.comment_update(
            actor=actor(request), comment_id=comment_id, data=body_object(request)
        )
        return Response(CommentSerializer(comment).data)

    @extend_schema(tags=["comments"], summary="Remove a comment", responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        services.comment_delete(actor=actor(request), comment_id=comment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
