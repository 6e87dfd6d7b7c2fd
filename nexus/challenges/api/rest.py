"""REST door of the challenges app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserRefSerializer
from nexus.accounts.models import User
from nexus.challenges import selectors, services
from nexus.challenges.filters import ChallengeFilter
from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    ModerationAction,
    Solution,
)
from nexus.core.api.rest import actor, body_object, iso_datetime
from nexus.core.api.schema import filter_parameters
from nexus.core.pagination import CursorPagination
from nexus.knowledge.api.rest import RefSerializer

# --- Serializers ----------------------------------------------------------------------


class HiddenFieldsMixin(serializers.Serializer[Any]):
    """Hidden posts reach only staff and their author, who see why."""

    is_hidden = serializers.BooleanField(read_only=True)
    hidden_reason = serializers.CharField(read_only=True)


class CommentSerializer(HiddenFieldsMixin):
    id = serializers.IntegerField(read_only=True)
    author = UserRefSerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class SolutionSerializer(HiddenFieldsMixin):
    id = serializers.IntegerField(read_only=True)
    challenge = serializers.IntegerField(source="challenge_id", read_only=True)
    author = UserRefSerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    is_accepted = serializers.BooleanField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    comment_count = serializers.IntegerField(read_only=True)
    comments = CommentSerializer(source="visible_comments", many=True, read_only=True)
    promoted_guide = serializers.CharField(
        source="promoted_guide.slug",
        read_only=True,
        allow_null=True,
        help_text="The slug of the guide this solution became, if any.",
    )
    my_vote = serializers.SerializerMethodField(help_text="Your vote: -1, 0 or 1.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_my_vote(self, solution: Solution) -> int:
        votes: dict[int, int] = self.context.get("solution_votes", {})
        return votes.get(solution.pk, 0)


class ChallengeSerializer(HiddenFieldsMixin):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Challenge.Status.choices, read_only=True)
    author = UserRefSerializer(read_only=True)
    technologies = RefSerializer(many=True, read_only=True)
    concepts = RefSerializer(many=True, read_only=True)
    tags = RefSerializer(many=True, read_only=True)
    score = serializers.IntegerField(read_only=True)
    view_count = serializers.IntegerField(read_only=True)
    solution_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    accepted_solution = serializers.IntegerField(
        source="accepted_solution_id", read_only=True, allow_null=True
    )
    duplicate_of = serializers.IntegerField(
        source="duplicate_of_id", read_only=True, allow_null=True
    )
    current_revision = serializers.IntegerField(
        source="current_revision_id", read_only=True, help_text="Send as base_revision to edit."
    )
    last_activity_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ChallengeDetailSerializer(ChallengeSerializer):
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    solutions = SolutionSerializer(source="visible_solutions", many=True, read_only=True)
    comments = CommentSerializer(source="visible_comments", many=True, read_only=True)
    my_vote = serializers.IntegerField(source="viewer_state.challenge_vote", read_only=True)
    is_following = serializers.BooleanField(source="viewer_state.is_following", read_only=True)
    is_bookmarked = serializers.BooleanField(source="viewer_state.is_bookmarked", read_only=True)


class ChallengeWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(min_length=10, max_length=200)
    body = serializers.CharField(
        help_text="Markdown: the problem, what you tried, your environment."
    )
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    concepts = serializers.ListField(child=serializers.SlugField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    message = serializers.CharField(required=False, max_length=200)
    base_revision = serializers.IntegerField(
        required=False, help_text="PATCH: the revision your edit started from."
    )


class BodySerializer(serializers.Serializer[Any]):
    body = serializers.CharField(help_text="Markdown.")


class VoteSerializer(serializers.Serializer[Any]):
    value = serializers.IntegerField(help_text="1 up, -1 down, 0 withdraws your vote.")


class ScoreSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    my_vote = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, max_length=500)


class DuplicateSerializer(ReasonSerializer):
    original = serializers.IntegerField(help_text="The id of the challenge this one repeats.")


class FlagSerializer(serializers.Serializer[Any]):
    active = serializers.BooleanField()


class ChallengeRevisionSerializer(serializers.Serializer[ChallengeRevision]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    editor = UserRefSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ModerationActionSerializer(serializers.Serializer[ModerationAction]):
    id = serializers.IntegerField(read_only=True)
    actor = UserRefSerializer(read_only=True)
    action = serializers.CharField(read_only=True)
    target_type = serializers.CharField(read_only=True)
    target_id = serializers.IntegerField(read_only=True)
    challenge = serializers.IntegerField(source="challenge_id", read_only=True)
    challenge_title = serializers.CharField(source="challenge.title", read_only=True)
    reason = serializers.CharField(read_only=True)
    details = serializers.DictField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class LeaderboardRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    user = UserRefSerializer()
    points = serializers.IntegerField()


class GuideLinkSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    title = serializers.CharField()


# --- JSON of the hot reads ---------------------------------------------------------------


# The hot reads below build their JSON directly, as ChallengeSerializer,
# ChallengeDetailSerializer, SolutionSerializer and CommentSerializer would (tests
# hold them equal, key order included): DRF's field machinery cost more per
# request than the queries. The serializers still document the shapes.


def _user_ref(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name}


def _refs(related: Any) -> list[dict[str, Any]]:
    return [{"slug": ref.slug, "name": ref.name} for ref in related.all()]


def comment_data(comment: Comment, zone: tzinfo | None = None) -> dict[str, Any]:
    """A comment; `zone` is the response's time zone (iso_datetime)."""
    return {
        "is_hidden": comment.is_hidden,
        "hidden_reason": comment.hidden_reason,
        "id": comment.pk,
        "author": _user_ref(comment.author),
        "body": comment.body,
        "body_html": comment.body_html,
        "created_at": iso_datetime(comment.created_at, zone),
        "updated_at": iso_datetime(comment.updated_at, zone),
    }


