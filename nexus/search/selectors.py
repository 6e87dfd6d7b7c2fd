"""Search reads: full text across guides, challenges, solutions, channel messages
and people, and typo-tolerant title suggestions.

`search` and `suggest` are the one entry point each; below them each database
has its own implementation, with the same answers in the same shape.

PostgreSQL: `websearch_to_tsquery('english', q)` (so quoted phrases, `-word`
and `or` work) against the documents' weighted vectors (title A, body B,
keywords C); ranked by `ts_rank` times the document's boost, which puts solved
challenges and accepted solutions first among equals; snippets by
`ts_headline`, made for the page's rows only. `ts_rank` rather than
`ts_rank_cd`: cover density scores a match only by the shortest stretch
holding every word, so a challenge that states its problem over a few
paragraphs ("docker compose database connection") fell behind shorter texts
that merely mention the words together; `ts_rank` weighs each pair of nearby
words, and the field weights.

The cost of a search is bounded whatever the size of the index: the documents
ranked are at most CANDIDATES guides, challenges and people whose titles or
keywords match (through a GIN index on those), and only when there are fewer,
also at most CANDIDATES documents whose text matches (through the GIN index on
the full vectors). A GIN index cannot stop at the first matches: it lists them
all before any is read. So titles are looked for in a sample first, one titled
document in SAMPLE_EVERY with an index of its own, and in the whole title index
only when the sample holds fewer than CANDIDATES: a query that many titles
match lists a sixteenth of them, one that few match lists them all, as before.
Every search runs in a transaction that refuses sequential scans where an index
serves (`index_only`), so a planner's misestimate under a LIMIT can never turn
into reading a whole table.

Suggestions: titles holding the words as typed (the last perhaps unfinished),
through the title vectors' GIN index; when those are too few, titles that look
like them by trigram word similarity, through a trigram GIN index, so "dokcer"
finds Docker. The closest first among at most SUGGEST_CANDIDATES of each.

SQLite (the embedded default): each word or quoted phrase must appear in the
title, body or keywords (`-word` excludes, `or` separates alternatives),
ranked by where the words appear (title over keywords over body) times the
boost, with a naive highlight; suggestions are titles containing every word.

Bad input, the same on both:

- `q` missing or blank, or longer than 200 characters: ValidationError (400).
- `q` with no letter or digit (only punctuation or operators): no results,
  and no query is run; for suggestions, fewer than 3 letters or digits.
- a query PostgreSQL cannot answer from the index (only stop words, only
  exclusions such as `-docker`): no results, without touching the table.
- unknown `type` or `technology`, a `limit` that is not a positive integer, a
  cursor that is not one we gave: ValidationError (400). `limit` above 50 is 50.

Every viewer sees only what the owning apps let them read: published guides,
visible posts and people for everyone; public channel messages for anyone
signed in; staff everything; drafts for their editors (`visible_guides`),
private channel messages for members (`joined_private_channel_ids`), hidden posts for
their authors (as `challenges.permissions.visible` decides, recorded on the
document when it is written).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression, RawSQL
from django.utils.html import escape

from nexus.collaboration.permissions import joined_private_channel_ids
from nexus.core.errors import ValidationError
from nexus.core.permissions import is_staff
from nexus.knowledge.models import Guide, Technology
from nexus.knowledge.permissions import visible_guides
from nexus.search.models import SearchDocument
from nexus.search.services import MARK_END, MARK_START, SEARCH_CONFIG

Kind = SearchDocument.Kind
Audience = SearchDocument.Audience

Q_MAX: Final = 200
LIMIT_DEFAULT: Final = 20
LIMIT_MAX: Final = 50
SUGGEST_LIMIT: Final = 8
# Fewer letters than this suggest nothing: they would look like every title.
SUGGEST_MIN_CHARS: Final = 3
SUGGEST_CANDIDATES: Final = 200
# Titles are suggested from these kinds: the ones whose titles people write.
SUGGEST_KINDS: Final = (Kind.GUIDE, Kind.CHALLENGE)
# Low enough for a swapped pair of letters in a short word ("dokcer" scores 0.29
# against "Docker"), high enough to keep unrelated titles out.
SUGGEST_SIMILARITY: Final = 0.25
# A query matching more titles than this ranks the first ones the title index
# yields; matching fewer, it also ranks as many texts that mention it. Every
# search reads a bounded number of rows, at the price of an exhaustive ranking
# for the broadest queries.
CANDIDATES: Final = 1000
# One titled document in this many is in the sample whose titles are searched
# first (ids that are multiples of it, as the partial index of migration 0004
# says). Listing the sample's matches costs a sixteenth of listing them all;
# when it holds fewer than CANDIDATES the whole index is listed too, so below
# about 16 x CANDIDATES matching titles nothing changes.
SAMPLE_EVERY: Final = 16
# Searches run without JIT, whose compiling costs more than a bounded query
# runs, and without parallel workers, which cost more to start and, racing to
# the first CANDIDATES rows, would give the pages of one query different ones.
SEARCH_SETTINGS: Final = {"jit": "off", "max_parallel_workers_per_gather": "0"}
# The kinds whose titles are their own (solutions and messages borrow theirs).
TITLED_KINDS: Final = (Kind.GUIDE, Kind.CHALLENGE, Kind.USER)
# ts_rank normalisation 1: divide by 1 + log(length), so a long guide that
# mentions a word often does not outrank a short challenge about it.
RANK_NORMALIZATION: Final = 1
# ts_headline reads at most this much of a body: its cost grows with the text.
HEADLINE_SOURCE_MAX: Final = 20_000
SNIPPET_CHARS: Final = 240

_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f]")
_WORD_RE: Final = re.compile(r"\w+")
_TOKEN_RE: Final = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class SearchResult:
    type: str
    id: int
    slug: str | None
    title: str
    snippet: str  # safe HTML: matches in <mark>, everything else escaped
    url: str
    score: float
    status: str | None


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    next_cursor: str | None


@dataclass(frozen=True)
class Suggestion:
    type: str
    id: int
    slug: str | None
    title: str
    url: str


@dataclass(frozen=True)
class _Params:
    text: str
    kind: str | None
    technology_id: int | None
    limit: int
    after: tuple[float, int] | None


# --- Input ----------------------------------------------------------------------------------


def _query_text(q: Any) -> str:
    if not isinstance(q, str) or not q.strip():
        raise ValidationError(errors={"q": ["Type something to search for."]})
    if len(q) > Q_MAX:
        raise ValidationError(errors={"q": [f"At most {Q_MAX} characters (got {len(q)})."]})
    return _CONTROL_RE.sub(" ", q).strip()


def _limit(value: Any) -> int:
    if value in (None, ""):
        return LIMIT_DEFAULT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if isinstance(value, bool) or limit < 1:
        raise ValidationError(errors={"limit": [f"A whole number from 1 to {LIMIT_MAX}."]})
    return min(limit, LIMIT_MAX)


def encode_cursor(score: float, document_id: int) -> str:
    raw = json.dumps([score, document_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: Any) -> tuple[float, int] | None:
    if cursor in (None, ""):
        return None
    invalid = ValidationError(
        "The cursor is not valid; start again from the first page.",
        errors={"cursor": ["Invalid cursor."]},
    )
    if not isinstance(cursor, str) or len(cursor) > 100:
        raise invalid
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise invalid from exc
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or isinstance(decoded[0], bool)
        or not isinstance(decoded[0], int | float)
        or not math.isfinite(decoded[0])
        or isinstance(decoded[1], bool)
        or not isinstance(decoded[1], int)
    ):
        raise invalid
    return float(decoded[0]), decoded[1]


def _params(*, q: Any, type: Any, technology: Any, limit: Any, cursor: Any) -> tuple[_Params, bool]:
    """Checked input, and whether it can match anything at all."""
    text = _query_text(q)
    errors: dict[str, list[str]] = {}
    if type not in (None, "") and type not in Kind.values:
        errors["type"] = [f"One of: {', '.join(Kind.values)}."]
    try:
        size = _limit(limit)
    except ValidationError as exc:
        errors.update(exc.errors)
        size = LIMIT_DEFAULT
    technology_id: int | None = None
    if technology not in (None, ""):
        if not isinstance(technology, str) or len(technology) > 80:
            errors["technology"] = ["A technology slug."]
        else:
            technology_id = (
                Technology.objects.filter(slug=technology).values_list("pk", flat=True).first()
            )
            if technology_id is None:
                errors["technology"] = [f"No technology '{technology}'."]
    if errors:
        raise ValidationError(errors=errors)
    params = _Params(
        text=text,
        kind=type or None,
        technology_id=technology_id,
        limit=size,
        after=_decode_cursor(cursor),
    )
    return params, bool(_WORD_RE.search(text))


# --- Who sees what ----------------------------------------------------------------------------


def _restricted_rules(viewer: Any) -> Q:
    """The restricted documents a signed-in viewer may read: hidden posts they
    wrote (the document's `reader_id`), drafts they edit, messages of private
    channels they belong to. Each subquery is bounded by the viewer's own drafts
    and channels, so it stays small however large the index grows."""
    drafts = visible_guides(Guide.objects.filter(status=Guide.Status.DRAFT), viewer)
    return (
        Q(kind__in=(Kind.CHALLENGE, Kind.SOLUTION), reader_id=viewer.pk)
        | Q(kind=Kind.GUIDE, object_id__in=drafts.values("pk"))
        | Q(kind=Kind.MESSAGE, channel_id__in=joined_private_channel_ids(viewer))
    )


def visible_documents(viewer: Any) -> QuerySet[SearchDocument]:
    """The documents `viewer` may find."""
    documents = SearchDocument.objects.all()
    if is_staff(viewer):
        return documents
    if not getattr(viewer, "is_authenticated", False):
        return documents.filter(audience=Audience.EVERYONE)
    return documents.filter(
        Q(audience__in=(Audience.EVERYONE, Audience.MEMBERS))
        | (Q(audience=Audience.RESTRICTED) & _restricted_rules(viewer))
    )


def _narrowed(documents: QuerySet[SearchDocument], params: _Params) -> QuerySet[SearchDocument]:
    if params.kind:
        documents = documents.filter(kind=params.kind)
    if params.technology_id is not None:
        documents = documents.filter(technologies=params.technology_id)
    return documents


def _after(documents: QuerySet[SearchDocument], params: _Params) -> QuerySet[SearchDocument]:
    if params.after is None:
        return documents
    score, document_id = params.after
    return documents.filter(Q(score__lt=score) | Q(score=score, pk__lt=document_id))


def _page(rows: list[dict[str, Any]], params: _Params, snippet: Any) -> SearchPage:
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    results = [
        SearchResult(
            type=row["kind"],
            id=row["object_id"],
            slug=row["slug"] or None,
            title=row["title"],
            snippet=snippet(row),
            url=row["url"],
            score=round(row["score"], 6),
            status=row["status"] or None,
        )
        for row in rows
    ]
    next_cursor = encode_cursor(rows[-1]["score"], rows[-1]["pk"]) if more and rows else None
    return SearchPage(results=results, next_cursor=next_cursor)


ROW_FIELDS: Final = ("pk", "kind", "object_id", "slug", "title", "url", "status", "score")


# --- PostgreSQL -------------------------------------------------------------------------------


class _Indexable(Func):
    """True when the query has a part the GIN index can answer: not only stop
    words, not only exclusions. A constant, so PostgreSQL checks it once, before
    any scan (a One-Time Filter), and an unindexable query reads nothing."""

    template = "querytree(%(expressions)s) NOT IN ('T', '')"
    output_field = BooleanField()


class _Matches(Func):
    """`vector @@ query` as a function call, which no index answers: for checking
    rows another index found."""

    function = "ts_match_vq"
    output_field = BooleanField()


class _Sampled(Func):
    """True for the documents of the title sample (`sampled=True`), or for the
    others: `mod(id, SAMPLE_EVERY)`, written as the sample index's predicate is,
    so that PostgreSQL can prove the index applies."""

    output_field = BooleanField()

    def __init__(self, expression: Any, *, sampled: bool) -> None:
        super().__init__(expression)
        self.template = f"mod(%(expressions)s, {SAMPLE_EVERY}) {'=' if sampled else '<>'} 0"


def _websearch(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _score(query: SearchQuery) -> CombinedExpression:
    """`ts_rank` times the boost: the one definition of a search's score."""
    rank = SearchRank(F("search_vector"), query, normalization=Value(RANK_NORMALIZATION))
    return rank * F("boost")


def _candidates_sql(viewer: Any, params: _Params, query: SearchQuery) -> tuple[str, list[Any]]:
    """SQL for the ids (`pk`) and scores (`score`) of the page's documents, best
    first: `limit + 1` after the cursor, out of at most CANDIDATES documents about
    the query (guides, challenges and people whose title or keywords match), and
    only when they are fewer than that, at most CANDIDATES that mention it.

    The documents about the query are those of the title sample first, then as
    many more as CANDIDATES leaves room for from the rest; when the sample gave
    enough, the whole title index is not even listed. Each candidate is scored by
    the scan that finds it through a GIN index, while its row is at hand, so no
    candidate is read twice. The work is bounded however large the index: the
    wider scans do not start when the narrower ones gave enough."""
    readable = (
        _narrowed(visible_documents(viewer), params)
        .filter(_Indexable(query))
        .annotate(score=_score(query))
    )
    about = readable.filter(kind__in=TITLED_KINDS, title_vector=query)
    # Phrases and exclusions hold over the whole text, not only the title;
    # checked row by row on the titles found, not through the other index.
    matching = _Matches(F("search_vector"), query)
    sampled = (
        about.filter(_Sampled(F("pk"), sampled=True))
        .filter(matching)
        .values("pk", "score")[:CANDIDATES]
    )
    # The other titles: none of the sample's is found twice.
    unsampled = (
        about.filter(_Sampled(F("pk"), sampled=False))
        .filter(matching)
        .values("pk", "score")[:CANDIDATES]
    )
    mentioning = readable.filter(search_vector=query).values("pk", "score")[:CANDIDATES]
    sampled_sql, sampled_params = sampled.query.sql_with_params()
    unsampled_sql, unsampled_params = unsampled.query.sql_with_params()
    mentioning_sql, mentioning_params = mentioning.query.sql_with_params()
    after_sql, after_params = "", []
    if params.after is not None:
        score, document_id = params.after
        after_sql = "WHERE score < %s OR (score = %s AND pk < %s) "
        after_params = [score, score, document_id]
    # The ORM has no WITH: the querysets, compiled with their parameters apart,
    # are joined in SQL of our own; no input reaches it but as a parameter. The
    # LIMIT stops the scan of the unsampled titles as soon as the two give
    # CANDIDATES, before it starts when the sample alone did.
    sql = (
        f"WITH sampled AS MATERIALIZED ({sampled_sql}), "  # noqa: S608
        f"about AS MATERIALIZED (SELECT * FROM sampled UNION ALL "
        f"SELECT * FROM ({unsampled_sql}) AS unsampled LIMIT {CANDIDATES}), "
        f"candidates AS (SELECT * FROM about UNION SELECT * FROM ({mentioning_sql}) AS mentioning "
        f"WHERE (SELECT COUNT(*) FROM about) < {CANDIDATES}) "
        f"SELECT pk, score FROM candidates {after_sql}"
        f"ORDER BY score DESC, pk DESC LIMIT {params.limit + 1}"
    )
    return sql, [*sampled_params, *unsampled_params, *mentioning_params, *after_params]


# The page's rows and snippets, read by id once the candidates are ranked.
# Written as SQL: composing this simple statement with the ORM cost more time
# than running it. ts_headline is expensive, so it runs on the page's rows only.
_PAGE_SQL: Final = (
    "SELECT d.id, d.kind, d.object_id, d.slug, d.title, d.url, d.status, page.score, "
    "ts_headline(%s::regconfig, SUBSTRING(d.body, 1, {headline_source_max}), "
    "websearch_to_tsquery(%s::regconfig, %s), %s) "
    "FROM ({candidates}) AS page JOIN search_searchdocument d ON d.id = page.pk "
    "ORDER BY page.score DESC, page.pk DESC"
)
_PAGE_COLUMNS: Final = (*ROW_FIELDS, "snippet")
HEADLINE_OPTIONS: Final = (
    f"StartSel='{MARK_START}', StopSel='{MARK_END}', MaxWords=35, MinWords=15, "
    "MaxFragments=2, FragmentDelimiter=' … '"
)


def postgres_search_sql(viewer: Any, params: _Params) -> tuple[str, list[Any]]:
    """SQL for the page of ranked documents for `params` (at most `limit + 1`,
    best first, the columns of `_PAGE_COLUMNS`), through the GIN indexes, and its
    parameters; public so that tests and benchmarks can EXPLAIN it."""
    candidates_sql, candidates_params = _candidates_sql(viewer, params, _websearch(params.text))
    sql = _PAGE_SQL.format(headline_source_max=HEADLINE_SOURCE_MAX, candidates=candidates_sql)
    return sql, [
        SEARCH_CONFIG,
        SEARCH_CONFIG,
        params.text,
        HEADLINE_OPTIONS,
        *candidates_params,
    ]


def _marked(headline: str) -> str:
    return escape(headline).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


@contextmanager
def index_only(**settings: str) -> Iterator[None]:
    """A transaction in which the planner takes no sequential scan where an index
    serves, whatever its estimates: with a LIMIT, a wrong guess of how many rows
    match could otherwise read a whole table. `settings` are more settings for
    the transaction. One query."""
    names = {"enable_seqscan": "off", **settings}
    calls = ", ".join("set_config(%s, %s, true)" for _ in names)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {calls}",
            [value for pair in names.items() for value in pair],
        )
        yield


