"""GraphQL door of the challenges app: the same services and selectors as REST.

List fields return the selectors' querysets, which the optimizer extension
completes with whatever the query selects, so they cost a fixed number of SQL
queries. `challenge(id)` returns what `selectors.challenge_get` built: the
visible solutions (accepted first, then by score) with their visible comments,
the challenge's visible comments and the viewer's votes and flags, all fetched
in a fixed number of queries; its nested fields only read those. Solution and
comment lists that ever resolve from a queryset go through the types'
`get_queryset`, which keeps only what the viewer may see, so hidden and deleted
content never leaks through a nested field.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
import strawberry_django
from django.db.models import Prefetch, QuerySet
from graphql.language import FieldNode, FragmentSpreadNode, Node
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry_django.optimizer import optimize

from nexus.accounts.api.graphql import UserType
from nexus.challenges import permissions, selectors, services
from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    ModerationAction,
    Solution,
)
from nexus.core import compiled
from nexus.core.errors import ValidationError
from nexus.core.graphql import request_user, sent_fields, signed_in
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.api.graphql import ConceptRefType, GuideType, TagRefType, TechnologyRefType

CHALLENGE_ORDERINGS = ("-created_at", "-last_activity_at", "-score")
PAGE_DEFAULT = 20
PAGE_MAX = 100


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

    @strawberry_django.field(prefetch_related=["technologies"])
    def technologies(self, root: strawberry.Parent[Challenge]) -> list[TechnologyRefType]:
        return _links(root, "technologies")

    @strawberry_django.field(prefetch_related=["concepts"])
    def concepts(self, root: strawberry.Parent[Challenge]) -> list[ConceptRefType]:
        return _links(root, "concepts")

    @strawberry_django.field(prefetch_related=["tags"])
    def tags(self, root: strawberry.Parent[Challenge]) -> list[TagRefType]:
        return _links(root, "tags")

    # Plain columns, not resolvers, so the executor reads them directly; `only`
    # because the optimizer does not map a foreign key's column by itself.
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


def _page(queryset: QuerySet[Any], *, ordering: str, limit: int, offset: int) -> QuerySet[Any]:
    errors: dict[str, list[str]] = {}
    if limit < 0:
        errors["limit"] = ["Zero or more."]
    if offset < 0:
        errors["offset"] = ["Zero or more."]
    if errors:
        raise ValidationError(errors=errors)
    return queryset.order_by(ordering, "-pk")[offset : offset + min(limit, PAGE_MAX)]


LINK_FIELDS = frozenset(links for links, _ in selectors.CHALLENGE_LINKS)


class _PageLinks:
    """The technologies, concepts and tags of a page of challenges: those that
    came with the page (`selectors.with_page_links`), else read in one query when
    a link field first asks (never, if the query selects none)."""

    def __init__(
        self, challenge_ids: list[int], refs: dict[int, dict[str, list[Any]]] | None = None
    ) -> None:
        self._challenge_ids = challenge_ids
        self._refs = refs

    def of(self, challenge_id: int, links: str) -> list[Any]:
        if self._refs is None:
            self._refs = selectors.link_refs(self._challenge_ids)
        return self._refs[challenge_id][links]


@dataclass(frozen=True)
class _PageShape:
    node: FieldNode
    deferred_loading: Any
    select_related: Any
    links: bool  # whether the selection asks for technologies, concepts or tags
    # The unfiltered first pages of this selection, by audience, ordering and size.
    first_pages: compiled.CompiledQuery[Challenge]


class _PageShapes:
    """What the optimizer chose for a page's columns and joins, by the query field
    that asked for the page, so the next request with the same query text (the
    same parsed node: the schema caches parsing) reuses the choice instead of
    walking the selection again: 5-10% of the list's CPU. With the choice, the
    unfiltered first pages (the lists clients open on) keep their SQL as well.

    Kept only for a selection with no directives (a variable's @include could
    change it) and no fragment spreads, whose optimization is nothing but
    columns and joins: prefetches filter by the viewer and annotations may
    depend on the request, so those pages are optimized each time. Bounded; the
    node is kept beside its shape so its id is never reused while the entry
    lives."""

    SIZE = 256

    def __init__(self) -> None:
        self._shapes: OrderedDict[int, _PageShape] = OrderedDict()

    def get(self, node: FieldNode) -> _PageShape | None:
        entry = self._shapes.get(id(node))
        if entry is None or entry.node is not node:
            return None
        self._shapes.move_to_end(id(node))
        return entry

    def remember(
        self, node: FieldNode, page: QuerySet[Any], optimized: QuerySet[Any], *, links: bool
    ) -> None:
        if optimized.query.annotations.keys() != page.query.annotations.keys():
            return
        if _may_vary(node):
            return
        query = optimized.query
        deferred, select_related = query.deferred_loading, copy.deepcopy(query.select_related)

        def first_page(
            key: tuple[permissions.Audience, str, int], user_id: int | None
        ) -> QuerySet[Challenge]:
            audience, ordering, limit = key
            visible = selectors.challenges_visible_to(audience, user_id)
            page = _page(visible, ordering=ordering, limit=limit, offset=0)
            return _PageShapes.apply(_outer(page), (deferred, select_related, links))

        self._shapes[id(node)] = _PageShape(
            node,
            deferred,
            select_related,
            links,
            compiled.CompiledQuery(Challenge, first_page, "user_id"),
        )
        if len(self._shapes) > self.SIZE:
            self._shapes.popitem(last=False)

    @staticmethod
    def apply(page: QuerySet[Challenge], shape: tuple[Any, Any, bool]) -> QuerySet[Challenge]:
        # Remembered only when every prefetch was a link one: those come with the
        # page where the database can (`with_page_links`), else `_PageLinks` reads them.
        shaped = page.prefetch_related(None)
        shaped.query.deferred_loading = shape[0]
        shaped.query.select_related = copy.deepcopy(shape[1])
        return selectors.with_page_links(shaped) if shape[2] else shaped


def _may_vary(node: Node) -> bool:
    """Whether the same query text could select differently from one request to
    the next: a directive anywhere in the selection, or a fragment spread (whose
    fragment is not looked into)."""
    if getattr(node, "directives", None):
        return True
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return isinstance(node, FragmentSpreadNode)
    return any(_may_vary(child) for child in selection_set.selections)


_page_shapes = _PageShapes()


def _outer(page: QuerySet[Challenge]) -> QuerySet[Challenge]:
    """The page chosen in a subquery, to be joined to its authors outside it: with
    the join and the LIMIT in one statement, PostgreSQL sized its Memoize cache
    for every author of the table before reading the page's rows (3.3 ms at a
    million challenges, against 0.9 ms this way)."""
    return Challenge.objects.filter(pk__in=page.values("pk")).order_by(*page.query.order_by)


def _linked(challenges: list[Challenge]) -> list[Challenge]:
    page_links = _PageLinks(
        [challenge.pk for challenge in challenges], selectors.page_link_refs(challenges)
    )
    for challenge in challenges:
        challenge.page_links = page_links  # type: ignore[attr-defined]
    return challenges


def _shape_of(info: Info[Any, Any]) -> _PageShape | None:
    nodes = info._raw_info.field_nodes
    return _page_shapes.get(nodes[0]) if len(nodes) == 1 else None


def _with_links(page: QuerySet[Challenge], info: Info[Any, Any]) -> list[Challenge]:
    """The page as the optimizer would fetch it for the query's selection, but with
    its technologies, concepts and tags read in one query (`selectors.link_refs`)
    instead of three prefetches, and handed to the link fields as plain lists:
    Django's prefetch machinery and a related manager per row and link cost more
    than the list's queries."""
    page = _outer(page)
    shape = _shape_of(info)
    if shape is not None:
        shaped = (shape.deferred_loading, shape.select_related, shape.links)
        return _linked(list(_PageShapes.apply(page, shaped)))
    nodes = info._raw_info.field_nodes
    optimized = optimize(page, info)
    lookups = optimized._prefetch_related_lookups  # type: ignore[attr-defined]
    kept = [
        lookup
        for lookup in lookups
        if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup) not in LINK_FIELDS
    ]
    if lookups and len(kept) == len(lookups):
        return list(optimized)
    # No prefetch left (links only, or none at all: a selection of columns).
    if not kept and len(nodes) == 1:
        _page_shapes.remember(nodes[0], page, optimized, links=bool(lookups))
    return _linked(list(optimized.prefetch_related(None).prefetch_related(*kept)))


