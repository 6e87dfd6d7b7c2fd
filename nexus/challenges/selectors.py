"""Reads of the challenges app: joined once, visibility decided here."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    ManyToManyField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from nexus.accounts.models import Profile, User
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
from nexus.core import compiled, rows
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
    """Visible challenges with author and links, for lists and details alike."""
    if _authed_id(viewer) is None:
        return _anonymous_challenges().all()
    return _challenges_visible_to(viewer)


@functools.cache
def _anonymous_challenges() -> QuerySet[Challenge]:
    """`challenge_queryset` for every anonymous reader, composed once and cloned
    (never evaluated) per request, as `_anonymous_rows` is."""
    return _challenges_visible_to(None)


def _challenges_visible_to(viewer: Any) -> QuerySet[Challenge]:
    return challenges_visible_to(*permissions.audience(viewer))


def challenges_visible_to(
    audience: permissions.Audience, user_id: int | None
) -> QuerySet[Challenge]:
    """`challenge_queryset` for an audience, as compiled queries build it."""
    return (
        permissions.visible_to(Challenge.objects.all(), audience, user_id)
        .select_related("author__profile")
        .prefetch_related(
            Prefetch("technologies", queryset=Technology.objects.only("id", "slug", "name")),
            Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name")),
            Prefetch("tags", queryset=Tag.objects.only("id", "slug", "name")),
        )
    )


def challenge_list(*, viewer: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Challenge]:
    """Challenges the viewer may see, filtered by status, technology, concept, tag,
    author, cohort, `unanswered` and title text."""
    return apply_filters(ChallengeFilter, challenge_queryset(viewer=viewer), filters)


# The columns of a challenge list row, as the REST and GraphQL lists show it.
CHALLENGE_ROW_FIELDS = (
    "id",
    "title",
    "status",
    "is_hidden",
    "hidden_reason",
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
# Each link of a challenge: the many-to-many field, and the column its own
# model lists it by.
CHALLENGE_LINKS = (("technologies", "name"), ("concepts", "name"), ("tags", "slug"))
LINK_MODELS: dict[str, type[Technology | Concept | Tag]] = {
    "technologies": Technology,
    "concepts": Concept,
    "tags": Tag,
}


@functools.cache
def _link_tables() -> tuple[tuple[str, str, str, str, str, str], ...]:
    """For each of a challenge's links: its name, the column its model orders by,
    and the quoted link table, target table, challenge column and target column."""
    quote = connections["default"].ops.quote_name
    tables = []
    for links, order in CHALLENGE_LINKS:
        field = Challenge._meta.get_field(links)
        assert isinstance(field, ManyToManyField)
        through = field.remote_field.through._meta  # type: ignore[union-attr]
        target = LINK_MODELS[links]._meta
        tables.append(
            (
                links,
                order,
                quote(through.db_table),
                quote(target.db_table),
                quote(field.m2m_column_name()),
                quote(field.m2m_reverse_name()),
            )
        )
    return tuple(tables)


def _links_sql(count: int, *, authors: int = 0, arrays: bool = False) -> str:
    """One UNION ALL over the three link tables for `count` challenge ids, ordered as
    each model orders itself, and, for `authors` user ids, their names. Written as
    SQL because composing it with the ORM cost three times the query itself, on
    every list request; names come from the models.

    With `arrays` (PostgreSQL) each id list is one array parameter, so the text is
    the same for any page: psycopg caches its conversion and the server's prepared
    plan is reused (a text of 20 placeholders per part was converted every time)."""
    quote = connections["default"].ops.quote_name
    ids = "= ANY(%s::bigint[])" if arrays else f"IN ({', '.join(['%s'] * count)})"
    parts = []
    for links, order, through, target, source_column, target_column in _link_tables():
        # Only names from the models go into the text; the ids are parameters.
        select = f"SELECT '{links}', l.{source_column}, t.id, t.slug, t.name, t.{quote(order)} "
        parts.append(
            f"{select}FROM {through} l JOIN {target} t "
            f"ON t.id = l.{target_column} WHERE l.{source_column} {ids}"
        )
    if authors:
        users, profiles = quote(User._meta.db_table), quote(Profile._meta.db_table)
        select = "SELECT 'author', u.id, u.id, u.username, COALESCE(p.display_name, ''), '' "
        user_ids = "= ANY(%s::bigint[])" if arrays else f"IN ({', '.join(['%s'] * authors)})"
        parts.append(
            f"{select}FROM {users} u LEFT JOIN {profiles} p ON p.user_id = u.id "
            f"WHERE u.id {user_ids}"
        )
    return " UNION ALL ".join(parts) + " ORDER BY 6, 4"


def _links_query(
    connection: Any, challenge_ids: list[int], author_ids: Sequence[int] = ()
) -> tuple[str, list[Any]]:
    """`_links_sql` and its parameters, for `connection`'s database."""
    links = len(CHALLENGE_LINKS)
    if connection.vendor == "postgresql":
        params: list[Any] = [challenge_ids] * links + ([list(author_ids)] if author_ids else [])
        return _links_sql(0, authors=len(author_ids), arrays=True), params
    sql = _links_sql(len(challenge_ids), authors=len(author_ids))
    return sql, challenge_ids * links + list(author_ids)


