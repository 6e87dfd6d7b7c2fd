"""What seeded content says: titles and bodies composed from backend topics.

Text is built from phrases a backend cohort really writes (connection pools,
N+1 queries, Celery retries...), around the technologies and concepts each
row links to, so search over seeded data has real words to find and rank.

Rendering a million bodies through markdown would take longer than loading
them, so prose is kept to a safe alphabet and its HTML is written directly,
exactly as `render_markdown` would write it; anything outside that alphabet,
and every code block, goes through the real renderer (code blocks once, at
start). The loader checks a sample against `render_markdown` on every run.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from random import Random
from typing import Final

from nexus.core.markdown import render_markdown

# Prose of only these characters, starting with a letter, renders to one plain
# <p>, provided "_" sits inside words (never emphasis) and "&" before a space
# (never an entity).
_NOT_PLAIN: Final = re.compile(r"[^A-Za-z0-9 ,.:;?()/'%+=\"_&-]")
_LOOSE_UNDERSCORE: Final = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_ENTITY_LIKE: Final = re.compile(r"&(?! )")


def paragraph_html(text: str) -> str:
    """`render_markdown(text)` for one paragraph, fast when the text is plain prose."""
    if (
        text[:1].isalpha()
        and text[:1].isascii()
        and text == text.rstrip()
        and not _NOT_PLAIN.search(text)
        and ("_" not in text or not _LOOSE_UNDERSCORE.search(text))
        and ("&" not in text or not _ENTITY_LIKE.search(text))
    ):
        return f"<p>{text.replace('&', '&amp;')}</p>\n"
    return render_markdown(text)


@dataclass(frozen=True)
class Body:
    markdown: str
    html: str


def join(blocks: list[tuple[str, str]]) -> Body:
    """Blocks of (markdown, html), separated by blank lines, render to their concatenation."""
    return Body("\n\n".join(md for md, _ in blocks), "".join(html for _, html in blocks))


PROBLEMS: Final = (
    "N+1 queries",
    "connection pool exhaustion",
    "slow migrations",
    "deadlocks",
    "stale cache entries",
    "duplicate task execution",
    "memory growth",
    "request timeouts",
    "race conditions",
    "flaky tests",
    "serialization errors",
    "permission leaks",
    "broken cursor pagination",
    "CSRF failures",
    "long-running transactions",
    "lock contention",
    "missing indexes",
    "unbounded queries",
    "retry storms",
    "lost messages",
    "container restarts",
    "high p99 latency",
    "expired tokens",
    "CORS errors",
    "slow full-text search",
    "cache stampedes",
    "integrity errors",
    "timezone bugs",
    "encoding errors",
    "webhook failures",
)
ACTIONS: Final = (
    "paginating a million rows",
    "running migrations on a busy table",
    "retrying failed Celery tasks",
    "caching the challenge list",
    "uploading large files",
    "refreshing JWT tokens",
    "sending webhooks to Discord",
    "bulk importing users",
    "running the test suite in CI",
    "deploying with Docker Compose",
    "resolving nested GraphQL fields",
    "ordering by score",
    "filtering by technology",
    "aggregating votes",
    "streaming large responses",
    "reading from a replica",
    "scheduling periodic jobs",
    "publishing events to RabbitMQ",
    "building a search index",
    "serving static files",
    "rotating refresh tokens",
    "rate limiting the login endpoint",
    "renaming a column",
    "adding a unique constraint",
    "seeding test data",
    "profiling a slow endpoint",
    "connecting over WebSockets",
    "sending email in the background",
    "exporting a report",
    "counting rows for pagination",
)
SYMPTOMS: Final = (
    "returns stale data",
    "hangs forever",
    "uses too much memory",
    "runs the same query hundreds of times",
    "loses messages",
    "drops connections",
    "returns 500 errors",
    "gets slower every week",
    "times out under load",
    "deadlocks under concurrency",
    "ignores the index",
    "runs tasks twice",
    "logs users out",
    "fails only in CI",
    "blocks every other request",
    "returns duplicate rows",
)
COMPONENTS: Final = (
    "API",
    "worker",
    "list endpoint",
    "admin page",
    "scheduler",
    "database",
    "cache layer",
    "test run",
    "container",
    "serializer",
    "resolver",
    "migration",
)
PROJECTS: Final = (
    "the capstone project",
    "an e-commerce backend",
    "a job board API",
    "a movie recommendation service",
    "a chat application",
    "a social media feed",
    "a booking system",
    "a payment service",
    "a polling app",
    "a learning management system",
    "an inventory tracker",
    "a URL shortener",
)
FIXES: Final = (
    "select_related and prefetch_related",
    "a composite index on the filter columns",
    "cursor pagination instead of offsets",
    "an idempotency key on the task",
    "select_for_update inside the transaction",
    "transaction.on_commit for the task",
    "a shorter cache timeout",
    "versioned cache keys",
    "a connection pooler in front of PostgreSQL",
    "bulk_create in batches",
    "a partial index",
    "a retry with exponential backoff",
    "acks_late with a visibility timeout",
    "a health check on the container",
    "only and defer on the queryset",
    "a database constraint instead of a check in Python",
    "a dataloader for the nested field",
    "F expressions for the counter",
    "a read-only transaction",
    "an explicit timeout on the client",
)
CAUSES: Final = (
    "every row loads its author in a separate query",
    "the transaction holds a lock while it waits on the network",
    "the task is queued before the transaction commits",
    "the offset forces the database to walk every skipped row",
    "the cache key does not change when the data does",
    "two workers update the same counter without a lock",
    "the index does not match the ordering of the query",
    "the default timeout is infinite",
    "the serializer touches a relation that was never prefetched",
    "the queryset is evaluated once per item in a loop",
    "the connection is opened per request and never reused",
    "the migration rewrites the whole table",
)
OUTCOMES: Final = (
    "nothing changed",
    "it only helped a little",
    "it got worse under load",
    "the tests still fail in CI",
    "the error moved somewhere else",
    "it works locally but not in the container",
)
ENVIRONMENTS: Final = (
    "Docker Compose on a laptop",
    "GitHub Actions",
    "a small VPS",
    "the staging server",
    "a Kubernetes cluster",
    "Python 3.11 on Debian",
)
UNITS: Final = ("rows", "requests per second", "users", "tasks per minute", "messages an hour")
TOPICS: Final = (
    "indexing for cursor pagination",
    "retries with idempotent tasks",
    "caching reads without stale data",
    "testing with exact query counts",
    "zero-downtime migrations",
    "structuring services and selectors",
    "securing JWT authentication",
    "designing GraphQL types",
    "full-text search with ranking",
    "observability with structured logs",
    "containerising a Django app",
    "background jobs that survive restarts",
    "rate limiting and throttling",
    "modelling many-to-many relations",
    "writing a CI pipeline",
)
GUIDE_TITLES: Final = (
    "{tech}: {topic}",
    "A practical guide to {topic} with {tech}",
    "{topic} in {tech}, step by step",
)
CHAT: Final = (
    "Has anyone seen {problem} with {tech} when {action}?",
    "Pairing session on {topic} this evening, who is in?",
    "Just pushed my {tech} fix for {problem}, reviews welcome.",
    "Reminder: the {tech} workshop covers {topic} tomorrow.",
    "Does anyone have a good resource on {topic}?",
    "I finally understand {problem}: it was {cause}.",
    "Stuck on {action} with {tech} for two hours now.",
    "Tip: {fix} solved {problem} for me.",
)
COMMENTS: Final = (
    "Did you check whether {cause}?",
    "This also happened to me with {tech}; {fix} helped.",
    "Thanks, {fix} fixed it for me too.",
    "Can you share the query plan for the slow part?",
    "Which version of {tech} are you on?",
    "Same issue here when {action}.",
    "Worth adding a test with an exact query count for this.",
    "I would also look at {fix}.",
)
FIRST_NAMES: Final = (
    "Amara", "Kofi", "Tendai", "Nia", "Chidi", "Zara", "Tunde", "Lerato", "Ayo", "Imani",
    "Kwame", "Fatima", "Sipho", "Wanjiru", "Emeka", "Halima", "Jabari", "Naledi", "Yaw",
    "Ama", "Thabo", "Adaeze", "Musa", "Zainab", "Kato", "Efua", "Bayo", "Nandi", "Ousmane",
    "Aisha", "Lindiwe", "Femi", "Kagiso", "Esi", "Obinna", "Rudo", "Sekou", "Mpho",
)  # fmt: skip
LAST_NAMES: Final = (
    "Okafor", "Mensah", "Moyo", "Kamau", "Adeyemi", "Banda", "Diallo", "Nkosi", "Osei",
    "Mwangi", "Abubakar", "Dlamini", "Asante", "Otieno", "Eze", "Phiri", "Toure", "Ndlovu",
    "Boateng", "Okonkwo", "Kariuki", "Sithole", "Appiah", "Chukwu", "Zulu", "Keita",
)  # fmt: skip
TAG_NAMES: Final = (
    "performance", "orm", "migrations", "testing", "deployment", "security", "authentication",
    "caching", "async", "debugging", "api-design", "pagination", "indexing", "transactions",
    "background-jobs", "websockets", "search", "docker", "ci", "graphql-schema", "logging",
    "monitoring", "data-modelling", "rate-limiting",
)  # fmt: skip
CODE_SNIPPETS: Final = tuple(
    "\n".join(lines)
    for lines in (
        (
            "```python",
            'challenges = Challenge.objects.select_related("author").prefetch_related("tags")',
            "for challenge in challenges[:20]:",
            "    print(challenge.author.username, challenge.tags.all())",
            "```",
        ),
        (
            "```python",
            "@shared_task(bind=True, acks_late=True, max_retries=5)",
            "def send_digest(self, user_id):",
            "    user = User.objects.get(pk=user_id)",
            "    deliver(user)",
            "```",
        ),
        (
            "```sql",
            "EXPLAIN ANALYZE",
            "SELECT id, title FROM challenges_challenge",
            "ORDER BY created_at DESC, id DESC",
            "LIMIT 20;",
            "```",
        ),
        (
            "```python",
            "with transaction.atomic():",
            "    account = Account.objects.select_for_update().get(pk=pk)",
            '    account.balance = F("balance") - amount',
            '    account.save(update_fields=["balance"])',
            "```",
        ),
        (
            "```yaml",
            "services:",
            "  web:",
            "    build: .",
            "    depends_on:",
            "      db:",
            "        condition: service_healthy",
            "```",
        ),
        (
            "```python",
            "transaction.on_commit(lambda: notify_followers.delay(challenge.pk))",
            "```",
        ),
        (
            "```python",
            "class Meta:",
            '    indexes = [models.Index(fields=["status", "-created_at"])]',
            "```",
        ),
        (
            "```graphql",
            "query {",
            "  challenges(limit: 20) {",
            "    id",
            "    title",
            "    author { username }",
            "  }",
            "}",
            "```",
        ),
        ("```bash", "celery -A nexus worker --loglevel INFO --concurrency 2", "```"),
        (
            "```python",
            'cache.set(f"challenges:v{version}:page:1", payload, timeout=300)',
            "```",
        ),
    )
)
RENDERED_CODE: Final = tuple((snippet, render_markdown(snippet)) for snippet in CODE_SNIPPETS)
DEFAULT_TECHS: Final = ("Django", "PostgreSQL", "Celery")
VOCABULARY: Final[dict[str, tuple[str, ...]]] = {
    "problem": PROBLEMS,
    "action": ACTIONS,
    "symptom": SYMPTOMS,
    "component": COMPONENTS,
    "fix": FIXES,
    "cause": CAUSES,
    "topic": TOPICS,
}


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    """The names a template fills, each once."""
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name)
    return tuple(dict.fromkeys(names))


class Composer:
    """Composes seeded text from a random source; the same seed says the same things."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def _fill(self, template: str, techs: list[str], concepts: list[str]) -> str:
        rng = self.rng
        values: dict[str, str] = {}
        for name in _fields(template):
            if name == "tech":
                values[name] = techs[0] if techs else rng.choice(DEFAULT_TECHS)
            elif name == "other":
                values[name] = techs[-1] if techs else rng.choice(DEFAULT_TECHS)
            elif name == "concept":
                values[name] = concepts[0] if concepts else rng.choice(TOPICS)
            else:
                values[name] = rng.choice(VOCABULARY[name])
        return template.format_map(values)

    def _paragraph(self, template: str, techs: list[str], concepts: list[str]) -> tuple[str, str]:
        text = self._fill(template, techs, concepts)
        return text, paragraph_html(text)

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def bio(self, techs: list[str]) -> str:
        return self._fill("Learning {tech} and {other}; currently working on {topic}.", techs, [])

    def challenge_title(self, techs: list[str], concepts: list[str]) -> str:
        template = self.rng.choice(
            (
                "{problem} in {tech} when {action}",
                "How do I avoid {problem} with {tech} when {action}?",
                "{tech} {component} {symptom} after {action}",
                "Why does the {tech} {component} {symptom}?",
                "{problem} with {tech} and {other} while {action}",
                "Best way to handle {problem} in {tech}",
                "{tech}: {problem} when {action}",
            )
        )
        title = self._fill(template, techs, concepts)
        return title[0].upper() + title[1:200]

    def challenge_body(self, techs: list[str], concepts: list[str]) -> Body:
        rng = self.rng
        project = rng.choice(PROJECTS)
        blocks = [
            self._paragraph(
                f"I am working on {project} with {{tech}} and {{other}}. When {{action}}, "
                "the {component} {symptom}.",
                techs,
                concepts,
            ),
            self._paragraph(
                "I tried {fix} and read about {concept}, but " + rng.choice(OUTCOMES) + ".",
                techs,
                concepts,
            ),
        ]
        if rng.random() < 0.35:
            blocks.append(rng.choice(RENDERED_CODE))
        blocks.append(
            self._paragraph(
                f"This happens on {rng.choice(ENVIRONMENTS)} with about "
                f"{rng.choice((500, 2000, 10000, 50000, 1000000))} {rng.choice(UNITS)}. "
                "What is the right way to avoid {problem} here, and how do I test it?",
                techs,
                concepts,
            )
        )
        return join(blocks)

    def solution_body(self, techs: list[str], concepts: list[str]) -> Body:
        rng = self.rng
        blocks = [
            self._paragraph(
                "The cause is that {cause}. With {tech} the usual fix is {fix}.", techs, concepts
            )
        ]
        if rng.random() < 0.5:
            blocks.append(rng.choice(RENDERED_CODE))
        blocks.append(
            self._paragraph(
                "After the change, measure it again: the {component} should stop showing "
                "{problem}, and a test with an exact query count keeps it that way.",
                techs,
                concepts,
            )
        )
        return join(blocks)

    def comment(self, techs: list[str]) -> Body:
        return join([self._paragraph(self.rng.choice(COMMENTS), techs, [])])

    def message(self, techs: list[str]) -> Body:
        return join([self._paragraph(self.rng.choice(CHAT), techs, [])])

    def guide(self, techs: list[str], concepts: list[str]) -> tuple[str, str]:
        """A guide's (title, markdown); guides are few, so the loader renders them fully."""
        rng = self.rng
        title = self._fill(rng.choice(GUIDE_TITLES), techs, concepts)
        sections = [
            "## Why it matters",
            self._fill(
                "Sooner or later every {tech} project meets {problem}. It usually shows when "
                "{action}, and the cause is that {cause}.",
                techs,
                concepts,
            ),
            "## What to do",
            self._fill(
                "Reach for {fix}. It keeps the {component} predictable, and pairs well with "
                "what you know of {concept}.",
                techs,
                concepts,
            ),
            rng.choice(CODE_SNIPPETS),
            "## How to check it",
            self._fill(
                "Write a test that fails before the change, then watch the numbers while {action}.",
                techs,
                concepts,
            ),
        ]
        return title[0].upper() + title[1:200], "\n\n".join(sections)
