"""The REST door of peer reviews: requests, claims and feedback."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserRefSerializer
from nexus.collaboration.models import (
    ReviewFeedback,
    ReviewRequest,
)
from nexus.collaboration.selectors import reviews as review_selectors
from nexus.collaboration.services import reviews as review_services
from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters
from nexus.knowledge.api.rest import RefSerializer

# --- Serializers ------------------------------------------------------------------------


class ReviewRequestSerializer(serializers.Serializer[ReviewRequest]):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    url = serializers.URLField(read_only=True, help_text="The GitHub or GitLab code to review.")
    focus = serializers.CharField(read_only=True, help_text="Markdown: what to look at.")
    focus_html = serializers.CharField(read_only=True)
    author = UserRefSerializer(read_only=True)
    technologies = RefSerializer(many=True, read_only=True)
    reviewer_track = serializers.ChoiceField(
        choices=ReviewRequest.ReviewerTrack.choices,
        read_only=True,
        help_text="The reviewers asked for.",
    )
    max_reviewers = serializers.IntegerField(read_only=True)
    # Plain strings: another `status` enum would collide in the OpenAPI component names.
    status = serializers.CharField(read_only=True, help_text="open, in_review or done.")
    claim_count = serializers.IntegerField(read_only=True, help_text="Reviewers so far.")
    feedback_count = serializers.IntegerField(read_only=True)
    is_full = serializers.SerializerMethodField(help_text="No place left for a reviewer.")
    is_reviewer = serializers.BooleanField(
        source="viewer_is_reviewer", read_only=True, help_text="You claimed it."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_is_full(self, review: ReviewRequest) -> bool:
        return review.claim_count >= review.max_reviewers


class ReviewClaimSerializer(serializers.Serializer[Any]):
    reviewer = UserRefSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True, help_text="When they claimed it.")


class ReviewFeedbackSerializer(serializers.Serializer[ReviewFeedback]):
    id = serializers.IntegerField(read_only=True)
    reviewer = UserRefSerializer(read_only=True)
    verdict = serializers.ChoiceField(choices=ReviewFeedback.Verdict.choices, read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    rating = serializers.IntegerField(read_only=True, allow_null=True, help_text="1 to 5.")
    is_helpful = serializers.BooleanField(read_only=True, help_text="Marked by the author.")
    created_at = serializers.DateTimeField(read_only=True)


class ReviewRequestDetailSerializer(ReviewRequestSerializer):
    reviewers = ReviewClaimSerializer(source="claim_list", many=True, read_only=True)
    feedback = ReviewFeedbackSerializer(source="feedback_list", many=True, read_only=True)


class ReviewRequestWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(min_length=5, max_length=200)
    url = serializers.URLField(
        max_length=500, help_text="http(s) on github.com or gitlab.com (or a subdomain)."
    )
    focus = serializers.CharField(required=False, help_text="Markdown: what to look at.")
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    reviewer_track = serializers.ChoiceField(
        choices=ReviewRequest.ReviewerTrack.choices, required=False, help_text="Default any."
    )
    max_reviewers = serializers.IntegerField(
        min_value=1, max_value=5, required=False, help_text="Default 2."
    )


class ReviewFeedbackWriteSerializer(serializers.Serializer[Any]):
    verdict = serializers.ChoiceField(choices=ReviewFeedback.Verdict.choices)
    body = serializers.CharField(help_text="Markdown.")
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


# --- Peer reviews ----------------------------------------------------------------------------


def _review(request: Request, request_id: int, code: int = status.HTTP_200_OK) -> Response:
    review = review_selectors.review_request_get(viewer=request.user, request_id=request_id)
    return Response(ReviewRequestDetailSerializer(review).data, status=code)


def _feedback(request: Request, request_id: int, feedback_id: int, code: int) -> Response:
    feedback = review_selectors.review_feedback_get(
        viewer=request.user, request_id=request_id, feedback_id=feedback_id
    )
    return Response(ReviewFeedbackSerializer(feedback).data, status=code)


_VIEWER_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, enum=["true", "false"], description=text)
    for name, text in review_selectors.VIEWER_FILTERS.items()
]


@extend_schema_view(
    get=extend_schema(
        tags=["reviews"],
        summary="Peer review requests",
        description="Newest first. `mine=true` and `reviewing=true` need you signed in.",
        parameters=filter_parameters(review_selectors.ReviewRequestFilter) + _VIEWER_PARAMETERS,
    )
)
class ReviewListView(generics.ListAPIView[ReviewRequest]):
    serializer_class = ReviewRequestSerializer
    filter_backends = (OrderingFilter,)
    ordering = ("-created_at",)
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[ReviewRequest]:
        return review_selectors.review_request_list(
            viewer=self.request.user, filters=self.request.query_params
        )

    @extend_schema(
        tags=["reviews"],
        summary="Ask for a peer review",
        description="Of a repository or pull request on GitHub or GitLab.",
        request=ReviewRequestWriteSerializer,
        responses={201: ReviewRequestDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        review = review_services.review_request_create(
            actor=actor(request), data=body_object(request)
        )
        return _review(request, review.pk, status.HTTP_201_CREATED)


class ReviewDetailView(APIView):
    @extend_schema(
        tags=["reviews"],
        summary="A review request with its reviewers and feedback",
        responses={200: ReviewRequestDetailSerializer},
    )
    def get(self, request: Request, request_id: int) -> Response:
        return _review(request, request_id)


class ReviewClaimView(APIView):
    conflict_on_write = True

    @extend_schema(
        tags=["reviews"],
        summary="Claim a review request as a reviewer",
        description="Not your own, not twice, not when full (409) or done. The first claim "
        "moves it to in_review; the author is told.",
        request=None,
        responses={200: ReviewRequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        review_services.review_request_claim(actor=actor(request), request_id=request_id)
        return _review(request, request_id)


class ReviewDoneView(APIView):
    @extend_schema(
        tags=["reviews"],
        summary="Mark a review request done (its author)",
        request=None,
        responses={200: ReviewRequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        review_services.review_request_complete(actor=actor(request), request_id=request_id)
        return _review(request, request_id)


@extend_schema_view(
    get=extend_schema(tags=["reviews"], summary="The feedback on a review request, oldest first")
)
class ReviewFeedbackListView(generics.ListAPIView[ReviewFeedback]):
    serializer_class = ReviewFeedbackSerializer
    filter_backends = (OrderingFilter,)
    ordering = ("created_at", "id")
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[ReviewFeedback]:
        return review_selectors.review_feedback_list(
            viewer=self.request.user, request_id=self.kwargs["request_id"]
        )

    @extend_schema(
        tags=["reviews"],
        summary="Give feedback (reviewers who claimed it)",
        description="`verdict`: approve, changes_requested or comment; `rating` 1-5, optional.",
        request=ReviewFeedbackWriteSerializer,
        responses={201: ReviewFeedbackSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        feedback = review_services.review_feedback_create(
            actor=actor(request), request_id=request_id, data=body_object(request)
        )
        return _feedback(request, request_id, feedback.pk, status.HTTP_201_CREATED)


class ReviewFeedbackHelpfulView(APIView):
    @extend_schema(
        tags=["reviews"],
        summary="Mark feedback helpful (the request's author)",
        description=f"The reviewer gains {review_services.POINTS_HELPFUL_FEEDBACK} reputation; "
        "marking again changes nothing.",
        request=None,
        responses={200: ReviewFeedbackSerializer},
    )
    def post(self, request: Request, request_id: int, feedback_id: int) -> Response:
        review_services.review_feedback_set_helpful(
            actor=actor(request), request_id=request_id, feedback_id=feedback_id, helpful=True
        )
        return _feedback(request, request_id, feedback_id, status.HTTP_200_OK)

    @extend_schema(
        tags=["reviews"],
        summary="Un-mark feedback helpful (the request's author)",
        description="The reviewer's reputation for it is taken back.",
        responses={200: ReviewFeedbackSerializer},
    )
    def delete(self, request: Request, request_id: int, feedback_id: int) -> Response:
        review_services.review_feedback_set_helpful(
            actor=actor(request), request_id=request_id, feedback_id=feedback_id, helpful=False
        )
        return _feedback(request, request_id, feedback_id, status.HTTP_200_OK)


urlpatterns = [
    path("reviews/", ReviewListView.as_view(), name="review-list"),
    path("reviews/<int:request_id>/", ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:request_id>/claim/", ReviewClaimView.as_view(), name="review-claim"),
    path("reviews/<int:request_id>/done/", ReviewDoneView.as_view(), name="review-done"),
    path(
        "reviews/<int:request_id>/feedback/",
        ReviewFeedbackListView.as_view(),
        name="review-feedback",
    ),
    path(
        "reviews/<int:request_id>/feedback/<int:feedback_id>/helpful/",
        ReviewFeedbackHelpfulView.as_view(),
        name="review-feedback-helpful",
    ),
]
