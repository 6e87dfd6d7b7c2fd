"""Writes of the search index: keep each document current, or rebuild them all.

The writing services of the other apps call `index_guide`, `index_challenge`,
`index_solution`, `index_message` or `index_user` after their own write,
inside their transaction, so a search never finds what its reader may no
longer see. Each call reads the object again and upserts its document, or
removes it when the object is gone, deleted or inactive; it never fails
because a document is missing. `index_linked` rewrites, in batches, the
documents that carry a renamed technology's, concept's or tag's name (a task).
`reindex` rebuilds everything in batches (after bulk loads that bypass the
services, or a change of what a document holds).

Who may see a document is worked out here, from the owning app's rules: an
anonymous reader (`everyone`), anyone signed in (`members`: public channel
messages), or `restricted` (drafts, hidden posts, private channels), which the
selectors finish per viewer: staff, the `reader_id` (the author of a hidden
post), the editors of a draft (`visible_guides`) or the members of the
`channel_id` (`readable_channels`).
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Generic, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.db.models import ManyToManyField, Model, QuerySet
from django.db.models.expressions import Expression
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions as challenge_permissions
from nexus.challenges.models import Challenge, Solution
from nexus.collaboration.models import Channel, Message
from nexus.knowledge import permissions as knowledge_permissions
from nexus.knowledge.models import Guide
from nexus.search.models import SearchDocument

Kind = SearchDocument.Kind
Audience = SearchDocument.Audience

# The text search configuration of every vector and query.
SEARCH_CONFIG: Final = "english"
# Snippets are marked with these by PostgreSQL, then escaped and turned into
# <mark>; they are removed from indexed text so nobody can write one.
MARK_START: Final = "\ue000"
MARK_END: Final = "\ue001"
# Solved challenges and accepted solutions rank first among equals.
BOOST_SOLVED: Final = 1.5
BOOST_ACCEPTED: Final = 1.5
BOOST_DUPLICATE: Final = 0.5
TITLE_MAX: Final = 300
BODY_MAX: Final = 100_000
REINDEX_BATCH: Final = 1000

# Inline markup joins the words around it; any other tag separates them.
_INLINE_TAG_RE: Final = re.compile(r"</?(?:a|code|del|em|s|strong)(?:\s[^>]*)?>")
_TAG_RE: Final = re.compile(r"<[^>]*>")
_SPACE_RE: Final = re.compile(r"\s+")
_UNWRITABLE_RE: Final = re.compile(f"[\x00{MARK_START}{MARK_END}]")

_ANONYMOUS: Final = AnonymousUser()


@dataclass(frozen=True)
class Entry:
    """What one object contributes to the index."""

    kind: str
    object_id: int
    title: str
    heading: str  # weight A
    body: str  # weight B, and the snippets
    keywords: str  # weight C
    slug: str
    url: str
    status: str
    audience: str
    boost: float
    technology_ids: tuple[int, ...]
    reader_id: int | None = None
    channel_id: int | None = None


def _clean(text: str, limit: int) -> str:
    return _UNWRITABLE_RE.sub(" ", text)[:limit]


def _html_text(rendered: str) -> str:
    """The text of sanitised HTML (the stored `body_html`), whitespace collapsed.

    Cheaper than parsing the markdown again, which matters to `reindex`.
    """
    text = html.unescape(_TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", rendered)))
    return _SPACE_RE.sub(" ", text).strip()


def _shortened(text: str, limit: int) -> str:
    """`text` cut on a word boundary to at most `limit` characters, "…" included."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if " " in kept and not text[limit - 1].isspace():
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:") + "…"


def _words(*parts: Iterable[str]) -> str:
    return " ".join(word for part in parts for word in part if word)


# --- What each kind of object contributes ------------------------------------------


@dataclass(frozen=True)
class Links:
    """The technologies (id, name) and the concept and tag names of a batch of
    challenges or guides, by their id, read as plain rows: a batch's links are
    thousands of rows, too many to build model instances for."""

    technologies: Mapping[int, list[tuple[int, str]]]
    names: Mapping[int, list[str]]

    def technology_ids(self, owner_id: int) -> tuple[int, ...]:
        return tuple(pk for pk, _name in self.technologies.get(owner_id, ()))

    def keywords(self, owner_id: int) -> list[str]:
        return [name for _pk, name in self.technologies.get(owner_id, ())] + list(
            self.names.get(owner_id, ())
        )