def challenge_rows(*, viewer: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Any]:
    """`challenge_list` as plain rows of the list's columns, one query with no join
    (unless a filter needs one). Pair with `link_rows`.

    Lists are the hottest read, and most of their time went into building model
    instances and per-row managers; rows skip both. The author's names come with
    the links: joined here, PostgreSQL sized a Memoize cache for every author of
    a million challenges before reading the 21 rows of a page (2 ms)."""
    visible = _anonymous_rows().all() if _authed_id(viewer) is None else _rows_visible_to(viewer)
    return apply_filters(ChallengeFilter, visible, filters)


@functools.cache
def _anonymous_rows() -> QuerySet[Any]:
    """`challenge_rows` for every anonymous reader, composed once and cloned (never
    evaluated) per request: composing it took about a tenth of an uncached list."""
    return _rows_visible_to(None)


def _rows_visible_to(viewer: Any) -> QuerySet[Any]:
    return _rows_for(*permissions.audience(viewer))


def _rows_for(audience: permissions.Audience, user_id: int | None) -> QuerySet[Any]:
    return permissions.visible_to(Challenge.objects.all(), audience, user_id).values(
        *CHALLENGE_ROW_FIELDS, "author_id"
    )


def challenge_first_rows(
    *, viewer: Any, ordering: Sequence[str], count: int
) -> list[dict[str, Any]]:
    """The first `count` rows of the unfiltered `challenge_rows` in `ordering`, from
    SQL composed once per audience, ordering and count: the first page is what
    most readers open, and composing its query took a sixth of the list."""
    audience, user_id = permissions.audience(viewer)
    return _FIRST_ROWS.fetch((audience, tuple(ordering), count), user_id=user_id)


def _first_rows(
    shape: tuple[permissions.Audience, tuple[str, ...], int], user_id: int | None
) -> QuerySet[Any]:
    audience, ordering, count = shape
    return _rows_for(audience, user_id).order_by(*ordering)[:count]


_FIRST_ROWS = compiled.CompiledRows(Challenge, _first_rows, "user_id")


