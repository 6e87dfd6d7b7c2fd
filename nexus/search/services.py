"""Writes of the search index: keep each document current, or rebuild them all.

The writing services of the other apps call `index_guide`, `index_challenge`,
`index_solution`, `index_message` or `index_user` after their own write,
inside their transaction, so a search never finds what its reader may no
longer see. Each call reads the object again and upserts its document, or
removes it when the object is gone, deleted or inactive; it never fails
because a document is missing. `reindex` rebuilds everything in batches (after
bulk loads that bypass the services, or a change of what a document holds).

Who may see a document is worked out here, from the owning app's rules: an
anonymous reader (`everyone`), anyone signed in (`members`: public channel
messages), or `restricted` (drafts, hidden posts, private channels), which the
selectors finish per viewer: staff, the `reader_id` (the author of a hidden
post), the editors of a draft (`visible_guides`) or the members of the
`channel_id` (`readable_channels`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Generic, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchVectorField
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.expressions import Expression
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions as challenge_permissions
from nexus.challenges.models import Challenge, Solution
from nexus.collaboration.models import Channel, Message
from nexus.core.markdown import plain_text
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


def _words(*parts: Iterable[str]) -> str:
    return " ".join(word for part in parts for word in part if word)


# --- What each kind of object contributes ------------------------------------------


def _guide_entry(guide: Guide) -> Entry | None:
    if guide.is_deleted:
        return None
    technologies = list(guide.technologies.all())
    public = knowledge_permissions.can_view_guide(_ANONYMOUS, guide)
    return Entry(
        kind=Kind.GUIDE,
        object_id=guide.pk,
        title=guide.title,
        heading=guide.title,
        body=_html_text(guide.body_html),
        keywords=_words(
            [guide.get_kind_display()],
            (t.name for t in technologies),
            (c.name for c in guide.concepts.all()),
            (t.name for t in guide.tags.all()),
        ),
        slug=guide.slug,
        url=f"/api/v1/guides/{guide.slug}/",
        status=guide.status,
        audience=Audience.EVERYONE if public else Audience.RESTRICTED,
        boost=1.0,
        technology_ids=tuple(t.pk for t in technologies),
    )


def _challenge_boost(challenge: Challenge) -> float:
    if challenge.status == Challenge.Status.SOLVED:
        return BOOST_SOLVED
    if challenge.status == Challenge.Status.DUPLICATE:
        return BOOST_DUPLICATE
    return 1.0


def _challenge_entry(challenge: Challenge) -> Entry | None:
    if challenge.is_deleted:
        return None
    technologies = list(challenge.technologies.all())
    public = challenge_permissions.can_view(_ANONYMOUS, challenge)
    return Entry(
        kind=Kind.CHALLENGE,
        object_id=challenge.pk,
        title=challenge.title,
        heading=challenge.title,
        body=_html_text(challenge.body_html),
        keywords=_words(
            (t.name for t in technologies),
            (c.name for c in challenge.concepts.all()),
            (t.name for t in challenge.tags.all()),
        ),
        slug="",
        url=f"/api/v1/challenges/{challenge.pk}/",
        status=challenge.status,
        audience=Audience.EVERYONE if public else Audience.RESTRICTED,
        boost=_challenge_boost(challenge),
        technology_ids=tuple(t.pk for t in technologies),
        # Hidden content is seen by staff and its author (challenges.permissions.can_view).
        reader_id=None if public else challenge.author_id,
    )


def _solution_entry(solution: Solution) -> Entry | None:
    challenge = solution.challenge
    if solution.is_deleted or challenge.is_deleted:
        return None
    technologies = list(challenge.technologies.all())
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
        keywords=_words(
            [challenge.title],
            (t.name for t in technologies),
            (t.name for t in challenge.tags.all()),
        ),
        slug="",
        url=f"/api/v1/solutions/{solution.pk}/",
        status="accepted" if solution.is_accepted else "",
        audience=Audience.EVERYONE if public else Audience.RESTRICTED,
        boost=BOOST_ACCEPTED if solution.is_accepted else 1.0,
        technology_ids=tuple(t.pk for t in technologies),
        reader_id=readers.pop() if len(readers) == 1 else None,
    )


def _message_entry(message: Message) -> Entry | None:
    if message.is_deleted:
        return None
    channel = message.channel
    # Public and announcement channels are read by anyone signed in; private
    # ones by their members and staff, which the viewer's query decides.
    private = channel.kind == Channel.Kind.PRIVATE
    return Entry(
        kind=Kind.MESSAGE,
        object_id=message.pk,
        title=f"#{channel.slug}: {plain_text(message.body, 80)}",
        heading="",
        body=_html_text(message.body_html),
        keywords=_words([channel.name, channel.topic]),
        slug="",
        url=f"/api/v1/channels/{channel.slug}/messages/{message.pk}/",
        status="",
        audience=Audience.RESTRICTED if private else Audience.MEMBERS,
        boost=1.0,
        technology_ids=(channel.technology_id,) if channel.technology_id else (),
        channel_id=channel.pk,
    )


def _user_entry(user: User) -> Entry | None:
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
    """One kind of searchable object: how to load a batch and read each one."""

    kind: str
    load: Callable[[], QuerySet[M]]
    entry: Callable[[M], Entry | None]


GUIDES: Final = Source(
    Kind.GUIDE,
    lambda: Guide.objects.defer("body").prefetch_related("technologies", "concepts", "tags"),
    _guide_entry,
)
CHALLENGES: Final = Source(
    Kind.CHALLENGE,
    lambda: Challenge.objects.defer("body").prefetch_related("technologies", "concepts", "tags"),
    _challenge_entry,
)
SOLUTIONS: Final = Source(
    Kind.SOLUTION,
    lambda: (
        Solution.objects.select_related("challenge")
        .defer("body", "challenge__body", "challenge__body_html")
        .prefetch_related("challenge__technologies", "challenge__tags")
    ),
    _solution_entry,
)
MESSAGES: Final = Source(
    Kind.MESSAGE, lambda: Message.objects.select_related("channel"), _message_entry
)
USERS: Final = Source(Kind.USER, lambda: User.objects.all(), _user_entry)
SOURCES: Final[dict[str, Source[Any]]] = {
    source.kind: source for source in (GUIDES, CHALLENGES, SOLUTIONS, MESSAGES, USERS)
}


# --- Writing documents ----------------------------------------------------------------


class WeightedVector(Expression):
    """The weighted tsvector of a document's texts, computed by PostgreSQL in the
    INSERT that writes it: heading A, body B, keywords C. One small expression
    per row, so that a batch of a thousand compiles quickly."""

    output_field = SearchVectorField()

    def __init__(self, heading: str, body: str, keywords: str) -> None:
        super().__init__()
        self.texts = (heading, body, keywords)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql = " || ".join(
            f"setweight(to_tsvector(%s::regconfig, %s), '{weight}')" for weight in "ABC"
        )
        return sql, [param for text in self.texts for param in (SEARCH_CONFIG, text)]


def _document(entry: Entry, now: Any) -> SearchDocument:
    text = replace(
        entry,
        title=_clean(entry.title, TITLE_MAX),
        heading=_clean(entry.heading, TITLE_MAX),
        body=_clean(entry.body, BODY_MAX),
        keywords=_clean(entry.keywords, BODY_MAX),
    )
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
    "indexed_at",
)


def _write(kind: str, entries: Sequence[Entry], removed_ids: Collection[int]) -> None:
    """Upsert the documents of `entries` with their technologies; delete those of
    `removed_ids`. A fixed number of queries whatever the batch size."""
    if removed_ids:
        SearchDocument.objects.filter(kind=kind, object_id__in=removed_ids).delete()
    if not entries:
        return
    now = timezone.now()
    documents = SearchDocument.objects.bulk_create(
        [_document(entry, now) for entry in entries],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=list(UPDATED_FIELDS),
    )
    if any(document.pk is None for document in documents):
        ids = dict(
            SearchDocument.objects.filter(
                kind=kind, object_id__in=[entry.object_id for entry in entries]
            ).values_list("object_id", "pk")
        )
        for document in documents:
            document.pk = ids[document.object_id]
    through = SearchDocument.technologies.through
    through.objects.filter(searchdocument_id__in=[document.pk for document in documents]).delete()
    links = [
        through(searchdocument_id=document.pk, technology_id=technology_id)
        for document, entry in zip(documents, entries, strict=True)
        for technology_id in dict.fromkeys(entry.technology_ids)
    ]
    if links:
        through.objects.bulk_create(links)


def _refresh(source: Source[Any], ids: Iterable[int]) -> None:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    found = {obj.pk: obj for obj in source.load().filter(pk__in=wanted)}
    entries: list[Entry] = []
    removed: list[int] = []
    for object_id in wanted:
        obj = found.get(object_id)
        entry = source.entry(obj) if obj is not None else None
        if entry is None:
            removed.append(object_id)
        else:
            entries.append(entry)
    _write(source.kind, entries, removed)


# --- One object changed -------------------------------------------------------------------


def index_guide(guide_id: int) -> None:
    """Bring a guide's document up to date: written, edited, published or restored
    (indexed), deleted (removed). Call inside the writing transaction."""
    _refresh(GUIDES, [guide_id])


def index_challenge(challenge_id: int) -> None:
    """Bring a challenge's document, and its solutions' (which carry its title,
    technologies and visibility), up to date. Call after any change of the
    challenge: written, edited, solved, closed, hidden, deleted."""
    _refresh(CHALLENGES, [challenge_id])
    _refresh(
        SOLUTIONS, Solution.objects.filter(challenge_id=challenge_id).values_list("pk", flat=True)
    )


def index_solution(solution_id: int) -> None:
    """Bring a solution's document up to date: written, edited, accepted, hidden, deleted."""
    _refresh(SOLUTIONS, [solution_id])