NO_LINKS: Final = Links({}, {})


def _links_sql(
    model: type[Guide] | type[Challenge], owners: str, *, concepts: bool, ordered: bool = True
) -> str:
    """One UNION ALL over the link tables of `model` for the ids `owners` (SQL:
    placeholders, or an expression): technologies (id and name), then concepts
    (unless `concepts` is False), then tags (names), each in the order they were
    linked (unless `ordered` is False, for a caller that orders them itself).
    Written as SQL because composing it with the ORM cost more than the query
    itself on every write; names come from the models, ids are parameters."""
    quote = connection.ops.quote_name
    relations = ("technologies", "concepts", "tags") if concepts else ("technologies", "tags")
    parts = []
    for part, relation in enumerate(relations):
        field = model._meta.get_field(relation)
        assert isinstance(field, ManyToManyField)
        through = field.remote_field.through._meta  # type: ignore[union-attr]
        target = field.related_model._meta  # type: ignore[union-attr]
        source_column = quote(field.m2m_column_name())
        target_column = f"l.{quote(field.m2m_reverse_name())}"
        technology = target_column if relation == "technologies" else "CAST(NULL AS bigint)"
        parts.append(
            f"SELECT l.{source_column}, {part}, {technology}, t.{quote('name')}, l.id "  # noqa: S608 -- names from the models, ids are parameters
            f"FROM {quote(through.db_table)} l JOIN {quote(target.db_table)} t "
            f"ON t.id = {target_column} WHERE l.{source_column} IN ({owners})"
        )
    return " UNION ALL ".join(parts) + (" ORDER BY 2, 5" if ordered else "")


@functools.lru_cache(maxsize=64)
def _links_of_ids_sql(model: type[Guide] | type[Challenge], count: int, *, concepts: bool) -> str:
    return _links_sql(model, ", ".join(["%s"] * count), concepts=concepts)


def _links_from(rows: Iterable[Sequence[Any]]) -> Links:
    """`Links` of (owner id, technology id or None, name) rows, in order."""
    technologies: dict[int, list[tuple[int, str]]] = defaultdict(list)
    names: dict[int, list[str]] = defaultdict(list)
    for owner_id, technology_id, name in rows:
        if technology_id is None:
            names[owner_id].append(name)
        else:
            technologies[owner_id].append((technology_id, name))
    return Links(technologies, names)


def _links(
    model: type[Guide] | type[Challenge], ids: Collection[int], *, concepts: bool = True
) -> Links:
    """The links of the `model` rows `ids`, in one query (`_links_sql`)."""
    wanted = list(ids)
    if not wanted:
        return NO_LINKS
    parts = 3 if concepts else 2
    with connection.cursor() as cursor:
        cursor.execute(_links_of_ids_sql(model, len(wanted), concepts=concepts), wanted * parts)
        return _links_from((owner, technology, name) for owner, _p, technology, name, _i in cursor)


def _guide_entry(guide: Guide, links: Links) -> Entry | None:
    if guide.is_deleted:
        return None
    public = knowledge_permissions.can_view_guide(_ANONYMOUS, guide)
    return Entry(
        kind=Kind.GUIDE,
        object_id=guide.pk,
        title=guide.title,
        heading=guide.title,
        body=_html_text(guide.body_html),
        keywords=_words([guide.get_kind_display()], links.keywords(guide.pk)),
        slug=guide.slug,
        url=f"/api/v1/guides/{guide.slug}/",
        status=guide.status,
        audience=Audience.EVERYONE if public else Audience.RESTRICTED,
        boost=1.0,
        technology_ids=links.technology_ids(guide.pk),
    )


def _challenge_boost(challenge: Challenge) -> float:
    if challenge.status == Challenge.Status.SOLVED:
        return BOOST_SOLVED
    if challenge.status == Challenge.Status.DUPLICATE:
        return BOOST_DUPLICATE
    return 1.0