def solution_data(
    solution: Solution, votes: Mapping[int, int] | None = None, zone: tzinfo | None = None
) -> dict[str, Any]:
    """A solution from `selectors.solution_get` or `challenge_get`, with the
    viewer's `votes` by solution id where known."""
    zone = zone or timezone.get_current_timezone()
    promoted = solution.promoted_guide
    return {
        "is_hidden": solution.is_hidden,
        "hidden_reason": solution.hidden_reason,
        "id": solution.pk,
        "challenge": solution.challenge_id,
        "author": _user_ref(solution.author),
        "body": solution.body,
        "body_html": solution.body_html,
        "score": solution.score,
        "is_accepted": solution.is_accepted,
        "accepted_at": iso_datetime(solution.accepted_at, zone),
        "comment_count": solution.comment_count,
        "comments": [comment_data(c, zone) for c in solution.visible_comments],  # type: ignore[attr-defined]
        "promoted_guide": promoted.slug if promoted else None,
        "my_vote": (votes or {}).get(solution.pk, 0),
        "created_at": iso_datetime(solution.created_at, zone),
        "updated_at": iso_datetime(solution.updated_at, zone),
    }


def challenge_detail_data(challenge: Challenge) -> dict[str, Any]:
    """A challenge from `selectors.challenge_get`, as the detail shows it."""
    state: selectors.ViewerState = challenge.viewer_state  # type: ignore[attr-defined]
    zone = timezone.get_current_timezone()
    return {
        "is_hidden": challenge.is_hidden,
        "hidden_reason": challenge.hidden_reason,
        "id": challenge.pk,
        "title": challenge.title,
        "status": challenge.status,
        "author": _user_ref(challenge.author),
        "technologies": _refs(challenge.technologies),
        "concepts": _refs(challenge.concepts),
        "tags": _refs(challenge.tags),
        "score": challenge.score,
        "view_count": challenge.view_count,
        "solution_count": challenge.solution_count,
        "comment_count": challenge.comment_count,
        "accepted_solution": challenge.accepted_solution_id,
        "duplicate_of": challenge.duplicate_of_id,
        "current_revision": challenge.current_revision_id,
        "last_activity_at": iso_datetime(challenge.last_activity_at, zone),
        "created_at": iso_datetime(challenge.created_at, zone),
        "updated_at": iso_datetime(challenge.updated_at, zone),
        "body": challenge.body,
        "body_html": challenge.body_html,
        "solutions": [
            solution_data(solution, state.solution_votes, zone)
            for solution in challenge.visible_solutions  # type: ignore[attr-defined]
        ],
        "comments": [comment_data(c, zone) for c in challenge.visible_comments],  # type: ignore[attr-defined]
        "my_vote": state.challenge_vote,
        "is_following": state.is_following,
        "is_bookmarked": state.is_bookmarked,
    }


