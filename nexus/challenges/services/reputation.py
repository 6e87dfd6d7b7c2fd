"""Reputation: points earned, in a ledger and on the profile.

Reputation weights (documented in the API too):

| event                                  | points |
| -------------------------------------- | ------ |
| your challenge is upvoted / downvoted  | +5 / -2 |
| your solution is upvoted / downvoted   | +10 / -2 |
| your solution is accepted              | +15    |
| you accept someone else's solution     | +2     |

Points move with the votes: changing or withdrawing a vote changes or
removes its ledger line, and un-accepting removes the acceptance lines.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from nexus.accounts import services as account_services
from nexus.challenges.models import ReputationEvent
from nexus.core.cache import invalidates

POINTS = {
    ("challenge", 1): 5,
    ("challenge", -1): -2,
    ("solution", 1): 10,
    ("solution", -1): -2,
}
POINTS_SOLUTION_ACCEPTED = 15
POINTS_ACCEPTED_A_SOLUTION = 2


@invalidates("leaderboard")
@transaction.atomic
def reputation_award(*, user_id: int, reason: str, points: int, source_key: str) -> bool:
    """Record points earned outside challenges (e.g. helpful review feedback) in the
    ledger and on the profile, once per `source_key`. Returns whether it was new."""
    _, created = ReputationEvent.objects.get_or_create(
        source_key=source_key,
        defaults={
            "user_id": user_id,
            "reason": reason,
            "points": points,
            "created_at": timezone.now(),
        },
    )
    if created:
        account_services.reputation_adjust(user_id=user_id, delta=points)
    return created


@invalidates("leaderboard")
@transaction.atomic
def reputation_withdraw(*, source_key: str) -> bool:
    """Take back the points recorded under `source_key`, if any."""
    event = ReputationEvent.objects.select_for_update().filter(source_key=source_key).first()
    if event is None:
        return False
    account_services.reputation_adjust(user_id=event.user_id, delta=-event.points)
    event.delete()
    return True