def _challenge_entry(challenge: Challenge, links: Links) -> Entry | None:
    if challenge.is_deleted:
        return None
    public = challenge_permissions.can_view(_ANONYMOUS, challenge)
    return Entry(
        kind=Kind.CHALLENGE,
        object_id=challenge.pk,
        title=challenge.title,
        heading=challenge.title,
        body=_html_text(challenge.body_html),
        keywords=_words(links.keywords(challenge.pk)),
        slug="",
        url=f"/api/v1/challenges/{challenge.pk}/",
        status=challenge.status,
        audience=Audience.EVERYONE if public else Audience.RESTRICTED,
        boost=_challenge_boost(challenge),
        technology_ids=links.technology_ids(challenge.pk),
        # Hidden content is seen by staff and its author (challenges.permissions.can_view).
        reader_id=None if public else challenge.author_id,
    )


def _solution_entry(solution: Solution, links: Links) -> Entry | None:
    """`links` are those of the solutions' challenges."""
    challenge = solution.challenge
    if solution.is_deleted or challenge.is_deleted:
        return None
    public = challenge_permissions.can_view(
        _ANONYMOUS, solution
    ) and challenge_permissions.can_view(_ANONYMOUS, challenge)
    # A solution is read by whoever may read it and its challenge: when either is
    # hidden, staff and that one's author; when both are, by different authors, staff.
    readers = {post.author_id for post in (solution, challenge) if post.is_hidden}
    # The challenge's title places the answer, but the answer's own words rank it.
    return Entry(
        kind=Kind.SOLUTION,
        object_id=solution.pk,
        title=f"Solution: {challenge.title}",
        heading="",
        body=_html_text(solution.body_html),
        keywords=_words([challenge.title], links.keywords(challenge.pk)),
        slug="",
        url=f"/api/v1/solutions/{solution.pk}/",
        status="accepted" if solution.is_accepted else "",
        audience=Audience.EVERYONE if public else Audience.RESTRICTED,
        boost=BOOST_ACCEPTED if solution.is_accepted else 1.0,
        technology_ids=links.technology_ids(challenge.pk),
        reader_id=readers.pop() if len(readers) == 1 else None,
    )


def _message_entry(message: Message, links: Links) -> Entry | None:
    if message.is_deleted:
        return None
    channel = message.channel
    # Public and announcement channels are read by anyone signed in; private
    # ones by their members and staff, which the viewer's query decides.
    private = channel.kind == Channel.Kind.PRIVATE
    text = _html_text(message.body_html)
    return Entry(
        kind=Kind.MESSAGE,
        object_id=message.pk,
        title=f"#{channel.slug}: {_shortened(text, 80)}",
        heading="",
        body=text,
        keywords=_words([channel.name, channel.topic]),
        slug="",
        url=f"/api/v1/channels/{channel.slug}/messages/{message.pk}/",
        status="",
        audience=Audience.RESTRICTED if private else Audience.MEMBERS,
        boost=1.0,
        technology_ids=(channel.technology_id,) if channel.technology_id else (),
        channel_id=channel.pk,
    )


def _user_entry(user: User, links: Links) -> Entry | None:
    if not user.is_active:
        return None
    profile = user.profile
    name = profile.display_name
    return Entry(
        kind=Kind.USER,
        object_id=user.pk,
        title=f"{name} (@{user.username})" if name else f"@{user.username}",
        heading=_words([user.username, name]),
        body=profile.bio,
        keywords=_words(
            (str(skill) for skill in profile.skills or ()),
            [profile.get_track_display(), profile.get_role_display()],
            [profile.cohort.name if profile.cohort else ""],
        ),
        slug=user.username,
        url=f"/api/v1/users/{user.username}/",
        status="",
        audience=Audience.EVERYONE,
        boost=1.0,
        technology_ids=(),
    )


M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Source(Generic[M]):
    """One kind of searchable object: how to load a batch, the batch's links,
    and what each object contributes."""

    kind: str
    load: Callable[[], QuerySet[M]]
    links: Callable[[list[M]], Links]
    entry: Callable[[M, Links], Entry | None]

    def entries(
        self, batch: list[M], links: Links | None = None
    ) -> Iterator[tuple[int, Entry | None]]:
        """Each object's entry, with the batch's `links` read unless given."""
        links = self.links(batch) if links is None else links
        for obj in batch:
            yield obj.pk, self.entry(obj, links)