def _detail(request: Request, challenge_id: int, code: int = status.HTTP_200_OK) -> Response:
    challenge = selectors.challenge_get(viewer=request.user, challenge_id=challenge_id)
    return Response(challenge_detail_data(challenge), status=code)


def _solution(request: Request, solution_id: int, code: int = status.HTTP_200_OK) -> Response:
    solution = selectors.solution_get(viewer=request.user, solution_id=solution_id)
    return Response(solution_data(solution), status=code)


def challenge_row_data(row: dict[str, Any], zone: tzinfo | None = None) -> dict[str, Any]:
    """A `selectors.challenge_rows` row, linked, as ChallengeSerializer shows a
    challenge (a test holds the two equal). The list builds its JSON this way
    because serialising model instances was most of its cost; `zone` is the
    response's time zone (iso_datetime)."""
    return {
        "is_hidden": row["is_hidden"],
        "hidden_reason": row["hidden_reason"],
        "id": row["id"],
        "title": row["title"],
        "status": row["status"],
        "author": {
            "username": row["author_username"],
            "display_name": row["author_display_name"],
        },
        "technologies": row["technologies"],
        "concepts": row["concepts"],
        "tags": row["tags"],
        "score": row["score"],
        "view_count": row["view_count"],
        "solution_count": row["solution_count"],
        "comment_count": row["comment_count"],
        "accepted_solution": row["accepted_solution_id"],
        "duplicate_of": row["duplicate_of_id"],
        "current_revision": row["current_revision_id"],
        "last_activity_at": iso_datetime(row["last_activity_at"], zone),
        "created_at": iso_datetime(row["created_at"], zone),
        "updated_at": iso_datetime(row["updated_at"], zone),
    }


