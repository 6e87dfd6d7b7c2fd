"""Writes of the challenges app: one function per use case, in a module per area.

Each service owns its transaction, locks what it changes, checks permission and
validates its input before it writes; the public ones are all importable from
here (`from nexus.challenges import services`).
"""

from nexus.challenges.services.challenges import (
    challenge_create,
    challenge_delete,
    challenge_update,
)
from nexus.challenges.services.comments import comment_create, comment_delete, comment_update
from nexus.challenges.services.common import VoteTarget
from nexus.challenges.services.follows import bookmark_set, follow_set
from nexus.challenges.services.moderation import (
    ModeratedTarget,
    challenge_close,
    challenge_mark_duplicate,
    challenge_reopen,
    challenges_flag_unanswered,
    content_hide,
)
from nexus.challenges.services.reputation import (
    POINTS,
    POINTS_ACCEPTED_A_SOLUTION,
    POINTS_SOLUTION_ACCEPTED,
    reputation_award,
    reputation_withdraw,
)
from nexus.challenges.services.solutions import (
    solution_accept,
    solution_create,
    solution_delete,
    solution_promote_to_guide,
    solution_unaccept,
    solution_update,
)
from nexus.challenges.services.views import VIEWS_KEY, challenge_flush_views, challenge_record_view
from nexus.challenges.services.votes import vote_cast

__all__ = [
    "POINTS",
    "POINTS_ACCEPTED_A_SOLUTION",
    "POINTS_SOLUTION_ACCEPTED",
    "VIEWS_KEY",
    "ModeratedTarget",
    "VoteTarget",
    "bookmark_set",
    "challenge_close",
    "challenge_create",
    "challenge_delete",
    "challenge_flush_views",
    "challenge_mark_duplicate",
    "challenge_record_view",
    "challenge_reopen",
    "challenge_update",
    "challenges_flag_unanswered",
    "comment_create",
    "comment_delete",
    "comment_update",
    "content_hide",
    "follow_set",
    "reputation_award",
    "reputation_withdraw",
    "solution_accept",
    "solution_create",
    "solution_delete",
    "solution_promote_to_guide",
    "solution_unaccept",
    "solution_update",
    "vote_cast",
]