GUIDES: Final = Source(
    Kind.GUIDE,
    lambda: Guide.objects.only(
        "title", "body_html", "slug", "kind", "status", "author_id", "deleted_at"
    ),
    lambda guides: _links(Guide, [guide.pk for guide in guides]),
    _guide_entry,
)
CHALLENGES: Final = Source(
    Kind.CHALLENGE,
    lambda: Challenge.objects.only(
        "title", "body_html", "status", "author_id", "is_hidden", "deleted_at"
    ),
    lambda challenges: _links(Challenge, [challenge.pk for challenge in challenges]),
    _challenge_entry,
)
SOLUTIONS: Final = Source(
    Kind.SOLUTION,
    lambda: Solution.objects.select_related("challenge").only(
        "body_html",
        "is_accepted",
        "author_id",
        "is_hidden",
        "deleted_at",
        "challenge__title",
        "challenge__author_id",
        "challenge__is_hidden",
        "challenge__deleted_at",
    ),
    lambda solutions: _links(
        Challenge, {solution.challenge_id for solution in solutions}, concepts=False
    ),
    _solution_entry,
)
MESSAGES: Final = Source(
    Kind.MESSAGE,
    lambda: Message.objects.select_related("channel").only(
        "body_html",
        "deleted_at",
        "channel__slug",
        "channel__name",
        "channel__topic",
        "channel__kind",
        "channel__technology_id",
    ),
    lambda _: NO_LINKS,
    _message_entry,
)
USERS: Final = Source(Kind.USER, lambda: User.objects.all(), lambda _: NO_LINKS, _user_entry)
SOURCES: Final[dict[str, Source[Any]]] = {
    source.kind: source for source in (GUIDES, CHALLENGES, SOLUTIONS, MESSAGES, USERS)
}


# --- Writing documents ----------------------------------------------------------------


def weighted_vector_sql(*texts: str) -> str:
    """SQL for the tsvector of the SQL text expressions `texts`, weighted A, B, C
    in turn: the one definition of the vectors, whichever way documents are written."""
    return " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, {text}), '{weight}')"
        for weight, text in zip("ABCD", texts, strict=False)
    )


class WeightedVector(Expression):
    """A document's weighted tsvector, computed by PostgreSQL in the INSERT that
    writes it. One small expression per row, so a batch compiles quickly."""

    output_field = SearchVectorField()

    def __init__(self, *texts: str) -> None:
        super().__init__()
        self.texts = texts

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return weighted_vector_sql(*["%s"] * len(self.texts)), list(self.texts)


def _cleaned(entry: Entry) -> Entry:
    return replace(
        entry,
        title=_clean(entry.title, TITLE_MAX),
        heading=_clean(entry.heading, TITLE_MAX),
        body=_clean(entry.body, BODY_MAX),
        keywords=_clean(entry.keywords, BODY_MAX),
    )


def _document(entry: Entry, now: datetime) -> SearchDocument:
    text = _cleaned(entry)
    return SearchDocument(
        kind=text.kind,
        object_id=text.object_id,
        title=text.title,
        body=text.body,
        keywords=text.keywords,
        slug=text.slug,
        url=text.url,
        status=text.status,
        audience=text.audience,
        reader_id=text.reader_id,
        channel_id=text.channel_id,
        boost=text.boost,
        # Computed by PostgreSQL in the same INSERT; SQLite searches the text instead.
        search_vector=(
            WeightedVector(text.heading, text.body, text.keywords) if settings.IS_POSTGRES else None
        ),
        title_vector=(
            WeightedVector(text.heading, text.keywords) if settings.IS_POSTGRES else None
        ),
        indexed_at=now,
    )


UPDATED_FIELDS: Final = (
    "title",
    "body",
    "keywords",
    "slug",
    "url",
    "status",
    "audience",
    "reader_id",
    "channel_id",
    "boost",
    "search_vector",
    "title_vector",
    "indexed_at",
)