def _first_page(info: Info[Any, Any], ordering: str, limit: int) -> list[Challenge] | None:
    """An unfiltered first page from its compiled SQL, once its selection's shape is
    known (None until then): composing the page's query was a fifth of the list."""
    shape = _shape_of(info)
    if shape is None:
        return None
    audience, user_id = permissions.audience(request_user(info))
    key = (audience, ordering, min(limit, PAGE_MAX))
    return _linked(shape.first_pages.fetch(key, user_id=user_id))


def _links(challenge: Challenge, links: str) -> list[Any]:
    """A challenge's technologies, concepts or tags: from its page's links when
    `_with_links` fetched it, else from the (prefetched) relation."""
    page_links: _PageLinks | None = getattr(challenge, "page_links", None)
    if page_links is not None:
        return page_links.of(challenge.pk, links)
    return list(getattr(challenge, links).all())


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
        f"solution; `limit` is at most {PAGE_MAX}."
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
        limit: int = PAGE_DEFAULT,
        offset: int = 0,
    ) -> list[ChallengeType]:
        if ordering not in CHALLENGE_ORDERINGS:
            raise ValidationError(
                errors={"ordering": [f"One of: {', '.join(CHALLENGE_ORDERINGS)}."]}
            )
        given = {
            "status": status,
            "technology": technology,
            "concept": concept,
            "tag": tag,
            "author": author,
            "cohort": cohort,
            "q": q,
        }
        filters = {name: value for name, value in given.items() if value is not None}
        if unanswered is not None:
            filters["unanswered"] = "true" if unanswered else "false"
        if not filters and offset == 0 and limit > 0:
            first = _first_page(info, ordering, limit)
            if first is not None:
                return first  # type: ignore[return-value]
        challenges = selectors.challenge_list(viewer=request_user(info), filters=filters)
        page = _page(challenges, ordering=ordering, limit=limit, offset=offset)
        return _with_links(page, info)  # type: ignore[return-value]

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

    @strawberry.field(description="A challenge's revisions, newest first.")
    def challenge_revisions(self, info: Info[Any, Any], id: int) -> list[ChallengeRevisionType]:
        revisions = selectors.challenge_revision_list(viewer=request_user(info), challenge_id=id)
        return revisions  # type: ignore[return-value]

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

    @strawberry.field(
        description=f"The moderation log, newest first (staff). `limit` is at most {PAGE_MAX}."
    )
    def moderation_log(
        self,
        info: Info[Any, Any],
        challenge: int | None = None,
        limit: int = PAGE_DEFAULT,
        offset: int = 0,
    ) -> list[ModerationActionType]:
        log = selectors.moderation_log(viewer=signed_in(info), challenge_id=challenge)
        page = _page(log, ordering="-created_at", limit=limit, offset=offset)
        return page  # type: ignore[return-value]

    @strawberry.field(description="Challenges I bookmarked, newest first.")
    def my_bookmarks(
        self, info: Info[Any, Any], limit: int = PAGE_DEFAULT, offset: int = 0
    ) -> list[ChallengeType]:
        bookmarked = selectors.bookmarked_challenges(viewer=signed_in(info))
        page = _page(bookmarked, ordering="-created_at", limit=limit, offset=offset)
        return page  # type: ignore[return-value]

    @strawberry.field(description="Challenges I follow, newest first.")
    def my_following(
        self, info: Info[Any, Any], limit: int = PAGE_DEFAULT, offset: int = 0
    ) -> list[ChallengeType]:
        followed = selectors.followed_challenges(viewer=signed_in(info))
        page = _page(followed, ordering="-created_at", limit=limit, offset=offset)
        return page  # type: ignore[return-value]


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
        return solution  # type: ignore[return-value]  # shaped as solution_get's

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
