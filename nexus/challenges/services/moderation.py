"""Staff moderation: closing, reopening, marking duplicates, hiding; all logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import Challenge, Comment, ModerationAction, Solution
from nexus.challenges.services.comments import count_comment
from nexus.challenges.services.common import clean_id, clean_reason, locked_challenge
from nexus.challenges.services.solutions import unaccept
from nexus.core.cache import invalidates
from nexus.core.errors import NotFound, ValidationError
from nexus.notifications import events
from nexus.search.indexing import index_on_commit


def _log(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    challenge: Challenge,
    reason: str,
    details: dict[str, Any] | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        challenge=challenge,
        reason=reason,
        details=details or {},
    )


def _challenge_moderated(
    challenge: Challenge,
    fields: list[str],
    *,
    actor: User,
    action: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> Challenge:
    """Save the challenge's changed `fields`, log the action, reindex it on commit."""
    challenge.save(update_fields=[*fields, "updated_at"])
    _log(
        actor=actor,
        action=action,
        target_type="challenge",
        target_id=challenge.pk,
        challenge=challenge,
        reason=reason,
        details=details,
    )
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_close(*, actor: User, challenge_id: int, reason: Any = None) -> Challenge:
    """Staff close a challenge: no new solutions or comments. Logged."""
    permissions.check_is_staff(actor)
    challenge = locked_challenge(challenge_id)
    if challenge.status == Challenge.Status.CLOSED:
        raise ValidationError("Already closed.", errors={"status": ["Already closed."]})
    note = clean_reason(reason, required=False)
    challenge.status = Challenge.Status.CLOSED
    return _challenge_moderated(
        challenge, ["status"], actor=actor, action=ModerationAction.Action.CLOSE, reason=note
    )


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_reopen(*, actor: User, challenge_id: int, reason: Any = None) -> Challenge:
    """Staff reopen a closed or duplicate challenge: solved again if it has an accepted
    solution, open otherwise. Logged."""
    permissions.check_is_staff(actor)
    challenge = locked_challenge(challenge_id)
    if challenge.accepts_answers:
        raise ValidationError("Not closed.", errors={"status": [f"It is {challenge.status}."]})
    note = clean_reason(reason, required=False)
    challenge.status = (
        Challenge.Status.SOLVED if challenge.accepted_solution_id else Challenge.Status.OPEN
    )
    challenge.duplicate_of = None
    return _challenge_moderated(
        challenge,
        ["status", "duplicate_of"],
        actor=actor,
        action=ModerationAction.Action.REOPEN,
        reason=note,
    )


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_mark_duplicate(
    *, actor: User, challenge_id: int, original_id: Any, reason: Any = None
) -> Challenge:
    """Staff mark a challenge as a duplicate of an earlier one. Logged."""
    permissions.check_is_staff(actor)
    original_pk = clean_id(original_id, "original")
    challenge = locked_challenge(challenge_id)
    if original_pk == challenge.pk:
        raise ValidationError(errors={"original": ["A challenge cannot duplicate itself."]})
    original = Challenge.objects.filter(pk=original_pk, deleted_at__isnull=True).first()
    if original is None:
        raise ValidationError(errors={"original": [f"No challenge {original_pk}."]})
    if original.duplicate_of_id == challenge.pk:
        raise ValidationError(errors={"original": ["That challenge duplicates this one."]})
    note = clean_reason(reason, required=False)
    challenge.status = Challenge.Status.DUPLICATE
    challenge.duplicate_of = original
    return _challenge_moderated(
        challenge,
        ["status", "duplicate_of"],
        actor=actor,
        action=ModerationAction.Action.MARK_DUPLICATE,
        reason=note,
        details={"original": original.pk},
    )


ModeratedTarget = Literal["challenge", "solution", "comment"]


@invalidates("challenges", "leaderboard")
@transaction.atomic
def content_hide(
    *, actor: User, target: ModeratedTarget, target_id: int, reason: Any, hidden: bool = True
) -> Challenge | Solution | Comment:
    """Staff hide (or unhide) a post with a reason. Hidden content disappears for
    everyone but staff and its author, who sees the reason. A hidden accepted
    solution is un-accepted. Logged. Raises PermissionDenied, NotFound, ValidationError."""
    permissions.check_is_staff(actor)
    note = clean_reason(reason, required=hidden)
    models: dict[str, Any] = {"challenge": Challenge, "solution": Solution, "comment": Comment}
    content: Any = models[target].objects.select_for_update().filter(pk=target_id).first()
    if content is None or content.deleted_at is not None:
        raise NotFound(f"No {target} {target_id}.")
    if content.is_hidden == hidden:
        state = "hidden" if hidden else "visible"
        raise ValidationError(f"Already {state}.", errors={target: [f"Already {state}."]})
    challenge = (
        content
        if isinstance(content, Challenge)
        else content.challenge
        if isinstance(content, Solution)
        else (content.challenge or content.solution.challenge)
    )
    content.is_hidden = hidden
    content.hidden_reason = note if hidden else ""
    content.hidden_at = timezone.now() if hidden else None
    content.hidden_by = actor if hidden else None
    content.save(
        update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by", "updated_at"]
    )
    delta = -1 if hidden else 1
    if isinstance(content, Solution):
        if hidden and content.is_accepted:
            unaccept(Challenge.objects.select_for_update().get(pk=challenge.pk), content)
        Challenge.objects.filter(pk=challenge.pk).update(solution_count=F("solution_count") + delta)
    elif isinstance(content, Comment):
        count_comment(content, delta)
    _log(
        actor=actor,
        action=ModerationAction.Action.HIDE if hidden else ModerationAction.Action.UNHIDE,
        target_type=target,
        target_id=content.pk,
        challenge=challenge,
        reason=note,
    )
    index_on_commit("challenge", challenge.pk)
    return content  # type: ignore[no-any-return]


def challenges_flag_unanswered(*, hours: int, limit: int = 200) -> int:
    """Record `challenge.unanswered` for open challenges nobody answered within
    `hours`, once each; returns how many were flagged."""
    cutoff = timezone.now() - timedelta(hours=hours)
    flagged = 0
    with transaction.atomic():
        waiting = (
            Challenge.objects.select_for_update(skip_locked=True)
            .filter(
                status=Challenge.Status.OPEN,
                solution_count=0,
                created_at__lte=cutoff,
                unanswered_notified_at__isnull=True,
                is_hidden=False,
                deleted_at__isnull=True,
            )
            .order_by("created_at")[:limit]
        )
        for challenge in waiting:
            challenge.unanswered_notified_at = timezone.now()
            challenge.save(update_fields=["unanswered_notified_at"])
            events.record("challenge.unanswered", challenge_id=challenge.pk)
            flagged += 1
    return flagged