def _upsert(kind: str, entries: Sequence[Entry], now: datetime) -> dict[int, int]:
    """Insert or update the documents of `entries`; returns their ids by object id."""
    documents = SearchDocument.objects.bulk_create(
        [_document(entry, now) for entry in entries],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=list(UPDATED_FIELDS),
    )
    if all(document.pk is not None for document in documents):
        return {document.object_id: document.pk for document in documents}
    return dict(
        SearchDocument.objects.filter(
            kind=kind, object_id__in=[entry.object_id for entry in entries]
        ).values_list("object_id", "pk")
    )


LOADED_COLUMNS: Final = (
    "kind",
    "object_id",
    "title",
    "heading",
    "body",
    "keywords",
    "slug",
    "url",
    "status",
    "audience",
    "reader_id",
    "channel_id",
    "boost",
)


def _copy_upsert(entries: Sequence[Entry], as_of: datetime) -> dict[int, int]:
    """`_upsert` for a rebuild's batches on PostgreSQL: the rows travel by COPY
    into a temporary table and are upserted from it in one statement, which saves
    the ORM building a statement of thousands of parameters. A document written
    since `as_of` (when the batch was read) is newer than the batch's and stays;
    returns the ids of those written."""
    table = SearchDocument._meta.db_table
    stored = [column for column in LOADED_COLUMNS if column != "heading"]
    updated = [*stored[2:], "search_vector", "title_vector", "indexed_at"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS search_load (kind text, object_id bigint, "
            "title text, heading text, body text, keywords text, slug text, url text, "
            "status text, audience text, reader_id bigint, channel_id bigint, boost float8)"
        )
        cursor.execute("TRUNCATE search_load")
        with cursor.cursor.copy(
            f"COPY search_load ({', '.join(LOADED_COLUMNS)}) FROM STDIN"
        ) as copy:
            for entry in map(_cleaned, entries):
                copy.write_row([getattr(entry, column) for column in LOADED_COLUMNS])
        # Every name in this statement is a constant of this module; values are parameters.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(stored)}, search_vector, title_vector, indexed_at) "  # noqa: S608
            f"SELECT {', '.join(stored)}, {weighted_vector_sql('heading', 'body', 'keywords')}, "
            f"{weighted_vector_sql('heading', 'keywords')}, %s FROM search_load "
            f"ON CONFLICT (kind, object_id) DO UPDATE SET "
            f"{', '.join(f'{column} = EXCLUDED.{column}' for column in updated)} "
            f"WHERE {table}.indexed_at < EXCLUDED.indexed_at "
            f"RETURNING object_id, id",
            [as_of],
        )
        return dict(cursor.fetchall())


def _purge(documents: QuerySet[SearchDocument]) -> None:
    """Delete `documents` and their technology links in two statements, without
    loading them (a rebuild may drop millions)."""
    through = SearchDocument.technologies.through
    through.objects.filter(searchdocument__in=documents.values("pk")).delete()
    sql, params = documents.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SearchDocument._meta.db_table} WHERE id IN ({sql})",  # noqa: S608
            params,
        )


def _copy_links(document_ids: list[int], links: list[tuple[int, int]]) -> None:
    """Replace the technology links of `document_ids` by `links`, by COPY."""
    table = SearchDocument.technologies.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE searchdocument_id = ANY(%s)",  # noqa: S608
            [document_ids],
        )
        with cursor.cursor.copy(
            f"COPY {table} (searchdocument_id, technology_id) FROM STDIN"
        ) as copy:
            for link in links:
                copy.write_row(link)


# The columns of a document's row in `_upsert_sql`, with their SQL types.
_UPSERT_COLUMNS: Final = (
    ("kind", "text"),
    ("object_id", "bigint"),
    ("title", "text"),
    ("heading", "text"),
    ("body", "text"),
    ("keywords", "text"),
    ("slug", "text"),
    ("url", "text"),
    ("status", "text"),
    ("audience", "text"),
    ("reader_id", "bigint"),
    ("channel_id", "bigint"),
    ("boost", "float8"),
)


# Documents per `_upsert_sql` statement: a challenge's solutions are rewritten
# together, and one statement for thousands would pass PostgreSQL's 65,535
# parameters (13 per document, 2 per technology link).
UPSERT_BATCH: Final = 500


