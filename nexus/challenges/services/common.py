"""What the challenges app's services share: loading what they act on, and the
input rules they hold in common."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import F
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import Challenge, Follow, Solution
from nexus.core.errors import NotFound, ValidationError
from nexus.core.validation import Errors, clean_text, raise_if

BODY_MAX = 50_000
REASON_MAX = 500

VoteTarget = Literal["challenge", "solution"]


def locked_challenge(challenge_id: int) -> Challenge:
    """The challenge, locked for the caller's transaction. Raises NotFound if deleted."""
    challenge = Challenge.objects.select_for_update().filter(pk=challenge_id).first()
    if challenge is None or challenge.is_deleted:
        raise NotFound(f"No challenge {challenge_id}.")
    return challenge


def visible_challenge(actor: User, challenge_id: int, *, lock: bool = False) -> Challenge:
    """The challenge if `actor` may see it (locked with `lock`). Raises NotFound."""
    queryset = Challenge.objects.select_for_update() if lock else Challenge.objects
    challenge = queryset.filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFound(f"No challenge {challenge_id}.")
    permissions.check_can_view(actor, challenge, "challenge")
    return challenge


def visible_solution(actor: User, solution_id: int, *, lock: bool = False) -> Solution:
    """The solution, with its challenge, if `actor` may see both (both locked with
    `lock`). Raises NotFound."""
    queryset = Solution.objects.select_for_update() if lock else Solution.objects
    solution = queryset.select_related("challenge").filter(pk=solution_id).first()
    if solution is None:
        raise NotFound(f"No solution {solution_id}.")
    permissions.check_can_view(actor, solution, "solution")
    permissions.check_can_view(actor, solution.challenge, "solution")
    return solution


def touch(challenge: Challenge, **counters: int) -> None:
    """Mark the challenge active now, moving its `counters` by their deltas in SQL."""
    updates: dict[str, Any] = {"last_activity_at": timezone.now()}
    updates.update({name: F(name) + delta for name, delta in counters.items()})
    Challenge.objects.filter(pk=challenge.pk).update(**updates)


def follow(user: User, challenge: Challenge) -> None:
    """The user follows the challenge, if not already (a concurrent follow is the
    same outcome)."""
    Follow.objects.bulk_create([Follow(user=user, challenge=challenge)], ignore_conflicts=True)


def clean_reason(value: Any, *, required: bool) -> str:
    """A moderation reason; empty when optional and not given. Raises ValidationError."""
    if value is None and not required:
        return ""
    errors: Errors = {}
    reason = clean_text(
        errors, "reason", value, max_length=REASON_MAX, min_length=1 if required else 0
    )
    raise_if(errors)
    return reason


def clean_id(value: Any, field: str) -> int:
    """A positive integer id sent under `field`. Raises ValidationError."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(errors={field: ["An id (a positive integer)."]})
    return int(value)