# --- Views ------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=["challenges"],
        summary="Challenges",
        description="Newest first; `ordering=-last_activity_at` for recently active, "
        "`-score` for top; `unanswered=true` for those without a solution.",
        parameters=filter_parameters(ChallengeFilter),
    )
)
class ChallengeListView(generics.ListAPIView[Any]):
    serializer_class = ChallengeSerializer  # documents the rows challenge_row_data builds
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at",)
    ordering_fields = ("created_at", "last_activity_at", "score")

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.challenge_rows(viewer=self.request.user, filters=self.request.query_params)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self._first_page(request)
        if page is None:
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = selectors.link_rows(list(page or ()))
        zone = timezone.get_current_timezone()
        return self.get_paginated_response([challenge_row_data(row, zone) for row in rows])

    def _first_page(self, request: Request) -> Sequence[Any] | None:
        """An unfiltered first page from SQL kept for it (`challenge_first_rows`)."""
        if set(request.query_params) - {"ordering", "page_size"}:
            return None
        paginator = self.paginator
        if not isinstance(paginator, CursorPagination):
            return None
        return paginator.first_page(
            request,
            self,
            lambda ordering, count: selectors.challenge_first_rows(
                viewer=request.user, ordering=ordering, count=count
            ),
        )

    @extend_schema(
        tags=["challenges"],
        summary="Post a challenge",
        request=ChallengeWriteSerializer,
        responses={201: ChallengeDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        challenge = services.challenge_create(actor=actor(request), data=body_object(request))
        return _detail(request, challenge.pk, status.HTTP_201_CREATED)


class ChallengeDetailView(APIView):
    conflict_on_write = True

    @extend_schema(
        tags=["challenges"],
        summary="A challenge with its solutions and comments",
        responses={200: ChallengeDetailSerializer},
    )
    def get(self, request: Request, challenge_id: int) -> Response:
        response = _detail(request, challenge_id)
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
        return _detail(request, challenge_id)

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
        # Answered from the row just written rather than read back: two queries
        # fewer on the hottest write.
        return Response(solution_data(solution), status=status.HTTP_201_CREATED)


class SolutionDetailView(APIView):
    @extend_schema(tags=["solutions"], summary="A solution", responses={200: SolutionSerializer})
    def get(self, request: Request, solution_id: int) -> Response:
        return _solution(request, solution_id)

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
        return _solution(request, solution_id)

    @extend_schema(
        tags=["solutions"],
        summary="Withdraw acceptance: the challenge is open again",
        responses={200: SolutionSerializer},
    )
    def delete(self, request: Request, solution_id: int) -> Response:
        services.solution_unaccept(actor=actor(request), solution_id=solution_id)
        return _solution(request, solution_id)


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


def _vote_view(target: services.VoteTarget) -> type[APIView]:
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


def _comment_view(target: services.VoteTarget) -> type[generics.ListAPIView[Comment]]:
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


def _flag_view(kind: str) -> type[APIView]:
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
        return _detail(request, challenge_id)


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
        return _detail(request, challenge_id)


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
        return _detail(request, challenge_id)


def _hide_view(target: services.ModeratedTarget, hidden: bool) -> Any:
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


def _my_list_view(kind: str) -> Any:
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


urlpatterns = [
    path("challenges/", ChallengeListView.as_view(), name="challenge-list"),
    path("challenges/similar/", ChallengeSimilarView.as_view(), name="challenge-similar"),
    path("challenges/<int:challenge_id>/", ChallengeDetailView.as_view(), name="challenge-detail"),
    path(
        "challenges/<int:challenge_id>/revisions/",
        ChallengeRevisionListView.as_view(),
        name="challenge-revisions",
    ),
    path(
        "challenges/<int:challenge_id>/solutions/",
        SolutionListView.as_view(),
        name="challenge-solutions",
    ),
    path(
        "challenges/<int:target_id>/comments/",
        _comment_view("challenge").as_view(),
        name="challenge-comments",
    ),
    path(
        "challenges/<int:target_id>/vote/", _vote_view("challenge").as_view(), name="challenge-vote"
    ),
    path(
        "challenges/<int:challenge_id>/follow/",
        _flag_view("follow").as_view(),
        name="challenge-follow",
    ),
    path(
        "challenges/<int:challenge_id>/bookmark/",
        _flag_view("bookmark").as_view(),
        name="challenge-bookmark",
    ),
    path(
        "challenges/<int:challenge_id>/close/", ChallengeCloseView.as_view(), name="challenge-close"
    ),
    path(
        "challenges/<int:challenge_id>/reopen/",
        ChallengeReopenView.as_view(),
        name="challenge-reopen",
    ),
    path(
        "challenges/<int:challenge_id>/duplicate/",
        ChallengeDuplicateView.as_view(),
        name="challenge-duplicate",
    ),
    path("challenges/<int:target_id>/hide/", _hide_view("challenge", True), name="challenge-hide"),
    path(
        "challenges/<int:target_id>/unhide/",
        _hide_view("challenge", False),
        name="challenge-unhide",
    ),
    path("solutions/<int:solution_id>/", SolutionDetailView.as_view(), name="solution-detail"),
    path("solutions/<int:target_id>/vote/", _vote_view("solution").as_view(), name="solution-vote"),
    path(
        "solutions/<int:solution_id>/accept/", SolutionAcceptView.as_view(), name="solution-accept"
    ),
    path(
        "solutions/<int:solution_id>/promote/",
        SolutionPromoteView.as_view(),
        name="solution-promote",
    ),
    path(
        "solutions/<int:target_id>/comments/",
        _comment_view("solution").as_view(),
        name="solution-comments",
    ),
    path("solutions/<int:target_id>/hide/", _hide_view("solution", True), name="solution-hide"),
    path(
        "solutions/<int:target_id>/unhide/", _hide_view("solution", False), name="solution-unhide"
    ),
    path("comments/<int:comment_id>/", CommentDetailView.as_view(), name="comment-detail"),
    path("comments/<int:target_id>/hide/", _hide_view("comment", True), name="comment-hide"),
    path("comments/<int:target_id>/unhide/", _hide_view("comment", False), name="comment-unhide"),
    path("moderation-log/", ModerationLogView.as_view(), name="moderation-log"),
    path("me/bookmarks/", _my_list_view("bookmarks"), name="my-bookmarks"),
    path("me/following/", _my_list_view("following"), name="my-following"),
    path("leaderboard/", LeaderboardView.as_view(), name="leaderboard"),
]
