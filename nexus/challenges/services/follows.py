"""Following and bookmarking challenges."""

from __future__ import annotations

from nexus.accounts.models import User
from nexus.challenges.models import Bookmark, Follow
from nexus.challenges.services.common import follow, visible_challenge


def follow_set(*, actor: User, challenge_id: int, following: bool) -> bool:
    """Follow or unfollow a challenge; idempotent. Returns whether the actor follows it."""
    challenge = visible_challenge(actor, challenge_id)
    if following:
        follow(actor, challenge)
    else:
        Follow.objects.filter(user=actor, challenge=challenge).delete()
    return following


def bookmark_set(*, actor: User, challenge_id: int, bookmarked: bool) -> bool:
    """Bookmark or un-bookmark a challenge; idempotent."""
    challenge = visible_challenge(actor, challenge_id)
    if bookmarked:
        Bookmark.objects.bulk_create(
            [Bookmark(user=actor, challenge=challenge)], ignore_conflicts=True
        )
    else:
        Bookmark.objects.filter(user=actor, challenge=challenge).delete()
    return bookmarked
