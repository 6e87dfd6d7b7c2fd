"""Reads of the challenges app: joined once, visibility decided here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.filters import ChallengeFilter
from nexus.challenges.models import (
    Bookmark,
    Challenge,
    ChallengeRevision,
    Comment,
    Follow,
    ModerationAction,
    ReputationEvent,
    Solution,
    Vote,
)
from nexus.core.errors import NotFound, ValidationError
from nexus.core.filters import apply_filters
from nexus.core.permissions import is_staff
from nexus.knowledge.models import Concept, Tag, Technology
from nexus.knowledge.selectors import ref_prefetches

SIMILAR_LIMIT = 10
LEADERBOARD_MAX = 100


def _authed_id(viewer: Any) -> int | None:
    return viewer.pk if getattr(viewer, "is_authenticated", False) else None


def challenge_queryset(*, viewer: Any) -> QuerySet[Challenge]:
    """Visible challenges with their author and their links as lists
    (`technology_refs`, `concept_refs`, `tag_refs`, each in its model's order), for
    lists and details alike: one query for the rows and one for each kind of link,
    however many rows. Lists rather than prefetched managers: a manager per row and
    link was most of a page's time."""
    return (
        permissions.visible(Challenge.objects.all(), viewer)
        .select_related("author__profile")
        .prefetch_related(
            Prefetch("technologies", queryset=_refs(Technology), to_attr="technology_refs"),
            Prefetch("concepts", queryset=_refs(Concept), to_attr="concept_refs"),
            Prefetch("tags", queryset=_refs(Tag), to_attr="tag_refs"),
        )
    )


def _refs(model: type[Technology | Concept | Tag]) -> QuerySet[Any]:
    return model.objects.only("id", "slug", "name")


# The columns a challenge in a list shows: loading the body and the whole user
# and profile rows too was a third of a page's time.
LISTED_FIELDS = (
    "title",
    "status",
    "is_hidden",
    "hidden_reason",
    "author__username",
    "author__profile__display_name",
    "score",
    "view_count",
    "solution_count",
    "comment_count",
    "accepted_solution_id",
    "duplicate_of_id",
    "current_revision_id",
    "last_activity_at",
    "created_at",
    "updated_at",
)


def _listed(*, viewer: Any) -> QuerySet[Challenge]:
    """`challenge_queryset` with the columns of a list only (`LISTED_FIELDS`)."""
    return challenge_queryset(viewer=viewer).only(*LISTED_FIELDS)


def challenge_list(*, viewer: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Challenge]:
    """Challenges the viewer may see, with the columns a list shows, filtered by
    status, technology, concept, tag, author, cohort, `unanswered` and title text."""
    return apply_filters(ChallengeFilter, _listed(viewer=viewer), filters)


def _my_vote(viewer: Any, on: str) -> Any:
    """The viewer's vote on the outer challenge or solution (`on`), 0 if none."""
    user_id = _authed_id(viewer)
    if user_id is None:
        return Value(0, output_field=IntegerField())
    vote = Vote.objects.filter(user_id=user_id, **{on: OuterRef("pk")}).values("value")[:1]
    return Coalesce(Subquery(vote), 0)


def _solutions_queryset(viewer: Any) -> QuerySet[Solution]:
    """Visible solutions, accepted first then by score, with their author, the guide
    they became, the viewer's vote (`my_vote`) and their visible comments
    (`visible_comments`)."""
    comments = permissions.visible(Comment.objects.all(), viewer).select_related("author__profile")
    solutions: QuerySet[Solution] = (
        permissions.visible(Solution.objects.all(), viewer)
        .select_related("author__profile", "promoted_guide")
        .annotate(my_vote=_my_vote(viewer, "solution_id"))
        .prefetch_related(Prefetch("comments", queryset=comments, to_attr="visible_comments"))
        .order_by("-is_accepted", "-score", "created_at")
    )
    return solutions


@dataclass(frozen=True)
class ViewerState:
    """What the caller has done to a challenge and its solutions."""

    challenge_vote: int
    solution_votes: dict[int, int]
    is_following: bool
    is_bookmarked: bool


def _flag(viewer: Any, model: type[Follow | Bookmark]) -> Any:
    """Whether the viewer follows (or bookmarked) the outer challenge."""
    user_id = _authed_id(viewer)
    if user_id is None:
        return Value(False, output_field=BooleanField())
    return Exists(model.objects.filter(user_id=user_id, challenge_id=OuterRef("pk")))


def challenge_get(*, viewer: Any, challenge_id: int) -> Challenge:
    """A challenge with its links, its solutions (`visible_solutions`: accepted
    first, then by score) with their comments, its own comments
    (`visible_comments`) and what the viewer did to it (`my_vote`, `is_following`,
    `is_bookmarked`, and on each solution `my_vote`; all of it as `viewer_state`
    too). Seven queries, whoever reads. Raises NotFound."""
    comments = permissions.visible(Comment.objects.all(), viewer).select_related("author__profile")
    challenge = (
        challenge_queryset(viewer=viewer)
        .annotate(
            my_vote=_my_vote(viewer, "challenge_id"),
            is_following=_flag(viewer, Follow),
            is_bookmarked=_flag(viewer, Bookmark),
        )
        .prefetch_related(
            Prefetch(
                "solutions", queryset=_solutions_queryset(viewer), to_attr="visible_solutions"
            ),
            Prefetch("comments", queryset=comments, to_attr="visible_comments"),
        )
        .filter(pk=challenge_id)
        .first()
    )
    if challenge is None:
        raise NotFound(f"No challenge {challenge_id}.")
    challenge.viewer_state = ViewerState(  # type: ignore[attr-defined]
        challenge_vote=challenge.my_vote,
        solution_votes={s.pk: s.my_vote for s in challenge.visible_solutions},  # type: ignore[attr-defined]
        is_following=challenge.is_following,
        is_bookmarked=challenge.is_bookmarked,
    )
    return challenge


def solution_list(*, viewer: Any, challenge_id: int) -> QuerySet[Solution]:
    """The visible solutions of a visible challenge, accepted first then by score."""
    challenge = Challenge.objects.filter(pk=challenge_id).first()
    if challenge is None or not permissions.can_view(viewer, challenge):
        raise NotFound(f"No challenge {challenge_id}.")
    return _solutions_queryset(viewer).filter(challenge_id=challenge_id)


def solution_get(*, viewer: Any, solution_id: int) -> Solution:
    """A visible solution of a visible challenge, as `_solutions_queryset` shapes
    it, in two queries. Raises NotFound."""
    solution: Solution | None = (
        _solutions_queryset(viewer).select_related("challenge").filter(pk=solution_id).first()
    )
    if solution is None or not permissions.can_view(viewer, solution.challenge):
        raise NotFound(f"No solution {solution_id}.")
    return solution


def comment_list(
    *, viewer: Any, target: Literal["challenge", "solution"], target_id: int
) -> QuerySet[Comment]:
    """The visible comments on a visible challenge or solution, oldest first."""
    if target == "challenge":
        challenge = Challenge.objects.filter(pk=target_id).first()
        post: Challenge | Solution | None = challenge
    else:
        post = Solution.objects.select_related("challenge").filter(pk=target_id).first()
        challenge = post.challenge if post else None
    if (
        post is None
        or challenge is None
        or not permissions.can_view(viewer, post)
        or not permissions.can_view(viewer, challenge)
    ):
        raise NotFound(f"No {target} {target_id}.")
    comments = permissions.visible(Comment.objects.all(), viewer)
    on_post: dict[str, Any] = {target: post}
    return comments.filter(**on_post).select_related("author__profile")


def challenge_revision_list(*, viewer: Any, challenge_id: int) -> QuerySet[ChallengeRevision]:
    challenge = Challenge.objects.filter(pk=challenge_id).first()
    if challenge is None or not permissions.can_view(viewer, challenge):
        raise NotFound(f"No challenge {challenge_id}.")
    # Not `challenge.revisions`: a related manager ties each row back to the
    # challenge through its challenge_id, which GraphQL's optimizer may defer,
    # costing a query per row.
    return (
        ChallengeRevision.objects.filter(challenge_id=challenge.pk)
        .select_related("editor__profile")
        .order_by("-number")
    )


_WORD = re.compile(r"[A-Za-z0-9+#.]{3,}")
_STOP_WORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "how",
        "why",
        "what",
        "when",
        "not",
        "from",
        "into",
        "are",
        "can",
        "does",
        "use",
        "using",
        "have",
        "has",
        "get",
        "set",
        "this",
        "that",
        "your",
        "you",
        "my",
        "our",
        "its",
    }
)