def link_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each challenge row its `technologies`, `concepts` and `tags` (lists of
    `{"slug", "name"}`) and its `author_username` and `author_display_name`, read
    for the whole page in one query."""
    by_id: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_id[row["id"]] = row
        for links, _ in CHALLENGE_LINKS:
            row[links] = []
    if not by_id:
        return rows
    author_ids = list({row["author_id"] for row in rows})
    names: dict[int, tuple[str, str]] = {}
    connection = connections[router.db_for_read(Challenge)]
    with connection.cursor() as cursor:
        cursor.execute(*_links_query(connection, list(by_id), author_ids))
        for kind, owner_id, _, slug, name, _ in cursor.fetchall():
            if kind == "author":
                names[owner_id] = (slug, name)
            else:
                by_id[owner_id][kind].append({"slug": slug, "name": name})
    for row in rows:
        username, display_name = names[row["author_id"]]
        # As User.display_name: the profile's name, else the username.
        row["author_username"], row["author_display_name"] = username, display_name or username
    return rows


def _solutions_queryset(viewer: Any) -> QuerySet[Solution]:
    comments = permissions.visible(Comment.objects.all(), viewer).select_related("author__profile")
    return (
        permissions.visible(Solution.objects.all(), viewer)
        .select_related("author__profile", "promoted_guide")
        .prefetch_related(Prefetch("comments", queryset=comments, to_attr="visible_comments"))
        .order_by("-is_accepted", "-score", "created_at")
    )


@dataclass(frozen=True)
class ViewerState:
    """What the caller has done to a challenge and its solutions."""

    challenge_vote: int
    solution_votes: dict[int, int]
    is_following: bool
    is_bookmarked: bool


def _thread_challenge(
    audience: permissions.Audience, user_id: int | None, challenge_id: int, solution_ids: list[int]
) -> QuerySet[Challenge]:
    return (
        permissions.visible_to(Challenge.objects.all(), audience, user_id)
        .select_related("author__profile")
        .filter(pk=challenge_id)
    )


def _thread_solutions(
    audience: permissions.Audience, user_id: int | None, challenge_id: int, solution_ids: list[int]
) -> QuerySet[Solution]:
    return (
        permissions.visible_to(Solution.objects.all(), audience, user_id)
        .select_related("author__profile", "promoted_guide")
        .filter(challenge_id=challenge_id)
        .order_by("-is_accepted", "-score", "created_at")
    )


def _thread_comments(
    audience: permissions.Audience, user_id: int | None, challenge_id: int, solution_ids: list[int]
) -> QuerySet[Comment]:
    return (
        permissions.visible_to(Comment.objects.all(), audience, user_id)
        .select_related("author__profile")
        .filter(Q(challenge_id=challenge_id) | Q(solution_id__in=solution_ids))
    )


# A thread's three reads, composed once per audience: composing them took longer
# than the database took to answer them.
_THREAD_ARGUMENTS = ("user_id", "challenge_id", "solution_ids")
_THREAD_CHALLENGE = compiled.CompiledQuery(Challenge, _thread_challenge, *_THREAD_ARGUMENTS)
_THREAD_SOLUTIONS = compiled.CompiledQuery(Solution, _thread_solutions, *_THREAD_ARGUMENTS)
_THREAD_COMMENTS = compiled.CompiledQuery(Comment, _thread_comments, *_THREAD_ARGUMENTS)


def challenge_get(*, viewer: Any, challenge_id: int) -> Challenge:
    """A challenge with its links, its solutions (accepted first, then by score) and
    their comments, the challenge's comments and the viewer's own votes (as
    `viewer_state`): four queries, six for a signed-in viewer. Raises NotFound.

    Assembled by hand rather than with prefetch_related: for one challenge,
    Django's prefetch machinery cost more than the queries themselves."""
    audience, user_id = permissions.audience(viewer)
    found = _THREAD_CHALLENGE.fetch(
        audience, user_id=user_id, challenge_id=challenge_id, solution_ids=[]
    )
    if not found:
        raise NotFound(f"No challenge {challenge_id}.")
    challenge = found[0]
    _attach_links(challenge)
    solutions = _THREAD_SOLUTIONS.fetch(
        audience, user_id=user_id, challenge_id=challenge_id, solution_ids=[]
    )
    comments = _THREAD_COMMENTS.fetch(
        audience,
        user_id=user_id,
        challenge_id=challenge_id,
        solution_ids=[s.pk for s in solutions],
    )
    by_solution: dict[int, list[Comment]] = {solution.pk: [] for solution in solutions}
    challenge.visible_comments = []  # type: ignore[attr-defined]
    for comment in comments:
        if comment.solution_id is None:
            challenge.visible_comments.append(comment)  # type: ignore[attr-defined]
        else:
            by_solution[comment.solution_id].append(comment)
    for solution in solutions:
        solution.visible_comments = by_solution[solution.pk]  # type: ignore[attr-defined]
    challenge.visible_solutions = solutions  # type: ignore[attr-defined]
    challenge.viewer_state = _viewer_state(viewer, challenge)  # type: ignore[attr-defined]
    return challenge


@functools.cache
def _ref_names(model: type[Technology | Concept | Tag]) -> tuple[str, ...]:
    """id, slug and name in the model's field order, as `rows.instance` reads them."""
    return tuple(field.attname for field in rows.fields_of(model, ("id", "slug", "name")))


