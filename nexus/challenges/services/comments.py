"""Comments on challenges and solutions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import Challenge, Comment, Solution
from nexus.challenges.services.common import VoteTarget, touch, visible_challenge, visible_solution
from nexus.core.cache import invalidates
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.validation import clean_text, raise_if, unknown_fields
from nexus.notifications import events

COMMENT_MAX = 2_000


@invalidates("challenges", "leaderboard")
@transaction.atomic
def comment_create(
    *, actor: User, target: VoteTarget, target_id: int, data: Mapping[str, Any]
) -> Comment:
    """Comment on a challenge or a solution; not on hidden posts or closed challenges."""
    if target == "challenge":
        challenge = visible_challenge(actor, target_id, lock=True)
        post: Challenge | Solution = challenge
    else:
        post = visible_solution(actor, target_id, lock=True)
        challenge = post.challenge
    if post.is_hidden or challenge.is_hidden:
        raise ValidationError(
            "Hidden posts take no comments.", errors={target: ["Hidden by staff."]}
        )
    permissions.check_accepts_answers(challenge)
    errors = unknown_fields(data, {"body"})
    body = clean_text(errors, "body", data.get("body"), max_length=COMMENT_MAX)
    raise_if(errors)
    on_post: dict[str, Any] = {target: post}
    comment = Comment.objects.create(
        author=actor, body=body, body_html=render_markdown(body), **on_post
    )
    type(post).objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    touch(challenge)
    events.record(
        "comment.created", comment_id=comment.pk, challenge_id=challenge.pk, actor_id=actor.pk
    )
    return comment


def _visible_comment(actor: User, comment_id: int) -> Comment:
    # Lock the comment alone: PostgreSQL refuses FOR UPDATE across outer joins.
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("challenge", "solution__challenge")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise NotFound(f"No comment {comment_id}.")
    permissions.check_can_view(actor, comment, "comment")
    return comment


@invalidates("challenges", "leaderboard")
@transaction.atomic
def comment_update(*, actor: User, comment_id: int, data: Mapping[str, Any]) -> Comment:
    """Edit a comment: its author, within the edit window after posting."""
    comment = _visible_comment(actor, comment_id)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only its author edits a comment.")
    window = timedelta(minutes=permissions.COMMENT_EDIT_WINDOW_MINUTES)
    if timezone.now() - comment.created_at > window:
        raise PermissionDenied(
            f"Comments can be edited for {permissions.COMMENT_EDIT_WINDOW_MINUTES} minutes."
        )
    errors = unknown_fields(data, {"body"})
    body = clean_text(errors, "body", data.get("body"), max_length=COMMENT_MAX)
    raise_if(errors)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.save(update_fields=["body", "body_html", "updated_at"])
    return comment


@invalidates("challenges", "leaderboard")
@transaction.atomic
def comment_delete(*, actor: User, comment_id: int) -> None:
    """Remove a comment (soft): its author or staff."""
    comment = _visible_comment(actor, comment_id)
    permissions.check_is_author_or_staff(actor, comment, "remove a comment")
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    if not comment.is_hidden:
        count_comment(comment, -1)


def count_comment(comment: Comment, delta: int) -> None:
    if comment.challenge_id is not None:
        Challenge.objects.filter(pk=comment.challenge_id).update(
            comment_count=F("comment_count") + delta
        )
    elif comment.solution_id is not None:
        Solution.objects.filter(pk=comment.solution_id).update(
            comment_count=F("comment_count") + delta
        )