# Bounded: a statement's text depends on its numbers of documents and links.
@functools.lru_cache(maxsize=128)
def _upsert_sql(documents: int, links: int) -> str:
    """One statement that upserts `documents` documents (`indexed_at`, then the
    values of each row of `_UPSERT_COLUMNS`) and makes `links` (object id,
    technology id) pairs their technology links: those no longer wanted are
    deleted, new ones added, kept ones left alone. Every name in it is a
    constant of this module; values are parameters."""
    table = SearchDocument._meta.db_table
    through = SearchDocument.technologies.through._meta.db_table
    stored = [column for column, _type in _UPSERT_COLUMNS if column != "heading"]
    updated = [*stored[2:], "search_vector", "title_vector", "indexed_at"]
    row = "(" + ", ".join(f"%s::{kind}" for _column, kind in _UPSERT_COLUMNS) + ")"
    pairs = ", ".join(["(%s::bigint, %s::bigint)"] * links) or "(NULL::bigint, NULL::bigint)"
    return (
        f"WITH document AS ("  # noqa: S608 -- see the docstring
        f"INSERT INTO {table} ({', '.join(stored)}, search_vector, title_vector, indexed_at) "
        f"SELECT {', '.join(stored)}, {weighted_vector_sql('heading', 'body', 'keywords')}, "
        f"{weighted_vector_sql('heading', 'keywords')}, %s "
        f"FROM (VALUES {', '.join([row] * documents)}) "
        f"AS entry ({', '.join(column for column, _type in _UPSERT_COLUMNS)}) "
        f"ON CONFLICT (kind, object_id) DO UPDATE SET "
        f"{', '.join(f'{column} = EXCLUDED.{column}' for column in updated)} "
        f"RETURNING id, object_id), "
        f"wanted (searchdocument_id, technology_id) AS ("
        f"SELECT document.id, link.technology_id FROM document "
        f"JOIN (VALUES {pairs}) AS link (object_id, technology_id) "
        f"ON link.object_id = document.object_id), "
        f"stale AS (DELETE FROM {through} WHERE searchdocument_id IN (SELECT id FROM document) "
        f"AND (searchdocument_id, technology_id) NOT IN (SELECT * FROM wanted)) "
        f"INSERT INTO {through} (searchdocument_id, technology_id) SELECT * FROM wanted "
        f"ON CONFLICT (searchdocument_id, technology_id) DO NOTHING"
    )


def _upsert_linked(entries: Sequence[Entry], now: datetime) -> None:
    """`_upsert` and the documents' technology links, on PostgreSQL, in one
    statement (`_upsert_sql`): composing the upsert with the ORM cost more than
    running it, on every write that indexes."""
    params: list[Any] = [now]
    for entry in map(_cleaned, entries):
        params.extend(getattr(entry, column) for column, _type in _UPSERT_COLUMNS)
    links = 0
    for entry in entries:
        for technology_id in dict.fromkeys(entry.technology_ids):
            params += [entry.object_id, technology_id]
            links += 1
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(len(entries), links), params)


def _write(
    kind: str,
    entries: Sequence[Entry],
    removed_ids: Collection[int],
    *,
    as_of: datetime | None = None,
) -> None:
    """Upsert the documents of `entries` with their technologies; delete those of
    `removed_ids`. A fixed number of queries whatever the batch size (on
    PostgreSQL, one per UPSERT_BATCH documents outside a rebuild).

    `as_of` marks a rebuild's batch, read at that time: on PostgreSQL it goes by
    COPY, and documents written since by the services are left as they are.
    """
    if removed_ids:
        removed = SearchDocument.objects.filter(kind=kind, object_id__in=removed_ids)
        if as_of is not None:
            removed = removed.filter(indexed_at__lt=as_of)
        _purge(removed)
    if not entries:
        return
    if settings.IS_POSTGRES and as_of is None:
        now = timezone.now()
        for start in range(0, len(entries), UPSERT_BATCH):
            _upsert_linked(entries[start : start + UPSERT_BATCH], now)
        return
    if settings.IS_POSTGRES and as_of is not None:
        ids = _copy_upsert(entries, as_of)
    else:
        ids = _upsert(kind, entries, as_of or timezone.now())
    links = [
        (ids[entry.object_id], technology_id)
        for entry in entries
        if entry.object_id in ids
        for technology_id in dict.fromkeys(entry.technology_ids)
    ]
    if settings.IS_POSTGRES:
        _copy_links(list(ids.values()), links)
        return
    through = SearchDocument.technologies.through
    through.objects.filter(searchdocument_id__in=list(ids.values())).delete()
    if links:
        through.objects.bulk_create(
            [through(searchdocument_id=doc, technology_id=tech) for doc, tech in links]
        )


