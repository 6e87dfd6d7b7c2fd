"""Reads of peer reviews: requests joined with their author and technologies,
and, in detail, their reviewers and feedback, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, QuerySet, Subquery, Value

from nexus.collaboration.models import ReviewClaim, ReviewFeedback, ReviewRequest
from nexus.core.errors import NotAuthenticated, NotFound, ValidationError
from nexus.core.filters import apply_filters
from nexus.knowledge.models import Technology
from nexus.knowledge.selectors import ref_prefetches

# Filters that depend on who is asking; the FilterSet handles the rest.
VIEWER_FILTERS = {
    "mine": "`true`: only the requests I asked for.",
    "reviewing": "`true`: only the requests I claimed as a reviewer.",
}


class ReviewRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReviewRequest.Status.choices, help_text="open, in_review or done."
    )
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Linked to this technology (slug)."
    )
    track = django_filters.ChoiceFilter(
        field_name="reviewer_track",
        choices=ReviewRequest.ReviewerTrack.choices,
        help_text="The reviewers asked for: backend, frontend or any.",
    )

    class Meta:
        model = ReviewRequest
        fields = ("status", "technology", "track")


def _authed_id(viewer: Any) -> int | None:
    return viewer.pk if getattr(viewer, "is_authenticated", False) else None


def _flag(filters: Mapping[str, Any], name: str) -> bool:
    value = filters.get(name)
    if value in (None, "", "false", False):
        return False
    if value in ("true", True):
        return True
    raise ValidationError("Some filters are not valid.", errors={name: ["true or false."]})


def review_request_queryset(*, viewer: Any) -> QuerySet[ReviewRequest]:
    """Requests with their author and technologies, and `viewer_is_reviewer`: whether
    the viewer claimed each one (false for anonymous viewers)."""
    viewer_id = _authed_id(viewer)
    is_reviewer = (
        Exists(ReviewClaim.objects.filter(request_id=OuterRef("pk"), reviewer_id=viewer_id))
        if viewer_id is not None
        else Value(False, output_field=BooleanField())
    )
    return (
        ReviewRequest.objects.select_related("author__profile")
        .prefetch_related(
            Prefetch("technologies", queryset=Technology.objects.only("id", "slug", "name"))
        )
        .annotate(viewer_is_reviewer=is_reviewer)
    )


def review_request_list(
    *, viewer: Any, filters: Mapping[str, Any] | None = None
) -> QuerySet[ReviewRequest]:
    """Review requests, filtered by status, technology, track (the reviewers asked
    for), `mine=true` (asked by the viewer) and `reviewing=true` (claimed by the
    viewer). The last two need a signed-in viewer. Raises ValidationError,
    NotAuthenticated."""
    filters = filters or {}
    requests = apply_filters(ReviewRequestFilter, review_request_queryset(viewer=viewer), filters)
    mine, reviewing = _flag(filters, "mine"), _flag(filters, "reviewing")
    if mine or reviewing:
        viewer_id = _authed_id(viewer)
        if viewer_id is None:
            raise NotAuthenticated("Sign in to see your own review requests.")
        if mine:
            requests = requests.filter(author_id=viewer_id)
        if reviewing:
            requests = requests.filter(claims__reviewer_id=viewer_id)
    return requests


def _claims() -> QuerySet[ReviewClaim]:
    return ReviewClaim.objects.select_related("reviewer__profile").order_by("created_at", "id")


def review_feedback_queryset() -> QuerySet[ReviewFeedback]:
    return ReviewFeedback.objects.select_related("reviewer__profile").order_by("created_at", "id")


def review_request_get(*, viewer: Any, request_id: int) -> ReviewRequest:
    """A request with its reviewers (`claim_list`, first claim first) and its feedback
    (`feedback_list`, oldest first), in a fixed number of queries. Raises NotFound."""
    review = (
        review_request_queryset(viewer=viewer)
        .prefetch_related(
            Prefetch("claims", queryset=_claims(), to_attr="claim_list"),
            Prefetch("feedback", queryset=review_feedback_queryset(), to_attr="feedback_list"),
        )
        .filter(pk=request_id)
        .first()
    )
    if review is None:
        raise NotFound(f"No review request {request_id}.")
    return review


def review_feedback_list(*, viewer: Any, request_id: int) -> QuerySet[ReviewFeedback]:
    """The feedback on a request, oldest first. Raises NotFound."""
    if not ReviewRequest.objects.filter(pk=request_id).exists():
        raise NotFound(f"No review request {request_id}.")
    return review_feedback_queryset().filter(request_id=request_id)


def review_feedback_get(*, viewer: Any, request_id: int, feedback_id: int) -> ReviewFeedback:
    feedback = review_feedback_queryset().filter(pk=feedback_id, request_id=request_id).first()
    if feedback is None:
        raise NotFound(f"No feedback {feedback_id} on review request {request_id}.")
    return feedback


def feedback_given_by(*, user: Any) -> QuerySet[ReviewFeedback]:
    """The user's feedback on others' requests, oldest first, with each request's author."""
    return (
        ReviewFeedback.objects.filter(reviewer=user)
        .exclude(request__author=user)
        .select_related("request__author__profile")
        .order_by("created_at", "id")
    )


def review_requests_of(*, user: Any) -> list[ReviewRequest]:
    """The user's requests, oldest first, with technologies and all their feedback
    (`all_feedback`, with the reviewers)."""
    feedback = ReviewFeedback.objects.select_related("reviewer__profile").order_by("created_at")
    return list(
        ReviewRequest.objects.filter(author=user)
        .prefetch_related(
            ref_prefetches()["technologies"],
            Prefetch("feedback", queryset=feedback, to_attr="all_feedback"),
        )
        .order_by("created_at", "id")
    )


def feedback_given_in_cohort(cohort: Any) -> QuerySet[ReviewFeedback]:
    """Feedback whose reviewers are in the cohort."""
    return ReviewFeedback.objects.filter(reviewer__profile__cohort=cohort)


def claim_times_in_cohort(cohort: Any, *, since: Any) -> list[tuple[Any, Any]]:
    """(claimed at, first feedback at or None) of each claim since `since` on the
    requests of the cohort's members, in one query."""
    first_feedback = (
        ReviewFeedback.objects.filter(
            request_id=OuterRef("request_id"), reviewer_id=OuterRef("reviewer_id")
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return list(
        ReviewClaim.objects.filter(request__author__profile__cohort=cohort, created_at__gte=since)
        .annotate(first_feedback_at=Subquery(first_feedback))
        .values_list("created_at", "first_feedback_at")
    )