def _postgres_search(viewer: Any, params: _Params) -> SearchPage:
    sql, sql_params = postgres_search_sql(viewer, params)
    with index_only(**SEARCH_SETTINGS), connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        rows = [dict(zip(_PAGE_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    return _page(rows, params, lambda row: _marked(row["snippet"] or ""))


def _typed_so_far(text: str) -> str:
    """`to_tsquery` text for titles holding every word typed, the last one
    perhaps unfinished: `celery task` is `celery:* & task:*`. Only letters and
    digits go in, so nothing typed can be read as tsquery syntax."""
    return " & ".join(f"{word}:*" for word in _WORD_RE.findall(text)[:8])


def _suggestion_candidates(viewer: Any, text: str) -> RawSQL:
    """At most SUGGEST_CANDIDATES titles that hold the words as typed (through the
    title vectors' GIN index) and, only when those are too few to fill the
    suggestions, as many that look like them (through the trigram index), which
    is what forgives typos."""
    titles = visible_documents(viewer).filter(kind__in=SUGGEST_KINDS)
    typed = SearchQuery(_typed_so_far(text), search_type="raw", config=SEARCH_CONFIG)
    as_typed = titles.filter(title_vector=typed).values("pk")[:SUGGEST_CANDIDATES]
    alike = titles.filter(TrigramWordSimilar(F("title"), Value(text))).values("pk")[
        :SUGGEST_CANDIDATES
    ]
    as_typed_sql, as_typed_params = as_typed.query.sql_with_params()
    alike_sql, alike_params = alike.query.sql_with_params()
    # As in `_candidates`: our own SQL joins two compiled querysets.
    return RawSQL(  # noqa: S611
        f"WITH as_typed AS MATERIALIZED ({as_typed_sql}) SELECT * FROM as_typed UNION "  # noqa: S608
        f"SELECT * FROM ({alike_sql}) AS alike "
        f"WHERE (SELECT COUNT(*) FROM as_typed) < {SUGGEST_LIMIT}",
        (*as_typed_params, *alike_params),
    )


def postgres_suggest_queryset(viewer: Any, text: str) -> QuerySet[SearchDocument]:
    """Titles like `text`, the closest first; among titles as close, those whose
    keywords (technologies, tags) have a word like it ("dokcer": Docker, not
    "does"). Public for EXPLAIN."""
    return (
        SearchDocument.objects.filter(pk__in=_suggestion_candidates(viewer, text))
        .annotate(
            similarity=TrigramWordSimilarity(text, "title"),
            keyword_similarity=TrigramStrictWordSimilarity(text, "keywords"),
        )
        .order_by("-similarity", "-keyword_similarity", "-boost", "-pk")
    )


def _postgres_suggest(viewer: Any, text: str) -> list[Mapping[str, Any]]:
    # The `%>` operator is what the index answers; its threshold is a setting,
    # lowered for this transaction only.
    with index_only(**{"pg_trgm.word_similarity_threshold": str(SUGGEST_SIMILARITY)}):
        return list(
            postgres_suggest_queryset(viewer, text).values(
                "kind", "object_id", "slug", "title", "url"
            )[:SUGGEST_LIMIT]
        )


# --- SQLite (and any other database) -----------------------------------------------------------


@dataclass(frozen=True)
class _Alternative:
    required: tuple[str, ...]
    excluded: tuple[str, ...]


def _alternatives(text: str) -> list[_Alternative]:
    """Web-search syntax, read simply: words and "quoted phrases" are required,
    `-word` excluded, `or` separates alternatives. Alternatives that require
    nothing are dropped, as they could only be answered by reading everything."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for match in _TOKEN_RE.finditer(text):
        negated, phrase, token = match.group(1), match.group(2), match.group(3)
        required, excluded = groups[-1]
        if phrase is not None:
            words = " ".join(_WORD_RE.findall(phrase))
            if words:
                (excluded if negated else required).append(words)
        elif token.lower() == "or":
            groups.append(([], []))
        elif token.startswith("-"):
            words = " ".join(_WORD_RE.findall(token))
            if words:
                excluded.append(words)
        else:
            required.extend(_WORD_RE.findall(token))
    return [
        _Alternative(tuple(dict.fromkeys(req)), tuple(dict.fromkeys(exc)))
        for req, exc in groups
        if req
    ]


def _contains(term: str) -> Q:
    return Q(title__icontains=term) | Q(keywords__icontains=term) | Q(body__icontains=term)


def _points(term: str) -> CombinedExpression:
    """Where `term` appears: the title counts most, then keywords, then the body.
    Solutions and messages borrow their titles (their challenge's, their
    channel's), which count as keywords, as on PostgreSQL."""
    own_title = Q(kind__in=(Kind.GUIDE, Kind.CHALLENGE, Kind.USER))

    def case(*whens: When) -> Case:
        return Case(*whens, default=Value(0.0), output_field=FloatField())

    return case(
        When(own_title & Q(title__icontains=term), then=Value(3.0)),
        When(Q(title__icontains=term) | Q(keywords__icontains=term), then=Value(2.0)),
    ) + case(When(body__icontains=term, then=Value(1.0)))


def _fallback_search(viewer: Any, params: _Params) -> SearchPage:
    alternatives = _alternatives(params.text)
    if not alternatives:
        return SearchPage(results=[], next_cursor=None)
    matches = Q()
    for alternative in alternatives:
        condition = Q()
        for term in alternative.required:
            condition &= _contains(term)
        for term in alternative.excluded:
            condition &= ~_contains(term)
        matches |= condition
    terms = list(dict.fromkeys(t for a in alternatives for t in a.required))
    points = sum((_points(term) for term in terms), start=Value(0.0, output_field=FloatField()))
    documents = (
        _narrowed(visible_documents(viewer), params)
        .filter(matches)
        .annotate(score=points * F("boost"))
    )
    rows = list(
        _after(documents, params)
        .order_by("-score", "-pk")
        .values(*ROW_FIELDS, "body")[: params.limit + 1]
    )
    return _page(rows, params, lambda row: naive_snippet(row["body"], terms))


def naive_snippet(body: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `body` around the first match of a term, escaped,
    with the matches in <mark>."""
    if not terms:
        return escape(body[:width])
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    first = pattern.search(body)
    start = 0
    if first is not None and first.start() > width // 3:
        start = body.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(body), start + width)
    if end < len(body) and " " in body[start:end]:
        end = body.rfind(" ", start, end)
    window = body[start:end]
    parts: list[str] = ["…" if start else ""]
    position = 0
    for match in pattern.finditer(window):
        parts.append(escape(window[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(window[position:]))
    parts.append("…" if end < len(body) else "")
    return "".join(parts)


def _fallback_suggest(viewer: Any, text: str) -> list[Mapping[str, Any]]:
    words = list(dict.fromkeys(w for w in _WORD_RE.findall(text) if len(w) > 1))[:6]
    if not words:
        return []
    titles = visible_documents(viewer).filter(kind__in=SUGGEST_KINDS)
    for word in words:
        titles = titles.filter(title__icontains=word)
    return list(
        titles.order_by("-boost", "-pk").values("kind", "object_id", "slug", "title", "url")[
            :SUGGEST_LIMIT
        ]
    )


# --- The entry points ----------------------------------------------------------------------------


def search(
    *,
    viewer: Any,
    q: Any,
    type: Any = None,
    technology: Any = None,
    limit: Any = None,
    cursor: Any = None,
) -> SearchPage:
    """A page of what `viewer` may read matching `q`, best first, and the cursor of
    the next page (None on the last). `type` is one of the kinds, `technology` a
    technology slug. One query (two with `technology`). Raises ValidationError."""
    params, searchable = _params(q=q, type=type, technology=technology, limit=limit, cursor=cursor)
    if not searchable:
        return SearchPage(results=[], next_cursor=None)
    if settings.IS_POSTGRES:
        return _postgres_search(viewer, params)
    return _fallback_search(viewer, params)


def suggest(*, viewer: Any, q: Any) -> list[Suggestion]:
    """Up to 8 titles of guides and challenges `viewer` may read that look like `q`,
    typos tolerated on PostgreSQL. Raises ValidationError for a missing or long `q`."""
    text = _query_text(q)
    if len("".join(_WORD_RE.findall(text))) < SUGGEST_MIN_CHARS:
        return []
    rows = (
        _postgres_suggest(viewer, text) if settings.IS_POSTGRES else _fallback_suggest(viewer, text)
    )
    return [
        Suggestion(
            type=row["kind"],
            id=row["object_id"],
            slug=row["slug"] or None,
            title=row["title"],
            url=row["url"],
        )
        for row in rows
    ]