def _refresh(
    source: Source[Any],
    ids: Iterable[int],
    loaded: list[Any] | None = None,
    links: Links | None = None,
) -> None:
    """Rewrite the documents of objects `ids`, read afresh unless `loaded` holds
    them (and their `links`, unless read here)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    objects = loaded if loaded is not None else list(source.load().filter(pk__in=wanted))
    found = dict(source.entries(objects, links))
    entries = [entry for entry in found.values() if entry is not None]
    removed = [object_id for object_id in wanted if found.get(object_id) is None]
    _write(source.kind, entries, removed)


# --- One object changed -------------------------------------------------------------------


def refresh_guides(guide_ids: list[int]) -> None:
    """Rewrite guides' documents: written, edited, published or restored (indexed),
    deleted (removed)."""
    _refresh(GUIDES, guide_ids)


def refresh_challenges(challenge_ids: list[int]) -> None:
    """Rewrite challenges' documents, and their solutions' (which carry the
    challenge's title, technologies and visibility): written, edited, solved,
    closed, hidden, deleted."""
    _refresh(CHALLENGES, challenge_ids)
    _refresh(
        SOLUTIONS,
        Solution.objects.filter(challenge_id__in=challenge_ids).values_list("pk", flat=True),
    )


def refresh_solutions(solution_ids: list[int]) -> None:
    """Rewrite solutions' documents: written, edited, accepted, hidden, deleted."""
    _refresh(SOLUTIONS, solution_ids)


def refresh_messages(message_ids: list[int]) -> None:
    """Rewrite channel messages' documents: posted, edited, deleted."""
    _refresh(MESSAGES, message_ids)


def refresh_users(user_ids: list[int]) -> None:
    """Rewrite people's documents: registered, profile edited, deactivated."""
    _refresh(USERS, user_ids)


# The link fields, on guides and challenges, of what `index_linked` takes; a
# solution's document carries its challenge's technologies and tags, not concepts.
LINK_FIELDS: Final = {"technology": "technologies", "concept": "concepts", "tag": "tags"}


def linked_objects(link: str, link_ids: Collection[int]) -> dict[str, list[int]]:
    """The guides, challenges and, but for concepts, solutions whose documents
    carry the name of any of technologies, concepts or tags (`link`) `link_ids`:
    their ids in order, by document kind. Raises ValueError for an unknown `link`."""
    if link not in LINK_FIELDS:
        raise ValueError(f"Unknown link: {link}.")
    field = LINK_FIELDS[link]
    linked: dict[str, QuerySet[Any]] = {
        Kind.GUIDE: Guide.objects.filter(**{f"{field}__in": link_ids}),
        Kind.CHALLENGE: Challenge.objects.filter(**{f"{field}__in": link_ids}),
    }
    if link != "concept":
        linked[Kind.SOLUTION] = Solution.objects.filter(**{f"challenge__{field}__in": link_ids})
    return {
        # An object linked to two of them comes once.
        kind: list(dict.fromkeys(objects.order_by("pk").values_list("pk", flat=True)))
        for kind, objects in linked.items()
    }


def index_objects(kind: str, ids: Sequence[int], *, batch_size: int = REINDEX_BATCH) -> int:
    """Rewrite the documents of `kind` objects `ids`, in batches of `batch_size`,
    each in a transaction of its own. Returns how many ids it took. Raises
    ValueError for an unknown `kind`."""
    source = SOURCES.get(kind)
    if source is None:
        raise ValueError(f"Unknown kind: {kind}.")
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            _refresh(source, ids[start : start + batch_size])
    return len(ids)


def index_linked(link: str, link_id: int, *, batch_size: int = REINDEX_BATCH) -> int:
    """Rewrite the documents that carry the name of technology, concept or tag
    (`link`) `link_id`: after a rename, in batches of `batch_size` (a technology
    can have a hundred thousand challenges). Returns how many objects were read.
    Raises ValueError for an unknown `link`.
    """
    return sum(
        index_objects(kind, ids, batch_size=batch_size)
        for kind, ids in linked_objects(link, [link_id]).items()
    )


# --- Everything -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Batch:
    entries: list[Entry]
    removed: list[int]
    last_id: int
    read_at: datetime


def _prepare(source: Source[Any], after_id: int, batch_size: int) -> _Batch | None:
    read_at = timezone.now()
    batch = list(source.load().filter(pk__gt=after_id).order_by("pk")[:batch_size])
    if not batch:
        return None
    entries: list[Entry] = []
    removed: list[int] = []
    for object_id, entry in source.entries(batch):
        if entry is None:
            removed.append(object_id)
        else:
            entries.append(entry)
    return _Batch(entries, removed, batch[-1].pk, read_at)


def _batches(source: Source[Any], batch_size: int) -> Iterator[_Batch]:
    """The batches of `source` in id order. On PostgreSQL, outside any
    transaction, each is read and prepared in a thread of its own while the one
    before is written, so Python and the database work at the same time."""
    if connection.in_atomic_block or not settings.IS_POSTGRES:
        last_id = 0
        while (prepared := _prepare(source, last_id, batch_size)) is not None:
            yield prepared
            last_id = prepared.last_id
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-reindex") as pool:
        try:
            ahead = pool.submit(_prepare, source, 0, batch_size)
            while (prepared := ahead.result()) is not None:
                ahead = pool.submit(_prepare, source, prepared.last_id, batch_size)
                yield prepared
        finally:
            # The thread's own database connection (looked up in the thread).
            pool.submit(lambda: connection.close()).result()


# The GIN indexes on the documents (this app's migrations create them on
# PostgreSQL). They take each write directly (`fastupdate = off`, migration
# 0005): a pending list's merge stalled the write that found it full.
GIN_INDEXES: Final = (
    "search_document_vector",
    "search_document_title_trgm",
    "search_document_title_vector",
    "search_document_title_sample",
)


@contextlib.contextmanager
def bulk_gin_writes() -> Iterator[None]:
    """For a full rebuild on PostgreSQL: the GIN indexes queue new entries in
    their pending lists while it loads (merging in bulk is what the lists are
    for), then take writes directly again, their lists merged."""
    if connection.vendor != "postgresql":
        yield
        return
    _gin_pending_lists(on=True)
    try:
        yield
    finally:
        _gin_pending_lists(on=False)


def _gin_pending_lists(*, on: bool) -> None:
    setting = "on" if on else "off"
    with connection.cursor() as cursor:
        for name in GIN_INDEXES:
            # Names from this module only.
            cursor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = {setting})")
            if not on:
                cursor.execute(
                    "SELECT gin_clean_pending_list(i) FROM to_regclass(%s) AS i "
                    "WHERE i IS NOT NULL",
                    [name],
                )


def reindex(
    *,
    kinds: Sequence[str] | None = None,
    batch_size: int = REINDEX_BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the documents of `kinds` (all by default) from their objects, in
    batches of `batch_size`, each written in its own transaction, then drop the
    documents of objects that no longer exist. Returns how many documents each
    kind has. Safe to run while people write: a document the services wrote
    after its batch was read is kept (on PostgreSQL).
    Raises ValueError for an unknown kind.
    """
    unknown = sorted(set(kinds or ()) - set(SOURCES))
    if unknown:
        raise ValueError(f"Unknown kinds: {', '.join(unknown)}.")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    counts: dict[str, int] = {}
    for kind in kinds or list(SOURCES):
        started = timezone.now()
        for batch in _batches(SOURCES[kind], batch_size):
            with transaction.atomic():
                _write(kind, batch.entries, batch.removed, as_of=batch.read_at)
            if progress is not None:
                progress(kind, batch.last_id)
        # Whatever this pass did not write belongs to objects that are gone.
        _purge(SearchDocument.objects.filter(kind=kind, indexed_at__lt=started))
        counts[kind] = SearchDocument.objects.filter(kind=kind).count()
    return counts
