"""GraphQL door of the challenges app: the same services and selectors as REST.

Lists are cursor pages of the selectors' querysets, which the optimizer
completes with whatever the query selects, so a page costs a fixed number of
SQL queries: one, and one more for each kind of link it selects.
`challenge(id)` returns what `selectors.challenge_get` built: the visible
solutions (accepted first, then by score) with their visible comments, the
challenge's visible comments and the viewer's votes and flags, all fetched in a
fixed number of queries; its nested fields only read those. Solution and
comment lists that ever resolve from a queryset go through the types'
`get_queryset`, which keeps only what the viewer may see, so hidden and deleted
content never leaks through a nested field.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from nexus.accounts.api.graphql import UserType
from nexus.challenges import permissions, selectors, services
from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    ModerationAction,
    Solution,
)
from nexus.core.errors import ValidationError
from nexus.core.graphql import (
    PAGED,
    After,
    First,
    Page,
    given_filters,
    page,
    request_user,
    sent_fields,
    signed_in,
)
from nexus.core.pagination import PAGE_SIZE
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.api.graphql import ConceptRefType, GuideType, TagRefType, TechnologyRefType

CHALLENGE_ORDERINGS = ("-created_at", "-last_activity_at", "-score")


# --- Enums ------------------------------------------------------------------------------


@strawberry.enum(name="VoteTarget", description="What a vote or a comment is on.")
class VoteTargetEnum(Enum):
    CHALLENGE = "challenge"
    SOLUTION = "solution"


@strawberry.enum(name="ModerationTarget", description="What staff hide or unhide.")
class ModerationTargetEnum(Enum):
    CHALLENGE = "challenge"
    SOLUTION = "solution"
    COMMENT = "comment"


# --- Types ------------------------------------------------------------------------------


@strawberry_django.type(Comment, name="Comment", description="A short remark on a post.")
class CommentType:
    id: int
    author: UserType
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    is_hidden: bool = strawberry_django.field(
        description="Hidden by staff: only staff and its author see it."
    )
    hidden_reason: str = strawberry_django.field(description="Why staff hid it.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Comment], info: Info[Any, Any], **kwargs: Any
    ) -> QuerySet[Comment]:
        """Any comment list resolved through this type holds only comments the viewer may see."""
        return permissions.visible(queryset, request_user(info))


@strawberry_django.type(Solution, name="Solution", description="An answer to a challenge.")
class SolutionType:
    id: int
    author: UserType
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    score: int
    is_accepted: bool
    accepted_at: datetime | None
    comment_count: int
    is_hidden: bool = strawberry_django.field(
        description="Hidden by staff: only staff and its author see it."
    )
    hidden_reason: str = strawberry_django.field(description="Why staff hid it.")
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(only=["challenge_id"])
    def challenge_id(self, root: strawberry.Parent[Solution]) -> int:
        return root.challenge_id

    @strawberry_django.field(description="Its visible comments, oldest first.")
    def comments(self, root: strawberry.Parent[Solution]) -> list[CommentType]:
        return root.visible_comments  # type: ignore[attr-defined, no-any-return]

    @strawberry_django.field(
        only=["promoted_guide__slug"],
        select_related=["promoted_guide"],
        description="The slug of the guide this solution became, if any.",
    )
    def promoted_guide_slug(self, root: strawberry.Parent[Solution]) -> str | None:
        return root.promoted_guide.slug if root.promoted_guide else None

    @strawberry_django.field(
        description="Your vote: -1, 0 or 1, inside `challenge(id)`; null elsewhere."
    )
    def my_vote(self, root: strawberry.Parent[Solution]) -> int | None:
        return getattr(root, "viewer_vote", None)

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Solution], info: Info[Any, Any], **kwargs: Any
    ) -> QuerySet[Solution]:
        """Any solution list resolved through this type holds only solutions the viewer
        may see."""
        return permissions.visible(queryset, request_user(info))


@strawberry_django.type(
    Challenge, name="Challenge", description="A problem met along the way, open to answers."
)
class ChallengeType:
    id: int
    title: str
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    status: str = strawberry_django.field(description="open, solved, closed or duplicate.")
    author: UserType
    score: int
    view_count: int
    solution_count: int
    comment_count: int
    last_activity_at: datetime
    is_hidden: bool = strawberry_django.field(
        description="Hidden by staff: only staff and its author see it."
    )
    hidden_reason: str = strawberry_django.field(description="Why staff hid it.")
    created_at: datetime
    updated_at: datetime

    technologies: list[TechnologyRefType]
    concepts: list[ConceptRefType]
    tags: list[TagRefType]

    # `only` because the optimizer does not map a foreign key's column by itself.
    accepted_solution_id: int | None = strawberry_django.field(only=["accepted_solution_id"])
    duplicate_of_id: int | None = strawberry_django.field(
        only=["duplicate_of_id"], description="The challenge this one repeats, if a duplicate."
    )
    current_revision_id: int | None = strawberry_django.field(
        only=["current_revision_id"],
        description="The current revision's id: send it as `baseRevision` to edit.",
    )

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Challenge], info: Info[Any, Any], **kwargs: Any
    ) -> QuerySet[Challenge]:
        """Any challenge list resolved through this type holds only challenges the viewer
        may see."""
        return permissions.visible(queryset, request_user(info))


@strawberry_django.type(
    Challenge,
    name="ChallengeDetail",
    description="A challenge with its solutions, comments and what you did to it.",
)
class ChallengeDetailType(ChallengeType):
    @strawberry_django.field(
        description="The visible solutions, accepted first then by score, with their comments."
    )
    def solutions(self, root: strawberry.Parent[Challenge]) -> list[SolutionType]:
        solutions: list[Solution] = root.visible_solutions  # type: ignore[attr-defined]
        votes: dict[int, int] = root.viewer_state.solution_votes  # type: ignore[attr-defined]
        for solution in solutions:
            solution.viewer_vote = votes.get(solution.pk, 0)  # type: ignore[attr-defined]
        return solutions  # type: ignore[return-value]

    @strawberry_django.field(description="The challenge's visible comments, oldest first.")
    def comments(self, root: strawberry.Parent[Challenge]) -> list[CommentType]:
        return root.visible_comments  # type: ignore[attr-defined, no-any-return]

    @strawberry_django.field(description="Your vote on the challenge: -1, 0 or 1.")
    def my_vote(self, root: strawberry.Parent[Challenge]) -> int:
        return root.viewer_state.challenge_vote  # type: ignore[attr-defined, no-any-return]

    @strawberry_django.field
    def is_following(self, root: strawberry.Parent[Challenge]) -> bool:
        return root.viewer_state.is_following  # type: ignore[attr-defined, no-any-return]

    @strawberry_django.field
    def is_bookmarked(self, root: strawberry.Parent[Challenge]) -> bool:
        return root.viewer_state.is_bookmarked  # type: ignore[attr-defined, no-any-return]


@strawberry_django.type(ChallengeRevision, name="ChallengeRevision")
class ChallengeRevisionType:
    id: int = strawberry_django.field(description="Send it as `baseRevision` to edit.")
    number: int
    title: str
    body: str = strawberry_django.field(description="Markdown, as it was at this revision.")
    message: str
    editor: UserType
    created_at: datetime


@strawberry_django.type(
    ModerationAction, name="ModerationAction", description="A line of the moderation log."
)
class ModerationActionType:
    id: int
    actor: UserType
    action: str = strawberry_django.field(
        description="close, reopen, mark_duplicate, hide or unhide."
    )
    target_type: str = strawberry_django.field(description="challenge, solution or comment.")
    target_id: int
    reason: str
    created_at: datetime

    @strawberry_django.field(only=["challenge_id"])
    def challenge_id(self, root: strawberry.Parent[ModerationAction]) -> int:
        return root.challenge_id

    @strawberry_django.field(only=["challenge__title"], select_related=["challenge"])
    def challenge_title(self, root: strawberry.Parent[ModerationAction]) -> str:
        return root.challenge.title

    @strawberry_django.field(
        only=["details"], description="What else the action recorded, e.g. `original`."
    )
    def details(self, root: strawberry.Parent[ModerationAction]) -> JSON:
        return root.details  # type: ignore[no-any-return]


@strawberry.type(name="LeaderboardRow")
class LeaderboardRowType:
    rank: int
    user: UserType
    points: int = strawberry.field(description="Reputation earned over the period.")


@strawberry.type(name="VoteResult")
class VoteResultType:
    score: int = strawberry.field(description="The post's score after the vote.")
    my_vote: int = strawberry.field(description="Your vote now: -1, 0 or 1.")


# --- Inputs -----------------------------------------------------------------------------


@strawberry.input
class CreateChallengeInput:
    title: str = strawberry.field(description="10 to 200 characters.")
    body: str = strawberry.field(
        description="Markdown: the problem, what you tried, your environment."
    )
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs."
    )
    concepts: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Concept slugs."
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Tag names, created as needed."
    )
    message: str | None = strawberry.UNSET


@strawberry.input(description="Fields left out are not changed.")
class UpdateChallengeInput:
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs; replaces the links."
    )
    concepts: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Concept slugs; replaces the links."
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Tag names; replaces the tags."
    )
    message: str | None = strawberry.field(
        default=strawberry.UNSET, description="What changed, for the history."
    )
    base_revision: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The revision id your edit started from. Required when the title or "
        "body changes; a stale one gets a `conflict` error with the current revision.",
    )


def _as_selected(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    """A list without the links the selector prefetches for REST and details: the
    optimizer prefetches those the query selects, and only those."""
    return challenges.prefetch_related(None)


def _detail(info: Info[Any, Any], challenge_id: int) -> ChallengeDetailType:
    challenge = selectors.challenge_get(viewer=request_user(info), challenge_id=challenge_id)
    return challenge  # type: ignore[return-value]


def _solution(info: Info[Any, Any], solution_id: int) -> SolutionType:
    solution = selectors.solution_get(viewer=request_user(info), solution_id=solution_id)
    return solution  # type: ignore[return-value]


# --- Queries ----------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(
        description="Challenges you may see, newest first. `ordering` is one of "
        f"{', '.join(CHALLENGE_ORDERINGS)}; `unanswered: true` keeps those without a "
        f"solution. {PAGED}"
    )
    def challenges(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        technology: str | None = None,
        concept: str | None = None,
        tag: str | None = None,
        author: str | None = None,
        cohort: str | None = None,
        unanswered: bool | None = None,
        q: str | None = None,
        ordering: str = "-created_at",
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[ChallengeType]:
        if ordering not in CHALLENGE_ORDERINGS:
            raise ValidationError(
                errors={"ordering": [f"One of: {', '.join(CHALLENGE_ORDERINGS)}."]}
            )
        filters = given_filters(
            status=status,
            technology=technology,
            concept=concept,
            tag=tag,
            author=author,
            cohort=cohort,
            unanswered=unanswered,
            q=q,
        )
        challenges = selectors.challenge_list(viewer=request_user(info), filters=filters)
        return page(_as_selected(challenges), ordering=(ordering,), first=first, after=after)

    @strawberry.field(
        description="A challenge with its solutions and comments. Counts a view, as the "
        "REST detail does."
    )
    def challenge(self, info: Info[Any, Any], id: int) -> ChallengeDetailType:
        challenge = _detail(info, id)
        services.challenge_record_view(challenge_id=id)
        return challenge

    @strawberry.field(description="Challenges like the one being written, solved ones first.")
    def similar_challenges(self, info: Info[Any, Any], title: str) -> list[ChallengeType]:
        similar = selectors.challenge_similar(viewer=request_user(info), title=title)
        return similar  # type: ignore[return-value]

    @strawberry.field(description=f"A challenge's revisions, newest first. {PAGED}")
    def challenge_revisions(
        self, info: Info[Any, Any], id: int, first: First = PAGE_SIZE, after: After = None
    ) -> Page[ChallengeRevisionType]:
        revisions = selectors.challenge_revision_list(viewer=request_user(info), challenge_id=id)
        return page(revisions, ordering=("-number",), first=first, after=after)

    @strawberry.field(
        description="Reputation earned, highest first: +5/-2 per up/down vote on your "
        "challenge, +10/-2 on your solution, +15 when your solution is accepted, +2 when "
        "you accept another's. `period` is `all` or `30d`; `limit` 1 to 100."
    )
    def leaderboard(
        self,
        period: str = "all",
        cohort: str | None = None,
        technology: str | None = None,
        limit: int = 20,
    ) -> list[LeaderboardRowType]:
        rows = selectors.leaderboard(
            period=period, cohort=cohort, technology=technology, limit=limit
        )
        return rows  # type: ignore[return-value]

    @strawberry.field(description=f"The moderation log, newest first (staff). {PAGED}")
    def moderation_log(
        self,
        info: Info[Any, Any],
        challenge: int | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[ModerationActionType]:
        log = selectors.moderation_log(viewer=signed_in(info), challenge_id=challenge)
        return page(log, ordering=("-created_at",), first=first, after=after)

    @strawberry.field(description=f"Challenges I bookmarked, newest first. {PAGED}")
    def my_bookmarks(
        self, info: Info[Any, Any], first: First = PAGE_SIZE, after: After = None
    ) -> Page[ChallengeType]:
        bookmarked = selectors.bookmarked_challenges(viewer=signed_in(info))
        return page(_as_selected(bookmarked), ordering=("-created_at",), first=first, after=after)

    @strawberry.field(description=f"Challenges I follow, newest first. {PAGED}")
    def my_following(
        self, info: Info[Any, Any], first: First = PAGE_SIZE, after: After = None
    ) -> Page[ChallengeType]:
        followed = selectors.followed_challenges(viewer=signed_in(info))
        return page(_as_selected(followed), ordering=("-created_at",), first=first, after=after)


# --- Mutations --------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Post a challenge; you follow it.")
    def create_challenge(
        self, info: Info[Any, Any], input: CreateChallengeInput
    ) -> ChallengeDetailType:
        challenge = services.challenge_create(actor=signed_in(info), data=sent_fields(input))
        return _detail(info, challenge.pk)

    @strawberry.mutation(
        description="Edit a challenge (author or staff). A new title or body needs "
        "`baseRevision`; a stale one gets a `conflict` error carrying `current_revision`."
    )
    def update_challenge(
        self, info: Info[Any, Any], id: int, input: UpdateChallengeInput
    ) -> ChallengeDetailType:
        services.challenge_update(actor=signed_in(info), challenge_id=id, data=sent_fields(input))
        return _detail(info, id)

    @strawberry.mutation(description="Delete a challenge (author while unanswered, or staff).")
    def delete_challenge(self, info: Info[Any, Any], id: int) -> bool:
        services.challenge_delete(actor=signed_in(info), challenge_id=id)
        return True

    @strawberry.mutation(description="Answer a challenge; you follow it.")
    def create_solution(self, info: Info[Any, Any], challenge_id: int, body: str) -> SolutionType:
        solution = services.solution_create(
            actor=signed_in(info), challenge_id=challenge_id, data={"body": body}
        )
        return _solution(info, solution.pk)

    @strawberry.mutation(description="Edit a solution (author or staff).")
    def update_solution(self, info: Info[Any, Any], id: int, body: str) -> SolutionType:
        services.solution_update(actor=signed_in(info), solution_id=id, data={"body": body})
        return _solution(info, id)

    @strawberry.mutation(description="Delete a solution (author or staff).")
    def delete_solution(self, info: Info[Any, Any], id: int) -> bool:
        services.solution_delete(actor=signed_in(info), solution_id=id)
        return True

    @strawberry.mutation(
        description="Accept a solution (the challenge's author or staff): the challenge is "
        "solved; accepting another moves the mark."
    )
    def accept_solution(self, info: Info[Any, Any], id: int) -> SolutionType:
        services.solution_accept(actor=signed_in(info), solution_id=id)
        return _solution(info, id)

    @strawberry.mutation(description="Withdraw acceptance: the challenge is open again.")
    def unaccept_solution(self, info: Info[Any, Any], id: int) -> SolutionType:
        services.solution_unaccept(actor=signed_in(info), solution_id=id)
        return _solution(info, id)

    @strawberry.mutation(
        description="Turn an accepted solution into a published takeaway guide "
        "(its author or staff)."
    )
    def promote_solution(self, info: Info[Any, Any], id: int) -> GuideType:
        user = signed_in(info)
        guide = services.solution_promote_to_guide(actor=user, solution_id=id)
        return knowledge_selectors.guide_get(viewer=user, slug=guide.slug)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Vote 1 (up), -1 (down) or 0 (withdraw) on a challenge or a solution; "
        "one vote per person, repeating it changes nothing, never on your own post."
    )
    def vote(
        self, info: Info[Any, Any], target: VoteTargetEnum, id: int, value: int
    ) -> VoteResultType:
        score = services.vote_cast(
            actor=signed_in(info), target=target.value, target_id=id, value=value
        )
        return VoteResultType(score=score, my_vote=value)

    @strawberry.mutation(description="Comment on a challenge or a solution.")
    def create_comment(
        self, info: Info[Any, Any], target: VoteTargetEnum, id: int, body: str
    ) -> CommentType:
        comment = services.comment_create(
            actor=signed_in(info), target=target.value, target_id=id, data={"body": body}
        )
        return comment  # type: ignore[return-value]

    @strawberry.mutation(description="Edit a comment (its author, within 15 minutes).")
    def update_comment(self, info: Info[Any, Any], id: int, body: str) -> CommentType:
        comment = services.comment_update(actor=signed_in(info), comment_id=id, data={"body": body})
        return comment  # type: ignore[return-value]

    @strawberry.mutation(description="Remove a comment (its author or staff).")
    def delete_comment(self, info: Info[Any, Any], id: int) -> bool:
        services.comment_delete(actor=signed_in(info), comment_id=id)
        return True

    @strawberry.mutation(description="Follow (`active: true`) or unfollow a challenge.")
    def follow(self, info: Info[Any, Any], id: int, active: bool) -> bool:
        return services.follow_set(actor=signed_in(info), challenge_id=id, following=active)

    @strawberry.mutation(description="Bookmark (`active: true`) or un-bookmark a challenge.")
    def bookmark(self, info: Info[Any, Any], id: int, active: bool) -> bool:
        return services.bookmark_set(actor=signed_in(info), challenge_id=id, bookmarked=active)

    @strawberry.mutation(description="Close a challenge: no new solutions or comments (staff).")
    def close_challenge(
        self, info: Info[Any, Any], id: int, reason: str | None = None
    ) -> ChallengeDetailType:
        services.challenge_close(actor=signed_in(info), challenge_id=id, reason=reason)
        return _detail(info, id)

    @strawberry.mutation(description="Reopen a closed or duplicate challenge (staff).")
    def reopen_challenge(
        self, info: Info[Any, Any], id: int, reason: str | None = None
    ) -> ChallengeDetailType:
        services.challenge_reopen(actor=signed_in(info), challenge_id=id, reason=reason)
        return _detail(info, id)

    @strawberry.mutation(description="Mark a challenge a duplicate of an earlier one (staff).")
    def mark_duplicate(
        self, info: Info[Any, Any], id: int, original: int, reason: str | None = None
    ) -> ChallengeDetailType:
        services.challenge_mark_duplicate(
            actor=signed_in(info), challenge_id=id, original_id=original, reason=reason
        )
        return _detail(info, id)

    @strawberry.mutation(
        description="Hide a post with a reason (staff): gone for everyone but staff and its "
        "author, who sees the reason. Returns true: the post is hidden."
    )
    def hide_content(
        self, info: Info[Any, Any], target: ModerationTargetEnum, id: int, reason: str
    ) -> bool:
        services.content_hide(
            actor=signed_in(info), target=target.value, target_id=id, reason=reason
        )
        return True

    @strawberry.mutation(
        description="Show a hidden post again (staff). Returns false: the post is not hidden."
    )
    def unhide_content(
        self,
        info: Info[Any, Any],
        target: ModerationTargetEnum,
        id: int,
        reason: str | None = None,
    ) -> bool:
        services.content_hide(
            actor=signed_in(info), target=target.value, target_id=id, reason=reason, hidden=False
        )
        return False