def link_refs(challenge_ids: Sequence[int]) -> dict[int, dict[str, list[Any]]]:
    """Each challenge's technologies, concepts and tags (instances with id, slug and
    name, in each model's order), read in one query: three prefetches cost three
    queries and Django's prefetch machinery, which took longer than the queries.
    A link on several of the challenges is one instance, shared: a page of 20
    carried 85 links to 36 of them."""
    refs: dict[int, dict[str, list[Any]]] = {
        challenge_id: {links: [] for links, _ in CHALLENGE_LINKS} for challenge_id in challenge_ids
    }
    if not refs:
        return refs
    connection = connections[router.db_for_read(Challenge)]
    ref = _ref_maker(connection)
    with connection.cursor() as cursor:
        cursor.execute(*_links_query(connection, list(refs)))
        for kind, owner_id, pk, slug, name, _ in cursor.fetchall():
            refs[owner_id][kind].append(ref(kind, pk, slug, name))
    return refs


# Link instances built so far, by database and content: every list reads the same
# few hundred technologies, concepts and tags, and building one (4.5 us) was most
# of a GraphQL page's links. The key holds the slug and name, so a rename builds
# a new instance; the instances are only read (their slug and name), never changed.
_BUILT_REFS: dict[tuple[str, str, int, str, str], Any] = {}
BUILT_REFS_MAX = 5000


def _ref_maker(connection: Any) -> Callable[[str, int, str, str], Any]:
    """A maker of link instances (as a queryset's .only("id", "slug", "name")
    builds them) that builds each distinct one once, for every request alike."""
    alias = connection.alias

    def ref(kind: str, pk: int, slug: str, name: str) -> Any:
        key = (alias, kind, pk, slug, name)
        found = _BUILT_REFS.get(key)
        if found is None:
            model = LINK_MODELS[kind]
            values = {"id": pk, "slug": slug, "name": name}
            names = _ref_names(model)
            found = rows.instance(model, connection, [values[n] for n in names], names)
            if len(_BUILT_REFS) >= BUILT_REFS_MAX:
                _BUILT_REFS.clear()  # old names and removed links go too
            _BUILT_REFS[key] = found
        return found

    return ref


# The annotation `with_page_links` adds.
PAGE_LINKS = "page_links_json"


def with_page_links(queryset: QuerySet[Challenge]) -> QuerySet[Challenge]:
    """On PostgreSQL, the challenges with their technologies, concepts and tags as
    one JSON column each (`page_link_refs` reads it): a page and its links in one
    query where there were two, a round trip less. Elsewhere, unchanged."""
    if connections[router.db_for_read(Challenge)].vendor != "postgresql":
        return queryset
    return queryset.annotate(
        # The text holds names from the models only, no input.
        **{PAGE_LINKS: RawSQL(_page_links_sql(), [], output_field=TextField())}  # noqa: S611
    )


@functools.cache
def _page_links_sql() -> str:
    """A subquery of the outer challenge's links as JSON [kind, id, slug, name]
    items, ordered as `link_refs` orders them (each model's order, then slug).
    Only names from the models go into the text."""
    quote = connections["default"].ops.quote_name
    owner = f"{quote(Challenge._meta.db_table)}.{quote(Challenge._meta.pk.column)}"
    parts = []
    for links, order, through, target, source_column, target_column in _link_tables():
        # IN rather than a join: PostgreSQL then reads each link's row by its key
        # instead of hashing the whole (small) table once per challenge.
        parts.append(
            f"SELECT '{links}' AS kind, t.id, t.slug, t.name, t.{quote(order)} AS sort "  # noqa: S608
            f"FROM {target} t WHERE t.id IN ("
            f"SELECT l.{target_column} FROM {through} l WHERE l.{source_column} = {owner})"
        )
    return (
        "(SELECT json_agg(json_build_array(kind, id, slug, name) ORDER BY sort, slug)::text "  # noqa: S608
        f"FROM ({' UNION ALL '.join(parts)}) links)"
    )


