"""Writes of peer reviews: a learner asks for a review of a repository or pull
request, peers claim it, give feedback, and the author marks what helped.

Reputation (added to the challenges app's table in the API docs):

| event                                         | points |
| --------------------------------------------- | ------ |
| the author marks your review feedback helpful | +5     |

Un-marking takes the points back, so marking is a toggle that never pays twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F

from nexus.accounts.models import User
from nexus.challenges import services as challenge_services
from nexus.collaboration.models import ReviewClaim, ReviewFeedback, ReviewRequest
from nexus.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from nexus.core.markdown import plain_text, render_markdown
from nexus.core.validation import Errors, clean_text, raise_if, unknown_fields
from nexus.knowledge import services as knowledge_services
from nexus.notifications import events

TITLE_MIN, TITLE_MAX = 5, 200
URL_MAX = 500
FOCUS_MAX = 5_000
FEEDBACK_MAX = 20_000
MAX_REVIEWERS_MIN, MAX_REVIEWERS_MAX = 1, 5
RATING_MIN, RATING_MAX = 1, 5
# Code lives on these hosts (and their subdomains, e.g. gist.github.com).
REVIEW_HOSTS = ("github.com", "gitlab.com")
POINTS_HELPFUL_FEEDBACK = 5

REQUEST_FIELDS = {"title", "url", "focus", "technologies", "reviewer_track", "max_reviewers"}
FEEDBACK_FIELDS = {"verdict", "body", "rating"}


# --- Input cleaning ---------------------------------------------------------------


def _whole_number(errors: Errors, field: str, value: Any, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = [f"A whole number from {low} to {high}."]
        return low
    return int(value)


def is_review_host(host: str) -> bool:
    host = host.lower()
    return any(host == allowed or host.endswith(f".{allowed}") for allowed in REVIEW_HOSTS)


def _review_url(errors: Errors, value: Any) -> str:
    url = clean_text(errors, "url", value, max_length=URL_MAX)
    if "url" in errors:
        return url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        errors["url"] = ["An http(s) URL."]
        return url
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        errors["url"] = ["A URL without a user name or password."]
    elif not is_review_host(parts.hostname or ""):
        errors["url"] = ["A GitHub or GitLab URL (github.com, gitlab.com or a subdomain)."]
    return url


# --- Review requests ----------------------------------------------------------------


def _locked_request(request_id: int) -> ReviewRequest:
    review = ReviewRequest.objects.select_for_update().filter(pk=request_id).first()
    if review is None:
        raise NotFound(f"No review request {request_id}.")
    return review


def _url(review: ReviewRequest) -> str:
    return f"/api/v1/reviews/{review.pk}/"


@transaction.atomic
def review_request_create(*, actor: User, data: Mapping[str, Any]) -> ReviewRequest:
    """Ask peers to review a GitHub or GitLab repository or pull request.

    `reviewer_track` says which reviewers are wanted (backend, frontend or any);
    it is shown and filtered on, not enforced. Raises ValidationError.
    """
    errors = unknown_fields(data, REQUEST_FIELDS)
    title = clean_text(
        errors, "title", data.get("title"), max_length=TITLE_MAX, min_length=TITLE_MIN
    )
    url = _review_url(errors, data.get("url"))
    focus = ""
    if data.get("focus") is not None:
        focus = clean_text(errors, "focus", data["focus"], max_length=FOCUS_MAX, min_length=0)
    track = data.get("reviewer_track", ReviewRequest.ReviewerTrack.ANY)
    if track not in ReviewRequest.ReviewerTrack.values:
        errors["reviewer_track"] = [f"One of: {', '.join(ReviewRequest.ReviewerTrack.values)}."]
    max_reviewers = _whole_number(
        errors,
        "max_reviewers",
        data.get("max_reviewers", 2),
        low=MAX_REVIEWERS_MIN,
        high=MAX_REVIEWERS_MAX,
    )
    related: dict[str, list[Any]] = {}
    if "technologies" in data:
        try:
            related = knowledge_services.resolve_links({"technologies": data["technologies"]})
        except ValidationError as exc:
            errors.update(exc.errors)
    raise_if(errors)
    review = ReviewRequest.objects.create(
        author=actor,
        title=title,
        url=url,
        focus=focus,
        focus_html=render_markdown(focus) if focus else "",
        reviewer_track=track,
        max_reviewers=max_reviewers,
    )
    if related.get("technologies"):
        review.technologies.set(related["technologies"])
    return review


@transaction.atomic
def review_request_claim(*, actor: User, request_id: int) -> ReviewClaim:
    """Take a place as a reviewer; the first claim moves the request to in_review.

    Locks the request row, so concurrent claims never exceed `max_reviewers`.
    Records `review.claimed` for the author. Raises NotFound, PermissionDenied
    (own request), ValidationError (done), Conflict (already claimed, or full).
    """
    review = _locked_request(request_id)
    if review.author_id == actor.pk:
        raise PermissionDenied("You cannot review your own request.")
    if review.status == ReviewRequest.Status.DONE:
        raise ValidationError(
            "This review request is done; it takes no new reviewers.",
            errors={"status": ["The request is done."]},
        )
    if ReviewClaim.objects.filter(request=review, reviewer=actor).exists():
        raise Conflict("You already claimed this review request.")
    if review.claim_count >= review.max_reviewers:
        raise Conflict(
            f"This review request has all the reviewers it asked for "
            f"({review.claim_count} of {review.max_reviewers})."
        )
    try:
        with transaction.atomic():
            claim = ReviewClaim.objects.create(request=review, reviewer=actor)
    except IntegrityError as exc:  # the unique constraint, should the lock be bypassed
        raise Conflict("You already claimed this review request.") from exc
    review.claim_count += 1
    if review.status == ReviewRequest.Status.OPEN:
        review.status = ReviewRequest.Status.IN_REVIEW
    review.save(update_fields=["claim_count", "status", "updated_at"])
    events.record(
        "review.claimed",
        user_ids=[review.author_id],
        title=f"{actor.username} is reviewing “{review.title}”",
        url=_url(review),
        target_type="review_request",
        target_id=review.pk,
        actor_id=actor.pk,
    )
    return claim


@transaction.atomic
def review_request_complete(*, actor: User, request_id: int) -> ReviewRequest:
    """The author marks the request done: no new reviewers or feedback.

    Raises NotFound, PermissionDenied, ValidationError (already done).
    """
    review = _locked_request(request_id)
    if review.author_id != actor.pk:
        raise PermissionDenied("Only the author marks a review request done.")
    if review.status == ReviewRequest.Status.DONE:
        raise ValidationError(
            "This review request is already done.", errors={"status": ["Already done."]}
        )
    review.status = ReviewRequest.Status.DONE
    review.save(update_fields=["status", "updated_at"])
    return review


# --- Feedback ---------------------------------------------------------------------------


@transaction.atomic
def review_feedback_create(
    *, actor: User, request_id: int, data: Mapping[str, Any]
) -> ReviewFeedback:
    """A reviewer who claimed the request gives feedback (markdown), with a verdict
    and an optional 1-5 rating. Records `review.feedback` for the author.

    Raises NotFound, PermissionDenied (not a reviewer), ValidationError.
    """
    review = _locked_request(request_id)
    if not ReviewClaim.objects.filter(request=review, reviewer=actor).exists():
        raise PermissionDenied("Only reviewers who claimed this request give feedback.")
    if review.status == ReviewRequest.Status.DONE:
        raise ValidationError(
            "This review request is done; it takes no more feedback.",
            errors={"status": ["The request is done."]},
        )
    errors = unknown_fields(data, FEEDBACK_FIELDS)
    verdict = str(data.get("verdict"))
    if data.get("verdict") not in ReviewFeedback.Verdict.values:
        errors["verdict"] = [f"One of: {', '.join(ReviewFeedback.Verdict.values)}."]
    body = clean_text(errors, "body", data.get("body"), max_length=FEEDBACK_MAX)
    rating = None
    if data.get("rating") is not None:
        rating = _whole_number(errors, "rating", data["rating"], low=RATING_MIN, high=RATING_MAX)
    raise_if(errors)
    feedback = ReviewFeedback.objects.create(
        request=review,
        reviewer=actor,
        verdict=verdict,
        body=body,
        body_html=render_markdown(body),
        rating=rating,
    )
    ReviewRequest.objects.filter(pk=review.pk).update(feedback_count=F("feedback_count") + 1)
    verdict_label = ReviewFeedback.Verdict(verdict).label.lower()
    events.record(
        "review.feedback",
        user_ids=[review.author_id],
        title=f"{actor.username} reviewed “{review.title}”: {verdict_label}",
        url=_url(review),
        target_type="review_request",
        target_id=review.pk,
        actor_id=actor.pk,
        excerpt=plain_text(body, 200),
    )
    return feedback


@transaction.atomic
def review_feedback_set_helpful(
    *, actor: User, request_id: int, feedback_id: int, helpful: bool
) -> ReviewFeedback:
    """The request's author marks (or un-marks) feedback helpful; idempotent.

    Marking adds POINTS_HELPFUL_FEEDBACK to the reviewer's reputation and
    un-marking takes them back. Locks the feedback row, so a double click
    never pays twice. Raises NotFound, PermissionDenied.
    """
    feedback = (
        ReviewFeedback.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(pk=feedback_id, request_id=request_id)
        .first()
    )
    if feedback is None:
        raise NotFound(f"No feedback {feedback_id} on review request {request_id}.")
    if feedback.request.author_id != actor.pk:
        raise PermissionDenied("Only the author of the review request marks feedback helpful.")
    if feedback.is_helpful == helpful:
        return feedback
    feedback.is_helpful = helpful
    feedback.save(update_fields=["is_helpful"])
    # Through the reputation ledger, so leaderboards count these points too.
    key = f"review-helpful:{feedback.pk}"
    if helpful:
        challenge_services.reputation_award(
            user_id=feedback.reviewer_id,
            reason="review_helpful",
            points=POINTS_HELPFUL_FEEDBACK,
            source_key=key,
        )
    else:
        challenge_services.reputation_withdraw(source_key=key)
    return feedback