def challenge_similar(*, viewer: Any, title: Any) -> list[Challenge]:
    """Challenges that look like one being written, solved ones first.

    PostgreSQL ranks by trigram similarity of titles; elsewhere by how many
    of the title's words each challenge title shares. Raises ValidationError.
    """
    if not isinstance(title, str) or len(title.strip()) < 3:
        raise ValidationError(errors={"title": ["At least 3 characters to compare."]})
    title = title.strip()[:200]
    visible = _listed(viewer=viewer).exclude(status=Challenge.Status.DUPLICATE)
    solved_first = Case(
        When(status=Challenge.Status.SOLVED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import TrigramWordSimilarity

        by_similarity = (
            visible.annotate(similarity=TrigramWordSimilarity(title, "title"))
            .filter(similarity__gte=0.3)
            .order_by(solved_first, "-similarity", "-score")
        )
        return list(by_similarity[:SIMILAR_LIMIT])
    words = [w for w in _WORD.findall(title.lower()) if w not in _STOP_WORDS][:8]
    if not words:
        return []
    shared = sum(
        (Case(When(title__icontains=w, then=Value(1)), default=Value(0)) for w in words),
        start=Value(0),
    )
    ranked = (
        visible.annotate(shared=shared)
        .filter(shared__gte=max(1, min(2, len(words))))
        .order_by(solved_first, "-shared", "-score")
    )
    return list(ranked[:SIMILAR_LIMIT])


def bookmarked_challenges(*, viewer: User) -> QuerySet[Challenge]:
    return _listed(viewer=viewer).filter(bookmarks__user_id=viewer.pk)


def followed_challenges(*, viewer: User) -> QuerySet[Challenge]:
    return _listed(viewer=viewer).filter(follows__user_id=viewer.pk)


def moderation_log(*, viewer: Any, challenge_id: int | None = None) -> QuerySet[ModerationAction]:
    """The moderation log, newest first. Staff only: others get NotFound."""
    if not is_staff(viewer):
        raise NotFound("No moderation log here.")
    log = ModerationAction.objects.select_related("actor__profile", "challenge")
    if challenge_id is not None:
        log = log.filter(challenge_id=challenge_id)
    return log


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user: User
    points: int


LEADERBOARD_PERIODS = {"all": None, "30d": timedelta(days=30)}


def leaderboard(
    *,
    period: Any = "all",
    cohort: Any = None,
    technology: Any = None,
    limit: Any = 20,
) -> list[LeaderboardRow]:
    """Reputation earned, highest first, over all time or the last 30 days, overall,
    in one cohort or on one technology's challenges. Two queries whatever the size.
    Raises ValidationError for an unknown period or a bad limit."""
    errors: dict[str, list[str]] = {}
    if period not in LEADERBOARD_PERIODS:
        errors["period"] = ["One of: all, 30d."]
    try:
        size = int(limit)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= LEADERBOARD_MAX:
        errors["limit"] = [f"A number from 1 to {LEADERBOARD_MAX}."]
    if errors:
        raise ValidationError(errors=errors)
    events = ReputationEvent.objects.all()
    window = LEADERBOARD_PERIODS[period]
    if window is not None:
        events = events.filter(created_at__gte=timezone.now() - window)
    if cohort:
        events = events.filter(user__profile__cohort__slug=cohort)
    if technology:
        events = events.filter(challenge__technologies__slug=technology)
    totals = list(
        events.values("user_id")
        .annotate(points=Sum("points"))
        .filter(points__gt=0)
        .order_by("-points", "user_id")[:size]
    )
    users = User.objects.in_bulk([row["user_id"] for row in totals])
    return [
        LeaderboardRow(rank=index, user=users[row["user_id"]], points=row["points"])
        for index, row in enumerate(totals, start=1)
        if row["user_id"] in users
    ]


# --- Reads other apps make (journeys' portfolio) ----------------------------------------


def challenges_asked_by(*, viewer: Any, author: User) -> list[Challenge]:
    """The author's challenges the viewer may see, oldest first, with the accepted
    solution's author and their links."""
    refs = ref_prefetches()
    challenges = permissions.visible(Challenge.objects.filter(author=author), viewer)
    return list(
        challenges.select_related("accepted_solution__author__profile")
        .prefetch_related(refs["technologies"], refs["concepts"])
        .order_by("created_at", "id")
    )


def solutions_accepted_of(*, viewer: Any, author: User) -> list[Solution]:
    """The author's accepted solutions to others' challenges, both visible to the
    viewer, in the order they were accepted, with the challenge and its links."""
    solutions = permissions.visible(
        Solution.objects.filter(author=author, is_accepted=True), viewer
    ).exclude(challenge__author=author)
    solutions = solutions.filter(challenge__deleted_at__isnull=True)
    refs = ref_prefetches()
    return [
        solution
        for solution in solutions.select_related("challenge__author__profile")
        .prefetch_related(
            Prefetch("challenge__technologies", queryset=refs["technologies"].queryset),
            Prefetch("challenge__concepts", queryset=refs["concepts"].queryset),
        )
        .order_by("accepted_at", "id")
        if permissions.can_view(viewer, solution.challenge)
    ]


def challenges_written_in_cohort(cohort: Any) -> QuerySet[Challenge]:
    """Challenges (not deleted) whose authors are in the cohort."""
    return Challenge.objects.filter(author__profile__cohort=cohort, deleted_at__isnull=True)


def solutions_written_in_cohort(cohort: Any) -> QuerySet[Solution]:
    """Solutions (not deleted) whose authors are in the cohort."""
    return Solution.objects.filter(author__profile__cohort=cohort, deleted_at__isnull=True)


def unanswered_in_cohort(cohort: Any) -> QuerySet[Challenge]:
    """Open challenges of the cohort's members that no one has answered, as anyone
    may see them, with their authors."""
    return permissions.visible(
        Challenge.objects.filter(
            author__profile__cohort=cohort, status=Challenge.Status.OPEN, solution_count=0
        ),
        None,
    ).select_related("author__profile")