def page_link_refs(challenges: Sequence[Challenge]) -> dict[int, dict[str, list[Any]]] | None:
    """Each challenge's technologies, concepts and tags, as `link_refs` gives them,
    from the column `with_page_links` added; None if the challenges have none."""
    if not challenges or PAGE_LINKS not in challenges[0].__dict__:
        return None
    ref = _ref_maker(connections[challenges[0]._state.db or DEFAULT_DB_ALIAS])
    # One parse of the page's texts as one array: half the time of one per challenge.
    texts = ",".join(challenge.__dict__[PAGE_LINKS] or "[]" for challenge in challenges)
    refs: dict[int, dict[str, list[Any]]] = {}
    for challenge, items in zip(challenges, json.loads(f"[{texts}]"), strict=True):
        kinds: dict[str, list[Any]] = {links: [] for links, _ in CHALLENGE_LINKS}
        for kind, pk, slug, name in items:
            kinds[kind].append(ref(kind, pk, slug, name))
        refs[challenge.pk] = kinds
    return refs


def _attach_links(challenge: Challenge) -> None:
    """Fill the challenge's technologies, concepts and tags from one query, as
    prefetch_related would leave them (so `challenge.tags.all()` reads no more)."""
    cache = challenge.__dict__.setdefault("_prefetched_objects_cache", {})
    for links, found in link_refs([challenge.pk])[challenge.pk].items():
        queryset = getattr(challenge, links).all()
        queryset._result_cache, queryset._prefetch_done = found, True
        cache[links] = queryset


def _viewer_state(viewer: Any, challenge: Challenge) -> ViewerState:
    user_id = _authed_id(viewer)
    if user_id is None:
        return ViewerState(0, {}, is_following=False, is_bookmarked=False)
    solution_ids = [s.pk for s in challenge.visible_solutions]  # type: ignore[attr-defined]
    votes = Vote.objects.filter(user_id=user_id).filter(
        Q(challenge_id=challenge.pk) | Q(solution_id__in=solution_ids)
    )
    challenge_vote, solution_votes = 0, {}
    for vote in votes.only("challenge_id", "solution_id", "value"):
        if vote.challenge_id:
            challenge_vote = vote.value
        elif vote.solution_id is not None:
            solution_votes[vote.solution_id] = vote.value
    flags = (
        Challenge.objects.filter(pk=challenge.pk)
        .annotate(
            following=Exists(Follow.objects.filter(user_id=user_id, challenge_id=OuterRef("pk"))),
            bookmarked=Exists(
                Bookmark.objects.filter(user_id=user_id, challenge_id=OuterRef("pk"))
            ),
        )
        .values_list("following", "bookmarked")
        .first()
    )
    follows, bookmarks = flags or (False, False)
    return ViewerState(challenge_vote, solution_votes, follows, bookmarks)


def solution_list(*, viewer: Any, challenge_id: int) -> QuerySet[Solution]:
    """The visible solutions of a visible challenge, accepted first then by score."""
    challenge = Challenge.objects.filter(pk=challenge_id).first()
    if challenge is None or not permissions.can_view(viewer, challenge):
        raise NotFound(f"No challenge {challenge_id}.")
    return _solutions_queryset(viewer).filter(challenge_id=challenge_id)


def solution_get(*, viewer: Any, solution_id: int) -> Solution:
    """A visible solution with its visible comments (`visible_comments`), in two
    queries, assembled by hand as `challenge_get` is. Raises NotFound."""
    solution: Solution | None = (
        permissions.visible(Solution.objects.all(), viewer)
        .select_related("author__profile", "promoted_guide", "challenge")
        .filter(pk=solution_id)
        .first()
    )
    if solution is None or not permissions.can_view(viewer, solution.challenge):
        raise NotFound(f"No solution {solution_id}.")
    solution.visible_comments = list(  # type: ignore[attr-defined]
        permissions.visible(Comment.objects.all(), viewer)
        .select_related("author__profile")
        .filter(solution_id=solution_id)
    )
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
    visible = challenge_queryset(viewer=viewer).exclude(status=Challenge.Status.DUPLICATE)
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
    return challenge_queryset(viewer=viewer).filter(bookmarks__user_id=viewer.pk)


def followed_challenges(*, viewer: User) -> QuerySet[Challenge]:
    return challenge_queryset(viewer=viewer).filter(follows__user_id=viewer.pk)


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
