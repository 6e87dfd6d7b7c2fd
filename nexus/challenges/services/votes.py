"""Votes on challenges and solutions, and the reputation they move."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nexus.accounts import services as account_services
from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import Challenge, ReputationEvent, Solution, Vote
from nexus.challenges.services.common import VoteTarget
from nexus.challenges.services.reputation import POINTS
from nexus.core.cache import invalidates
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.notifications import events

# Scores at which a post's author hears of its votes.
SCORE_MILESTONES = frozenset({1, 5, 10, 25, 50, 100, 250, 500, 1000})


@invalidates("challenges", "leaderboard")
@transaction.atomic
def vote_cast(*, actor: User, target: VoteTarget, target_id: int, value: Any) -> int:
    """Cast, change (`1`/`-1`) or withdraw (`0`) a vote; returns the new score.

    One vote per user and post; repeating a vote changes nothing. Locks the
    post, so concurrent votes each count exactly once. Reputation follows.
    Raises ValidationError (bad value, hidden post), PermissionDenied (own post), NotFound.
    """
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise ValidationError(errors={"value": ["One of -1, 0 or 1."]})
    model: type[Challenge] | type[Solution] = Challenge if target == "challenge" else Solution
    post = model.objects.select_for_update().filter(pk=target_id).first()
    if post is None:
        raise NotFound(f"No {target} {target_id}.")
    permissions.check_can_view(actor, post, target)
    challenge = post if isinstance(post, Challenge) else post.challenge
    if isinstance(post, Solution):
        permissions.check_can_view(actor, challenge, target)
    if post.author_id == actor.pk:
        raise PermissionDenied("You cannot vote on your own post.")
    if post.is_hidden:
        raise ValidationError("Hidden posts take no votes.", errors={"value": ["Hidden post."]})

    on_post: dict[str, Any] = {target: post}
    vote = Vote.objects.filter(user=actor, **on_post).first()
    old = vote.value if vote else 0
    if old == value:
        return int(post.score)
    reason = (
        ReputationEvent.Reason.CHALLENGE_VOTED
        if target == "challenge"
        else ReputationEvent.Reason.SOLUTION_VOTED
    )
    old_points = POINTS.get((target, old), 0)
    new_points = POINTS.get((target, value), 0)
    if value == 0 and vote is not None:
        vote.delete()  # its ledger line goes with it
    elif vote is None:
        vote = Vote.objects.create(user=actor, value=value, **on_post)
        ReputationEvent.objects.create(
            user_id=post.author_id,
            reason=reason,
            points=new_points,
            challenge=challenge,
            vote=vote,
            created_at=timezone.now(),
        )
    else:
        vote.value = value
        vote.save(update_fields=["value", "updated_at"])
        ReputationEvent.objects.filter(vote=vote).update(points=new_points)
    model.objects.filter(pk=post.pk).update(score=F("score") + (value - old))
    account_services.reputation_adjust(user_id=post.author_id, delta=new_points - old_points)
    new_score: int = post.score + (value - old)
    if value > old and new_score in SCORE_MILESTONES:
        events.record("vote.milestone", target=target, target_id=post.pk, score=new_score)
    return new_score