def index_message(message_id: int) -> None:
    """Bring a channel message's document up to date: posted, edited, deleted."""
    _refresh(MESSAGES, [message_id])


def index_user(user_id: int) -> None:
    """Bring a person's document up to date: registered, profile edited, deactivated."""
    _refresh(USERS, [user_id])


# --- Everything -------------------------------------------------------------------------------


def reindex(
    *,
    kinds: Sequence[str] | None = None,
    batch_size: int = REINDEX_BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the documents of `kinds` (all by default) from their objects, in
    batches of `batch_size`, each batch in its own transaction, then drop the
    documents of objects that no longer exist. Returns how many documents each
    kind has. Safe to run while people write: their own updates win.
    Raises ValueError for an unknown kind.
    """
    unknown = sorted(set(kinds or ()) - set(SOURCES))
    if unknown:
        raise ValueError(f"Unknown kinds: {', '.join(unknown)}.")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    counts: dict[str, int] = {}
    for kind in kinds or list(SOURCES):
        source = SOURCES[kind]
        started = timezone.now()
        last_id = 0
        while True:
            with transaction.atomic():
                batch = list(source.load().filter(pk__gt=last_id).order_by("pk")[:batch_size])
                if not batch:
                    break
                entries: list[Entry] = []
                removed: list[int] = []
                for obj in batch:
                    entry = source.entry(obj)
                    if entry is None:
                        removed.append(obj.pk)
                    else:
                        entries.append(entry)
                _write(kind, entries, removed)
            last_id = batch[-1].pk
            if progress is not None:
                progress(kind, last_id)
        # Whatever this pass did not write belongs to objects that are gone.
        SearchDocument.objects.filter(kind=kind, indexed_at__lt=started).delete()
        counts[kind] = SearchDocument.objects.filter(kind=kind).count()
    return counts
