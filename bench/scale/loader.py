"""Loads scale data in bulk, every denormalised counter consistent with its rows.

Rows are composed in Python a batch of challenges at a time, each challenge
with its revision, solutions, comments, votes, follows, links and reputation
ledger lines, plus its share of guides and channel messages; the batch is
written in one transaction. PostgreSQL takes each table by COPY, SQLite by
executemany; ids are reserved up front (from the table's sequence on
PostgreSQL), so rows can point at each other before they are written, and
foreign keys, deferred by Django, are checked at commit.

Counters are computed from the very rows written: a challenge's score,
solution and comment counts and last activity, a solution's score and
comment count, a channel's message count and last message, a thread's
replies. Every vote and every acceptance has its reputation ledger line,
and each profile's reputation moves by the sum of its new lines, so
`Profile.reputation` equals the ledger's sum as the services keep it.

Nothing goes through the services: no outbox events, no notifications, no
cache versions are bumped. Seeded people share one password (`SEED_PASSWORD`)
and an email at `SEED_EMAIL_DOMAIN`, which is how later runs find them.
"""

from __future__ import annotations

import bisect
import itertools
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.text import slugify

from bench.scale.text import TAG_NAMES, Composer
from nexus.accounts.models import Cohort, Profile, User
from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    Follow,
    ReputationEvent,
    Solution,
    Vote,
)
from nexus.challenges.services import (
    POINTS,
    POINTS_ACCEPTED_A_SOLUTION,
    POINTS_SOLUTION_ACCEPTED,
)
from nexus.collaboration.models import Channel, Membership, Message
from nexus.core.markdown import render_markdown
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology


class Weighted:
    """A value drawn by weight, from (value, weight) pairs."""

    def __init__(self, *pairs: tuple[int, int]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng: Random) -> int:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


SEED_EMAIL_DOMAIN = "seed.nexus.test"
SEED_PASSWORD = "nexus-seed-scale-2026"  # noqa: S105 -- shared by seeded people, by design
SPAN = timedelta(days=730)
REVISION_MESSAGE = "First version"

# Realistic proportions, per challenge unless said otherwise.
USERS_PER_CHALLENGE = 1 / 20
GUIDES_PER_CHALLENGE = 1 / 100
MESSAGES_PER_CHALLENGE = 1 / 2
# Solutions per challenge: mean 1.53; 72% have one or more.
SOLUTION_COUNTS = Weighted((0, 28), (1, 25), (2, 24), (3, 15), (4, 5), (5, 3))
# Of challenges with a solution, this share accepts one: 40% solved in all.
ACCEPT_SHARE = 0.40 / 0.72
CHALLENGE_VOTES = Weighted((0, 35), (1, 25), (2, 20), (3, 12), (4, 8))  # mean 1.33
SOLUTION_VOTES = Weighted(
    (0, 40), (1, 25), (2, 20), (3, 10), (4, 5)
)  # mean 1.15: votes ~ 3 per challenge
CHALLENGE_COMMENTS = Weighted((0, 60), (1, 30), (2, 10))  # mean 0.5
SOLUTION_COMMENTS = Weighted((0, 72), (1, 23), (2, 5))  # mean 0.33: comments ~ 1 per challenge
UPVOTE_SHARE = 0.85
CLOSED_SHARE = 0.04
DUPLICATE_SHARE = 0.02
REPLY_SHARE = 0.12
PUBLISHED_GUIDE_SHARE = 0.85
ID_CHUNK = 10_000


@dataclass(frozen=True)
class Plan:
    """How many of each this run adds to reach the asked-for totals."""

    challenges: int
    users: int
    guides: int
    messages: int
    batch: int = 10_000

    @property
    def batches(self) -> int:
        if self.challenges:
            return -(-self.challenges // self.batch)
        return 1 if self.guides or self.messages else 0


@dataclass
class Report:
    rows: Counter[str] = field(default_factory=Counter)
    # Seconds spent composing rows, sending them, committing (deferred foreign-key
    # checks) and analysing, to see where a run's time goes.
    phases: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    # True when PostgreSQL's foreign-key triggers were off during the load and the
    # references were checked in one pass at the end instead.
    checked_at_end: bool = False
    seconds: float = 0.0
    challenges: int = 0


def seeded_users() -> models.QuerySet[User]:
    return User.objects.filter(email__endswith=f"@{SEED_EMAIL_DOMAIN}")


def plan_for(*, challenges: int, users: int | None = None, batch: int = 10_000) -> Plan:
    """What to add so the database holds `challenges` challenges and the rest in proportion."""
    want_users = users if users is not None else max(10, round(challenges * USERS_PER_CHALLENGE))
    return Plan(
        challenges=max(0, challenges - Challenge.objects.count()),
        users=max(0, max(want_users, 2) - seeded_users().count()),
        guides=max(0, round(challenges * GUIDES_PER_CHALLENGE) - Guide.objects.count()),
        messages=max(0, round(challenges * MESSAGES_PER_CHALLENGE) - Message.objects.count()),
        batch=batch,
    )


# --- Writing rows --------------------------------------------------------------------


class Table:
    """Rows for one table: the columns a loader gives, then every other column's default."""

    def __init__(
        self, model: type[models.Model], given: Sequence[str], connection: BaseDatabaseWrapper
    ) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        rest = [
            f
            for f in meta.concrete_fields
            if f.attname not in given
            and not getattr(f, "generated", False)
            and not (f.primary_key and isinstance(f, AutoFieldMixin))
        ]
        self.name = meta.db_table
        self.columns = [fields[name].column for name in given] + [f.column for f in rest]
        self.tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)


class Sink:
    """Where rows go: ids reserved ahead, tables written in bulk.

    Each call uses the calling thread's connection of `alias`, so rows can be
    composed (reserving ids) in one thread while another writes.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._pools: dict[str, list[int]] = {}
        self._first: dict[str, int] = {}

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]

    def next_id(self, model: type[models.Model]) -> int:
        table = model._meta.db_table
        pool = self._pools.get(table)
        if not pool:
            pool = self._reserve(table, ID_CHUNK)
            self._first.setdefault(table, pool[0])
            pool.reverse()  # popped from the end: ascending
            self._pools[table] = pool
        return pool.pop()

    def first_ids(self) -> dict[str, int]:
        """The first id reserved in each table: rows of this run are from there on."""
        return dict(self._first)

    def _reserve(self, table: str, count: int) -> list[int]:
        raise NotImplementedError

    def write(self, table: Table) -> int:
        raise NotImplementedError

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(sql, rows)


class PostgresSink(Sink):
    def _reserve(self, table: str, count: int) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(self, table: Table) -> int:
        if not table.rows:
            return 0
        quote = self.connection.ops.quote_name
        sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in table.columns)}) FROM STDIN"
        with self.connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(sql) as copy:
                for row in table.rows:
                    copy.write_row(row)
        return len(table.rows)


class SqliteSink(Sink):
    def __init__(self, alias: str) -> None:
        super().__init__(alias)
        self._next: dict[str, int] = {}

    def _reserve(self, table: str, count: int) -> list[int]:
        if table not in self._next:
            with self.connection.cursor() as cursor:
                quoted = self.connection.ops.quote_name(table)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608 -- a model's table
                self._next[table] = int(cursor.fetchone()[0]) + 1
        first = self._next[table]
        self._next[table] = first + count
        return list(range(first, first + count))

    def write(self, table: Table) -> int:
        if not table.rows:
            return 0
        quote = self.connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in table.columns)}) "  # noqa: S608 -- model metadata
            f"VALUES ({', '.join(['%s'] * len(table.columns))})"
        )
        rows = [tuple(sqlite_value(v) for v in row) for row in table.rows]
        self.execute_many(sql, rows)
        return len(rows)


def sqlite_value(value: Any) -> Any:
    """A value as Django stores it on SQLite: datetimes as naive UTC text."""
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def sink_for(alias: str) -> Sink:
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        return PostgresSink(alias)
    if vendor == "sqlite":
        return SqliteSink(alias)
    raise ValueError(f"bench/seed.py supports PostgreSQL and SQLite, not {vendor}.")


# --- Composing rows --------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    id: int
    name: str


@dataclass
class ChannelRef:
    id: int
    kind: str
    technology: str | None
    members: list[int]


def _between(rng: Random, start: datetime, seconds: float, latest: datetime) -> datetime:
    return min(start + timedelta(seconds=rng.uniform(1, seconds)), latest)


@dataclass
class Batch:
    """One transaction's worth of composed rows and counter updates."""

    challenges: int = 0
    tables: list[Table] = field(default_factory=list)
    channel_updates: list[tuple[Any, ...]] = field(default_factory=list)
    memberships: list[tuple[Any, ...]] = field(default_factory=list)
    reputation: Counter[int] = field(default_factory=Counter)
    # Published guides added per technology, concept and tag, by their table.
    guide_counts: defaultdict[str, Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    compose_seconds: float = 0.0


class Loader:
    """Adds a `Plan` of rows to the database `alias`; see the module docstring.

    On PostgreSQL the next batch is composed in a second thread while the
    current one is written, so Python and the database work at the same time.
    """

    def __init__(
        self,
        alias: str = "default",
        *,
        seed: int = 7,
        log: Callable[[str], None] = lambda line: None,
        now: datetime | None = None,
        check_foreign_keys: bool = False,
    ) -> None:
        self.sink = sink_for(alias)
        self.vendor = connections[alias].vendor
        self.check_foreign_keys = check_foreign_keys
        self.rng = Random(seed)  # noqa: S311 -- repeatable content, not secrets
        self.text = Composer(self.rng)
        self.log = log
        self.now = now or timezone.now()
        self.report = Report()
        self.technologies: list[Ref] = []
        self.concepts: list[Ref] = []
        self.tags: list[Ref] = []
        self.users: list[int] = []
        self.channels: list[ChannelRef] = []
        self._message_clock = self.now - SPAN
        self._message_step = timedelta(0)

    def _table(self, model: type[models.Model], *given: str) -> Table:
        return Table(model, given, self.sink.connection)

    def _through(self, m2m: Any, *given: str) -> Table:
        return self._table(m2m.through, *given)

    def _write(self, *tables: Table) -> None:
        started = time.perf_counter()
        for table in tables:
            self.report.rows[table.name] += self.sink.write(table)
        self.report.phases["write"] += time.perf_counter() - started

    # --- Reference data, people and channels --------------------------------------

    def _reference(self) -> None:
        """Technologies, concepts and tags: those present, the demo's and ours when missing."""
        from nexus.knowledge.demo import CONCEPTS, TECHNOLOGIES

        if not Technology.objects.exists():
            Technology.objects.bulk_create(
                [
                    Technology(
                        name=s.name,
                        slug=s.slug,
                        category=s.category,
                        summary=s.summary,
                        docs_url=s.docs_url,
                    )
                    for s in TECHNOLOGIES
                ],
                ignore_conflicts=True,
            )
        if not Concept.objects.exists():
            Concept.objects.bulk_create(
                [Concept(name=s.name, slug=s.slug, summary=s.summary) for s in CONCEPTS],
                ignore_conflicts=True,
            )
            by_slug = dict(Technology.objects.values_list("slug", "id"))
            links = [
                Concept.technologies.through(concept_id=concept_id, technology_id=by_slug[slug])
                for spec in CONCEPTS
                for concept_id in Concept.objects.filter(slug=spec.slug).values_list(
                    "id", flat=True
                )
                for slug in spec.technologies
                if slug in by_slug
            ]
            Concept.technologies.through.objects.bulk_create(links, ignore_conflicts=True)
        Tag.objects.bulk_create(
            [Tag(name=name, slug=name) for name in TAG_NAMES], ignore_conflicts=True
        )
        self.technologies = [Ref(i, n) for i, n in Technology.objects.values_list("id", "name")]
        self.concepts = [Ref(i, n) for i, n in Concept.objects.values_list("id", "name")]
        self.tags = [Ref(i, n) for i, n in Tag.objects.values_list("id", "name")]

    def _cohorts(self) -> list[int]:
        if not Cohort.objects.exists():
            Cohort.objects.bulk_create(
                [Cohort(name=f"Scale cohort {n}", slug=f"scale-cohort-{n}") for n in range(1, 5)],
                ignore_conflicts=True,
            )
        return list(Cohort.objects.values_list("id", flat=True))

    def _add_users(self, count: int, cohorts: list[int]) -> None:
        rng, text = self.rng, self.text
        password = make_password(SEED_PASSWORD)
        first_index = seeded_users().count() + 1
        tech_names = [t.name for t in self.technologies]
        for start in range(0, count, ID_CHUNK):
            users = self._table(
                User, "id", "email", "username", "password", "is_email_verified", "date_joined"
            )
            profiles = self._table(
                Profile,
                "id",
                "user_id",
                "display_name",
                "bio",
                "track",
                "role",
                "cohort_id",
                "skills",
                "github_handle",
                "reputation",
                "created_at",
                "updated_at",
            )
            for index in range(first_index + start, first_index + min(count, start + ID_CHUNK)):
                first, last = text.person()
                handle = f"{first}-{last}-{index}".lower()
                joined = self.now - SPAN - timedelta(days=rng.uniform(1, 365))
                user_id = self.sink.next_id(User)
                users.add(user_id, f"{handle}@{SEED_EMAIL_DOMAIN}", handle, password, True, joined)
                skills = rng.sample(tech_names, k=min(len(tech_names), rng.randint(1, 4)))
                role = rng.choices(
                    (Profile.Role.LEARNER, Profile.Role.MENTOR, Profile.Role.STAFF), (94, 5, 1)
                )[0]
                profiles.add(
                    self.sink.next_id(Profile),
                    user_id,
                    f"{first} {last}",
                    text.bio(skills),
                    rng.choice(Profile.Track.values),
                    role,
                    rng.choice(cohorts) if cohorts else None,
                    json.dumps(skills),
                    handle[:39],
                    0,
                    joined,
                    joined,
                )
            with transaction.atomic():
                self._write(users, profiles)

    def _channels(self) -> None:
        # One private channel for the mentors' circle: its messages must never leak.
        members = self.users[:: max(1, len(self.users) // 25)]
        specs: list[tuple[str, str, str, Technology | None]] = [
            ("scale-general", "General", Channel.Kind.PUBLIC, None),
            ("scale-mentors", "Mentors' circle", Channel.Kind.PRIVATE, None),
        ]
        for linked in Technology.objects.order_by("id")[:6]:
            specs.append((f"scale-{linked.slug}"[:80], linked.name, Channel.Kind.PUBLIC, linked))
        for slug, name, kind, technology in specs:
            channel, _ = Channel.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name[:80],
                    "kind": kind,
                    "technology": technology,
                    "topic": f"Seeded talk about {name}"[:300],
                },
            )
            self.channels.append(
                ChannelRef(
                    channel.pk,
                    kind,
                    technology.name if technology else None,
                    members if kind == Channel.Kind.PRIVATE else self.users,
                )
            )

    # --- One batch ------------------------------------------------------------------

    def _sample(self, refs: list[Ref], counts: tuple[int, ...]) -> list[Ref]:
        return self.rng.sample(refs, k=min(len(refs), self.rng.choice(counts)))

    def _others(self, exclude: int, count: int) -> list[int]:
        """Up to `count` distinct seeded users, none of them `exclude`."""
        picked = self.rng.sample(self.users, k=min(len(self.users), count + 1))
        return [user for user in picked if user != exclude][:count]

    def _challenges(self, count: int, deltas: Counter[int]) -> list[Table]:
        """`count` challenges in time order, each with everything that hangs off it."""
        rng, text, sink, now = self.rng, self.text, self.sink, self.now
        challenges = self._table(
            Challenge,
            "id",
            "title",
            "body",
            "body_html",
            "author_id",
            "status",
            "duplicate_of_id",
            "accepted_solution_id",
            "score",
            "solution_count",
            "comment_count",
            "last_activity_at",
            "current_revision_id",
            "revision_count",
            "created_at",
            "updated_at",
        )
        revisions = self._table(
            ChallengeRevision,
            "id",
            "challenge_id",
            "number",
            "title",
            "body",
            "message",
            "editor_id",
            "created_at",
        )
        solutions = self._table(
            Solution,
            "id",
            "challenge_id",
            "author_id",
            "body",
            "body_html",
            "score",
            "is_accepted",
            "accepted_at",
            "comment_count",
            "created_at",
            "updated_at",
        )
        comments = self._table(
            Comment,
            "id",
            "challenge_id",
            "solution_id",
            "author_id",
            "body",
            "body_html",
            "created_at",
            "updated_at",
        )
        votes = self._table(
            Vote,
            "id",
            "user_id",
            "challenge_id",
            "solution_id",
            "value",
            "created_at",
            "updated_at",
        )
        ledger = self._table(
            ReputationEvent,
            "id",
            "user_id",
            "reason",
            "points",
            "challenge_id",
            "vote_id",
            "solution_id",
            "created_at",
        )
        follows = self._table(Follow, "id", "user_id", "challenge_id", "created_at")
        technologies = self._through(Challenge.technologies, "challenge_id", "technology_id")
        concepts = self._through(Challenge.concepts, "challenge_id", "concept_id")
        tags = self._through(Challenge.tags, "challenge_id", "tag_id")

        def vote(
            voter: int, target: str, target_id: int, author: int, challenge_id: int, at: datetime
        ) -> int:
            value = 1 if rng.random() < UPVOTE_SHARE else -1
            vote_id = sink.next_id(Vote)
            on_challenge = target == "challenge"
            votes.add(
                vote_id,
                voter,
                target_id if on_challenge else None,
                None if on_challenge else target_id,
                value,
                at,
                at,
            )
            points = POINTS[(target, value)]
            reason = (
                ReputationEvent.Reason.CHALLENGE_VOTED
                if on_challenge
                else ReputationEvent.Reason.SOLUTION_VOTED
            )
            ledger.add(
                sink.next_id(ReputationEvent),
                author,
                reason,
                points,
                challenge_id,
                vote_id,
                None,
                at,
            )
            deltas[author] += points
            return value

        def comment(
            author: int,
            challenge_id: int | None,
            solution_id: int | None,
            at: datetime,
            techs: list[str],
        ) -> None:
            body = text.comment(techs)
            comments.add(
                sink.next_id(Comment),
                challenge_id,
                solution_id,
                author,
                body.markdown,
                body.html,
                at,
                at,
            )

        created_times = sorted(now - SPAN * rng.random() for _ in range(count))
        batch_ids: list[int] = []
        for created in created_times:
            challenge_id = sink.next_id(Challenge)
            author = rng.choice(self.users)
            linked_techs = self._sample(self.technologies, (1, 1, 2, 2, 3))
            linked_concepts = self._sample(self.concepts, (0, 1, 1, 2))
            linked_tags = self._sample(self.tags, (0, 1, 2, 3))
            techs = [t.name for t in linked_techs]
            concept_names = [c.name for c in linked_concepts]
            title = text.challenge_title(techs, concept_names)
            body = text.challenge_body(techs, concept_names)
            activity = created

            solution_rows: list[list[Any]] = []
            for solver in self._others(author, SOLUTION_COUNTS.draw(rng)):
                answered = _between(rng, created, 14 * 86400, now)
                solution_id = sink.next_id(Solution)
                score = sum(
                    vote(
                        v,
                        "solution",
                        solution_id,
                        solver,
                        challenge_id,
                        _between(rng, answered, 7 * 86400, now),
                    )
                    for v in self._others(solver, SOLUTION_VOTES.draw(rng))
                )
                remarks = SOLUTION_COMMENTS.draw(rng)
                for _ in range(remarks):
                    said = _between(rng, answered, 3 * 86400, now)
                    comment(rng.choice(self.users), None, solution_id, said, techs)
                    activity = max(activity, said)
                solution_body = text.solution_body(techs, concept_names)
                solution_rows.append(
                    [
                        solution_id,
                        challenge_id,
                        solver,
                        solution_body.markdown,
                        solution_body.html,
                        score,
                        False,
                        None,
                        remarks,
                        answered,
                        answered,
                    ]
                )
                follows.add(sink.next_id(Follow), solver, challenge_id, answered)
                activity = max(activity, answered)

            status, accepted_id, duplicate_of = Challenge.Status.OPEN, None, None
            if solution_rows and rng.random() < ACCEPT_SHARE:
                accepted = rng.choice(solution_rows)
                accepted_at = _between(rng, accepted[9], 5 * 86400, now)
                accepted[6], accepted[7], accepted[10] = True, accepted_at, accepted_at
                status, accepted_id = Challenge.Status.SOLVED, accepted[0]
                activity = max(activity, accepted_at)
                for user, reason, points in (
                    (
                        accepted[2],
                        ReputationEvent.Reason.SOLUTION_ACCEPTED,
                        POINTS_SOLUTION_ACCEPTED,
                    ),
                    (
                        author,
                        ReputationEvent.Reason.ACCEPTED_A_SOLUTION,
                        POINTS_ACCEPTED_A_SOLUTION,
                    ),
                ):
                    ledger.add(
                        sink.next_id(ReputationEvent),
                        user,
                        reason,
                        points,
                        challenge_id,
                        None,
                        accepted_id,
                        accepted_at,
                    )
                    deltas[user] += points
            elif not solution_rows and batch_ids and rng.random() < DUPLICATE_SHARE:
                status, duplicate_of = Challenge.Status.DUPLICATE, rng.choice(batch_ids)
            elif rng.random() < CLOSED_SHARE:
                status = Challenge.Status.CLOSED
            for row in solution_rows:
                solutions.add(*row)

            score = sum(
                vote(
                    v,
                    "challenge",
                    challenge_id,
                    author,
                    challenge_id,
                    _between(rng, created, 7 * 86400, now),
                )
                for v in self._others(author, CHALLENGE_VOTES.draw(rng))
            )
            remarks = CHALLENGE_COMMENTS.draw(rng)
            for _ in range(remarks):
                said = _between(rng, created, 3 * 86400, now)
                comment(rng.choice(self.users), challenge_id, None, said, techs)
                activity = max(activity, said)

            revision_id = sink.next_id(ChallengeRevision)
            revisions.add(
                revision_id,
                challenge_id,
                1,
                title,
                body.markdown,
                REVISION_MESSAGE,
                author,
                created,
            )
            challenges.add(
                challenge_id,
                title,
                body.markdown,
                body.html,
                author,
                status,
                duplicate_of,
                accepted_id,
                score,
                len(solution_rows),
                remarks,
                activity,
                revision_id,
                1,
                created,
                activity,
            )
            follows.add(sink.next_id(Follow), author, challenge_id, created)
            for ref in linked_techs:
                technologies.add(challenge_id, ref.id)
            for ref in linked_concepts:
                concepts.add(challenge_id, ref.id)
            for ref in linked_tags:
                tags.add(challenge_id, ref.id)
            batch_ids.append(challenge_id)
        return [
            challenges,
            revisions,
            solutions,
            comments,
            votes,
            ledger,
            follows,
            technologies,
            concepts,
            tags,
        ]

    def _guides(self, count: int, guide_counts: defaultdict[str, Counter[int]]) -> list[Table]:
        rng, text, sink = self.rng, self.text, self.sink
        guides = self._table(
            Guide,
            "id",
            "slug",
            "title",
            "body",
            "body_html",
            "kind",
            "status",
            "author_id",
            "current_revision_id",
            "revision_count",
            "published_at",
            "created_at",
            "updated_at",
        )
        revisions = self._table(
            GuideRevision,
            "id",
            "guide_id",
            "number",
            "title",
            "body",
            "message",
            "editor_id",
            "created_at",
        )
        technologies = self._through(Guide.technologies, "guide_id", "technology_id")
        concepts = self._through(Guide.concepts, "guide_id", "concept_id")
        tags = self._through(Guide.tags, "guide_id", "tag_id")
        for _ in range(count):
            guide_id, revision_id = sink.next_id(Guide), sink.next_id(GuideRevision)
            linked_techs = self._sample(self.technologies, (1, 1, 2))
            linked_concepts = self._sample(self.concepts, (0, 1, 2))
            linked_tags = self._sample(self.tags, (0, 1, 2))
            title, body = text.guide(
                [t.name for t in linked_techs], [c.name for c in linked_concepts]
            )
            author = rng.choice(self.users)
            created = self.now - SPAN * rng.random()
            published = rng.random() < PUBLISHED_GUIDE_SHARE
            guides.add(
                guide_id,
                f"{slugify(title)[:100]}-{guide_id}",
                title,
                body,
                render_markdown(body),
                rng.choice(Guide.Kind.values),
                Guide.Status.PUBLISHED if published else Guide.Status.DRAFT,
                author,
                revision_id,
                1,
                created if published else None,
                created,
                created,
            )
            revisions.add(revision_id, guide_id, 1, title, body, REVISION_MESSAGE, author, created)
            for links, model, refs in (
                (technologies, Technology, linked_techs),
                (concepts, Concept, linked_concepts),
                (tags, Tag, linked_tags),
            ):
                for ref in refs:
                    links.add(guide_id, ref.id)
                    if published:
                        guide_counts[model._meta.db_table][ref.id] += 1
        return [guides, revisions, technologies, concepts, tags]

    def _messages(self, count: int, batch: Batch) -> None:
        """Messages in time order (ids follow time, as when posted), with their threads,
        channel counters and the posters' memberships."""
        rng, text, sink = self.rng, self.text, self.sink
        messages = self._table(
            Message,
            "id",
            "channel_id",
            "author_id",
            "parent_id",
            "body",
            "body_html",
            "reply_count",
            "last_reply_at",
            "created_at",
            "updated_at",
        )
        rows: list[list[Any]] = []
        threads: dict[int, list[list[Any]]] = defaultdict(list)
        channel_state: dict[int, list[Any]] = {}
        readers: dict[tuple[int, int], list[Any]] = {}
        weights = [4 if c.kind == Channel.Kind.PUBLIC else 1 for c in self.channels]
        for _ in range(count):
            self._message_clock = min(self._message_clock + self._message_step, self.now)
            posted = self._message_clock
            channel = rng.choices(self.channels, weights)[0]
            author = rng.choice(channel.members)
            techs = [channel.technology] if channel.technology else []
            parent = None
            if threads[channel.id] and rng.random() < REPLY_SHARE:
                parent = rng.choice(threads[channel.id])
                parent[6] += 1
                parent[7] = posted
            body = text.message(techs)
            row = [
                sink.next_id(Message),
                channel.id,
                author,
                parent[0] if parent else None,
                body.markdown,
                body.html,
                0,
                None,
                posted,
                posted,
            ]
            rows.append(row)
            if parent is None:
                threads[channel.id].append(row)
            state = channel_state.setdefault(channel.id, [0, 0, posted])
            state[0], state[1], state[2] = state[0] + 1, row[0], posted
            reader = readers.setdefault((channel.id, author), [row[0], posted])
            reader[0] = row[0]
        for row in rows:
            messages.add(*row)
        batch.tables.append(messages)
        batch.channel_updates = [
            (n, last_id, self._db_time(at), pk) for pk, (n, last_id, at) in channel_state.items()
        ]
        batch.memberships = [
            (channel_id, user, Membership.Role.MEMBER, False, last_id, self._db_time(joined))
            for (channel_id, user), (last_id, joined) in readers.items()
        ]

    def _db_time(self, value: datetime) -> Any:
        return sqlite_value(value) if self.vendor == "sqlite" else value

    def _compose(self, size: int, guides: int, messages: int) -> Batch:
        started = time.perf_counter()
        batch = Batch(challenges=size)
        batch.tables += self._challenges(size, batch.reputation)
        batch.tables += self._guides(guides, batch.guide_counts)
        self._messages(messages, batch)
        batch.compose_seconds = time.perf_counter() - started
        return batch

    def _store(self, batch: Batch) -> None:
        """Write one batch in one transaction."""
        connection = self.sink.connection
        with transaction.atomic(using=self.sink.alias):
            if self.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Bulk load: a crash loses the last batches, never consistency.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    if self.report.checked_at_end:
                        # Foreign keys are checked once at the end (see `run`), not
                        # row by row at each commit.
                        cursor.execute("SET LOCAL session_replication_role = replica")
            self._write(*batch.tables)
            self.sink.execute_many(
                f"UPDATE {Channel._meta.db_table} SET message_count = message_count + %s, "  # noqa: S608 -- a model's table
                "last_message_id = %s, last_message_at = %s WHERE id = %s",
                batch.channel_updates,
            )
            greatest = "GREATEST" if self.vendor == "postgresql" else "MAX"
            table = Membership._meta.db_table
            self.sink.execute_many(
                f"INSERT INTO {table} (channel_id, user_id, role, can_invite, last_read_id, "  # noqa: S608 -- a model's table
                "joined_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (channel_id, user_id) "
                f"DO UPDATE SET last_read_id = {greatest}({table}.last_read_id, "
                "excluded.last_read_id)",
                batch.memberships,
            )
            self.report.rows[table] += len(batch.memberships)
            self.sink.execute_many(
                f"UPDATE {Profile._meta.db_table} SET reputation = reputation + %s "  # noqa: S608 -- a model's table
                "WHERE user_id = %s",
                [(delta, user) for user, delta in batch.reputation.items() if delta],
            )
            for table, counts in sorted(batch.guide_counts.items()):
                self.sink.execute_many(
                    f"UPDATE {table} SET guide_count = guide_count + %s WHERE id = %s",  # noqa: S608 -- a model's table
                    [(count, pk) for pk, count in sorted(counts.items())],
                )
            if self.report.checked_at_end:
                # Back to normal before commit, in case an outer transaction goes on.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            committing = time.perf_counter()
        self.report.phases["commit"] += time.perf_counter() - committing
        self.report.phases["compose"] += batch.compose_seconds
        self.report.challenges += batch.challenges

    # --- The run ----------------------------------------------------------------------

    def _sizes(self, plan: Plan) -> list[tuple[int, int, int]]:
        """(challenges, guides, messages) of each batch, guides and messages spread evenly."""
        sizes, done_guides, done_messages = [], 0, 0
        for number in range(plan.batches):
            size = max(0, min(plan.batch, plan.challenges - number * plan.batch))
            share = ((number * plan.batch + size) / plan.challenges) if plan.challenges else 1.0
            guides = round(plan.guides * share) - done_guides
            messages = round(plan.messages * share) - done_messages
            sizes.append((size, guides, messages))
            done_guides += guides
            done_messages += messages
        return sizes

    def _prepare(self, plan: Plan) -> None:
        if self.vendor == "postgresql" and not self.check_foreign_keys:
            self.report.checked_at_end = self._may_skip_triggers()
        self._reference()
        cohorts = self._cohorts()
        if plan.users:
            self._add_users(plan.users, cohorts)
            self.log(f"users: +{plan.users}")
        self.users = list(seeded_users().order_by("id").values_list("id", flat=True))
        if not self.users:
            raise ValueError("No seeded users to write as; ask for at least one.")
        self._channels()
        if plan.messages:
            latest = (
                Message.objects.filter(channel_id__in=[c.id for c in self.channels])
                .order_by("-id")
                .values_list("created_at", flat=True)
                .first()
            )
            self._message_clock = max(self.now - SPAN, latest or self.now - SPAN)
            self._message_step = (self.now - self._message_clock) / plan.messages

    def _batches(self, plan: Plan) -> Iterator[Batch]:
        sizes = self._sizes(plan)
        if self.vendor != "postgresql" or len(sizes) < 2:
            for size in sizes:
                yield self._compose(*size)
            return
        # One batch ahead, in a thread with its own connection (used for ids only).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-compose") as pool:
            try:
                ahead: Future[Batch] = pool.submit(self._compose, *sizes[0])
                for size in sizes[1:]:
                    ready = ahead.result()
                    ahead = pool.submit(self._compose, *size)
                    yield ready
                yield ahead.result()
            finally:
                pool.submit(lambda: self.sink.connection.close()).result()

    def _may_skip_triggers(self) -> bool:
        """Only a superuser may turn triggers off, and only foreign-key ones may be
        skipped: a table with a trigger of its own (a search index kept by a
        trigger, say) keeps row-by-row checks."""
        tables = [model._meta.db_table for model in loaded_models()]
        with self.sink.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if not (row and row[0]):
                return False
            cursor.execute(
                "SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relname = ANY(%s)",
                [tables],
            )
            row = cursor.fetchone()
            return bool(row and row[0] == 0)

    def run(self, plan: Plan) -> Report:
        started = time.perf_counter()
        self._prepare(plan)

        for number, batch in enumerate(self._batches(plan), start=1):
            self._store(batch)
            self.log(
                f"batch {number}/{plan.batches}: {self.report.challenges} challenges, "
                f"{sum(self.report.rows.values())} rows, {time.perf_counter() - started:.1f}s"
            )
        if self.vendor == "postgresql" and self.report.rows:
            analysing = time.perf_counter()
            connection = self.sink.connection
            # VACUUM as well as ANALYZE: it sets the visibility map of the new pages,
            # so index-only scans skip the heap from the first request, as they would
            # once autovacuum had caught up with a real database.
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                for table in sorted(self.report.rows):
                    cursor.execute(f"{vacuum} {connection.ops.quote_name(table)}")
            self.report.phases["analyze"] += time.perf_counter() - analysing
        if self.report.checked_at_end and self.report.rows:
            checking = time.perf_counter()
            dangling = dangling_references(since=self.sink.first_ids(), alias=self.sink.alias)
            self.report.phases["check"] += time.perf_counter() - checking
            if dangling:
                raise ValueError(f"Seeded rows point at nothing: {dangling}")
        self.report.seconds = time.perf_counter() - started
        return self.report


def load(
    plan: Plan,
    *,
    alias: str = "default",
    seed: int = 7,
    log: Callable[[str], None] = lambda line: None,
    check_foreign_keys: bool = False,
) -> Report:
    """Run a plan on the database `alias`: see `Loader`. With `check_foreign_keys`,
    PostgreSQL checks every reference at each commit, as in normal use."""
    return Loader(alias, seed=seed, log=log, check_foreign_keys=check_foreign_keys).run(plan)


def loaded_models() -> list[type[models.Model]]:
    """Every model the loader writes rows of, link tables included."""
    return [
        User,
        Profile,
        Challenge,
        ChallengeRevision,
        Solution,
        Comment,
        Vote,
        ReputationEvent,
        Follow,
        Challenge.technologies.through,
        Challenge.concepts.through,
        Challenge.tags.through,
        Guide,
        GuideRevision,
        Guide.technologies.through,
        Guide.concepts.through,
        Guide.tags.through,
        Message,
        Membership,
    ]


def dangling_references(
    *, since: Mapping[str, int] | None = None, alias: str = "default"
) -> dict[str, int]:
    """Rows of the loaded models whose foreign key points at no row, by "table.column".

    With `since`, only rows from that id on are checked in the tables it names.
    """
    connection = connections[alias]
    quote = connection.ops.quote_name
    dangling: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in loaded_models():
            table = model._meta.db_table
            for f in model._meta.concrete_fields:
                if not (f.many_to_one or f.one_to_one) or not getattr(f, "db_constraint", True):
                    continue
                parent = f.related_model._meta.db_table  # type: ignore[union-attr]
                target = f.target_field.column  # type: ignore[attr-defined]
                sql = (
                    f"SELECT COUNT(*) FROM {quote(table)} c WHERE c.{quote(f.column)} IS NOT NULL "  # noqa: S608 -- model metadata
                    f"AND NOT EXISTS (SELECT 1 FROM {quote(parent)} p "
                    f"WHERE p.{quote(target)} = c.{quote(f.column)})"
                )
                params: list[Any] = []
                if since and table in since:
                    sql += " AND c.id >= %s"
                    params.append(since[table])
                cursor.execute(sql, params)
                row = cursor.fetchone()
                if row and row[0]:
                    dangling[f"{table}.{f.column}"] = int(row[0])
    return dangling
