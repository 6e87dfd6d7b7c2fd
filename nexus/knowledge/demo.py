"""Demo content of the reference guide, taken from the programme's journey document.

The ProDev journey document names the technologies and concepts the cohort
learns, the challenges met along the way and the best practices drawn from
them. `load_demo_knowledge` turns each into a real entry, written through the
services so that guides have their rendered HTML and first revision.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from nexus.accounts.models import User
from nexus.knowledge.models import Concept, Guide, Technology
from nexus.knowledge.services import concept_create, guide_create, technology_create

DEMO_REVISION_MESSAGE = "From the ProDev Backend journey document"
CHALLENGE_TAG = "challenge"

Category = Technology.Category
Kind = Guide.Kind


@dataclass(frozen=True)
class TechnologySpec:
    name: str
    slug: str
    category: str
    docs_url: str
    summary: str


@dataclass(frozen=True)
class ConceptSpec:
    name: str
    slug: str
    technologies: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class GuideSpec:
    title: str
    kind: str
    author_role: str
    technologies: tuple[str, ...]
    concepts: tuple[str, ...]
    tags: tuple[str, ...]
    body: str

    @property
    def slug(self) -> str:
        """The slug `guide_create` gives a new guide of this title."""
        return slugify(self.title)


TECHNOLOGIES: tuple[TechnologySpec, ...] = (
    TechnologySpec(
        name="Python",
        slug="python",
        category=Category.LANGUAGE,
        docs_url="https://docs.python.org/3/",
        summary=(
            "The language the whole programme is built on: readable, batteries-included and "
            "backed by a huge ecosystem of libraries. Get comfortable early with its data "
            "structures, comprehensions, type hints, exceptions and virtual environments, "
            "because Django, Celery and every test you write build on them."
        ),
    ),
    TechnologySpec(
        name="Django",
        slug="django",
        category=Category.FRAMEWORK,
        docs_url="https://docs.djangoproject.com/en/5.2/",
        summary=(
            "A high-level Python web framework that ships an ORM, migrations, an admin, "
            "authentication and sensible security defaults in one coherent package. Splitting "
            "a project into focused apps keeps it maintainable as it grows. Its documentation "
            "is among the best anywhere: do the tutorial, then read the topic guides."
        ),
    ),
    TechnologySpec(
        name="Django REST Framework",
        slug="django-rest-framework",
        category=Category.API,
        docs_url="https://www.django-rest-framework.org/",
        summary=(
            "A toolkit on top of Django for building RESTful APIs: serializers turn models "
            "into JSON and validate input, viewsets and routers give you endpoints with little "
            "code, and authentication, permissions, throttling and pagination are pluggable. "
            "Its browsable API lets you click through endpoints in a browser before any "
            "frontend exists, which makes debugging much easier."
        ),
    ),
    TechnologySpec(
        name="GraphQL",
        slug="graphql",
        category=Category.API,
        docs_url="https://graphql.org/learn/",
        summary=(
            "A query language for APIs and an alternative to REST: the client asks for exactly "
            "the fields it needs, in one request, against a typed schema. That removes the "
            "over- and under-fetching of fixed endpoints, but brings its own concerns such as "
            "query depth limits and N+1 queries in resolvers."
        ),
    ),
    TechnologySpec(
        name="Docker",
        slug="docker",
        category=Category.CONTAINER,
        docs_url="https://docs.docker.com/",
        summary=(
            "Packages an application with its runtime and dependencies into an image that "
            "runs the same way on any machine, as a container. A Dockerfile describes the build "
            "step by step; keep images small, pin versions and never bake secrets into them. "
            "It ends 'works on my machine' for both deployment and CI."
        ),
    ),
    TechnologySpec(
        name="Docker Compose",
        slug="docker-compose",
        category=Category.CONTAINER,
        docs_url="https://docs.docker.com/compose/",
        summary=(
            "Describes a multi-container application (app, database, cache, broker) in one "
            "YAML file and starts it with `docker compose up`. Services on the same Compose "
            "network reach each other by service name, such as `db` or `redis`, not by "
            "`localhost`. Health checks with `depends_on` conditions control the start-up order."
        ),
    ),
    TechnologySpec(
        name="CI/CD Pipelines",
        slug="ci-cd",
        category=Category.CI_CD,
        docs_url=(
            "https://docs.github.com/en/actions/about-github-actions/"
            "about-continuous-integration-with-github-actions"
        ),
        summary=(
            "Continuous integration builds and tests every change automatically; continuous "
            "delivery and deployment then ship the changes that pass, without manual steps. "
            "A good pipeline is fast, reproducible and fails loudly: lint, type-check, test, "
            "build the image, deploy. Start by running the tests on every push and add stages "
            "as the project grows."
        ),
    ),
    TechnologySpec(
        name="GitHub Actions",
        slug="github-actions",
        category=Category.CI_CD,
        docs_url="https://docs.github.com/en/actions",
        summary=(
            "GitHub's built-in automation: YAML workflows in `.github/workflows/` run jobs on "
            "pushes, pull requests or a schedule. A typical backend workflow checks out the "
            "code, installs dependencies, starts service containers such as PostgreSQL, then "
            "runs linters and tests. It is the quickest way to a first CI pipeline for a "
            "project hosted on GitHub."
        ),
    ),
    TechnologySpec(
        name="PostgreSQL",
        slug="postgresql",
        category=Category.DATABASE,
        docs_url="https://www.postgresql.org/docs/current/",
        summary=(
            "An open-source relational database known for correctness, rich types (JSON, "
            "arrays, ranges), full-text search and powerful indexes. It is Django's "
            "best-supported database and the usual production choice in the programme. Learn "
            "to read `EXPLAIN ANALYZE` and to design indexes around the queries you really run."
        ),
    ),
    TechnologySpec(
        name="MySQL",
        slug="mysql",
        category=Category.DATABASE,
        docs_url="https://dev.mysql.com/doc/",
        summary=(
            "A widely deployed open-source relational database, common in shared hosting and "
            "existing systems. Django supports it well, though collations, default isolation "
            "levels and strict modes differ from PostgreSQL. Knowing both helps you read the "
            "schemas and migrations of projects you join."
        ),
    ),
    TechnologySpec(
        name="Redis",
        slug="redis",
        category=Category.CACHE,
        docs_url="https://redis.io/docs/latest/",
        summary=(
            "An in-memory data store used as a cache, session store, rate-limit counter, "
            "pub/sub bus and lightweight queue. Reads and writes take microseconds, so caching "
            "expensive queries in it can cut response times dramatically. Cached data must "
            "expire or be invalidated when its source changes."
        ),
    ),
    TechnologySpec(
        name="RabbitMQ",
        slug="rabbitmq",
        category=Category.MESSAGING,
        docs_url="https://www.rabbitmq.com/docs",
        summary=(
            "A message broker: producers publish messages to exchanges, which route them to "
            "queues that consumers read. Acknowledgements, durable queues and dead-lettering "
            "mean work is not lost when a consumer crashes. In the programme it is the broker "
            "behind Celery."
        ),
    ),
    TechnologySpec(
        name="Celery",
        slug="celery",
        category=Category.MESSAGING,
        docs_url="https://docs.celeryq.dev/en/stable/",
        summary=(
            "A distributed task queue for Python: define tasks as functions, queue them with "
            "`.delay()`, and worker processes run them in the background through a broker such "
            "as RabbitMQ. Celery beat schedules periodic tasks. Keep tasks small and "
            "idempotent, pass ids rather than objects, and retry with backoff."
        ),
    ),
    TechnologySpec(
        name="Postman",
        slug="postman",
        category=Category.TESTING,
        docs_url="https://learning.postman.com/docs/",
        summary=(
            "An API client for sending requests, inspecting responses and saving them as "
            "shareable collections with environments and tests. It is handy for reproducing "
            "exactly what a frontend sends and for checking an endpoint's contract before a UI "
            "is wired up. A shared collection doubles as living documentation."
        ),
    ),
    TechnologySpec(
        name="Flower",
        slug="flower",
        category=Category.TOOLING,
        docs_url="https://flower.readthedocs.io/en/latest/",
        summary=(
            "A web dashboard for monitoring Celery: live workers, task states, runtimes, "
            "failures with their tracebacks, and remote control such as revoking tasks. Run it "
            "next to your workers to see which tasks are slow or failing instead of guessing "
            "from logs."
        ),
    ),
    TechnologySpec(
        name="FastAPI",
        slug="fastapi",
        category=Category.FRAMEWORK,
        docs_url="https://fastapi.tiangolo.com/",
        summary=(
            "A modern, async-first Python framework for building APIs, using type hints and "
            "Pydantic models for validation and generating OpenAPI documentation for free. It "
            "is light and fast, a popular choice for small services next to a larger Django "
            "system, and a good next step for exploring microservices."
        ),
    ),
)


CONCEPTS: tuple[ConceptSpec, ...] = (
    ConceptSpec(
        name="Database Design & Management",
        slug="database-design-management",
        technologies=("postgresql", "mysql", "django"),
        summary=(
            "Designing schemas that model the domain faithfully: tables, keys, relationships, "
            "constraints and the indexes your queries need. Normalise first, denormalise "
            "deliberately, and let the database enforce invariants with unique, foreign-key "
            "and check constraints. Management covers migrations, backups and watching query "
            "performance as the data grows."
        ),
    ),
    ConceptSpec(
        name="Asynchronous Programming",
        slug="asynchronous-programming",
        technologies=("python", "django", "celery", "fastapi"),
        summary=(
            "Doing other work instead of blocking while waiting on I/O, with `async`/`await` "
            "coroutines on an event loop or by handing work to background workers. In a web "
            "backend it keeps requests fast: emails, uploads and slow third-party calls happen "
            "outside the request. It helps I/O-bound work; CPU-bound work needs processes."
        ),
    ),
    ConceptSpec(
        name="Caching Strategies",
        slug="caching-strategies",
        technologies=("redis", "django"),
        summary=(
            "Keeping the results of expensive work close at hand so it is not repeated: per "
            "view, per fragment or per query, in process memory or in Redis. The hard part is "
            "invalidation, solved with expiries, versioned keys or explicit deletes when the "
            "data changes. Measure first, then cache the reads that are both hot and slow."
        ),
    ),
    ConceptSpec(
        name="Message Queues",
        slug="message-queues",
        technologies=("rabbitmq", "celery", "redis", "flower"),
        summary=(
            "A queue decouples whoever produces work from whoever does it: a request publishes "
            "a message and returns, and workers process it at their own pace. Queues absorb "
            "bursts, survive worker restarts and make retries possible. A message may be "
            "delivered more than once, so tasks must be idempotent."
        ),
    ),
    ConceptSpec(
        name="System Design",
        slug="system-design",
        technologies=("postgresql", "redis", "rabbitmq", "celery", "docker"),
        summary=(
            "Structuring a backend so it stays reliable and scalable as users and data grow: "
            "stateless app servers behind a load balancer, a database with replicas, caches, "
            "queues and clear boundaries. It is a matter of trade-offs (consistency against "
            "availability, simplicity against flexibility) and of knowing where the bottleneck "
            "is. Sketch the components and data flows before writing code."
        ),
    ),
    ConceptSpec(
        name="Microservices Architecture",
        slug="microservices-architecture",
        technologies=("django", "fastapi", "docker", "docker-compose", "rabbitmq"),
        summary=(
            "Splitting a system into small, independently deployable services that own their "
            "data and talk over HTTP APIs or messages. Parts can then scale and ship on their "
            "own, at the cost of network failures, distributed data and more operations work. "
            "Start from a well-structured monolith and extract a service only when a boundary "
            "is clear."
        ),
    ),
)


BEST_PRACTICES: tuple[GuideSpec, ...] = (
    GuideSpec(
        title="Write clean, modular code",
        kind=Kind.BEST_PRACTICE,
        author_role="mentor",
        technologies=("python", "django"),
        concepts=("system-design",),
        tags=("clean-code", "pep8", "code-review"),
        body="""\
Code is read far more often than it is written, by your reviewers, your
teammates and you in three months. Clean, modular code is what keeps a
Django project easy to change.

## Follow PEP 8, and let tools enforce it

- Use a formatter and a linter (for example `ruff format` and `ruff check`) so
  style is never a review topic.
- Name things for what they are: `accepted_solution`, not `sol2`; booleans read
  as facts (`is_published`).
- Add type hints to function signatures and run a type checker in CI.

## Keep Django apps small and focused

- One app per area of the domain (accounts, knowledge, challenges...), each
  with the same layout so anyone can find their way.
- Keep views thin: parse input, call a function that does the work, shape the
  output. Business rules in a `services.py` are easy to test and reuse from the
  API, the admin, a management command or a Celery task.
- Put reads that need joins in one place (`selectors.py`) so every caller gets
  the same `select_related`/`prefetch_related`.

## Small functions, clear contracts

A function should do one thing and say in its docstring what it promises and
what it raises. If you need a comment to explain *what* a block does, extract
it into a well-named function; keep comments for *why*.
""",
    ),
    GuideSpec(
        title="Test everything: unit, integration and API tests",
        kind=Kind.BEST_PRACTICE,
        author_role="mentor",
        technologies=("python", "django", "django-rest-framework", "postman", "github-actions"),
        concepts=(),
        tags=("testing", "pytest", "quality"),
        body="""\
Tests are what let you change code without fear. Aim for three layers:

1. **Unit tests** for functions with rules in them: a service that accepts a
   solution, a permission check, a serializer's validation.
2. **Integration tests** that touch the real database and the pieces around
   it: transactions, constraints, a task that is queued on commit.
3. **API endpoint tests** that call the real URL and check the status code,
   the JSON body and the error shape, just as a frontend would see them.

## Habits that pay off

- Use `pytest` with `pytest-django` and factories (factory_boy) instead of
  hand-built fixtures; each test builds only what it needs.
- Name tests as sentences: `test_author_cannot_vote_on_own_solution`.
- Test the refusals too: an anonymous user, a learner who is not the author,
  invalid input. Check that a refused action changed nothing.
- Assert query counts on list endpoints (`django_assert_num_queries`) so an
  N+1 query is caught before it reaches production.
- Run the whole suite in CI on every push; a test that only runs on your
  laptop protects nobody.

Manual checks in Postman are useful while exploring, but turn every bug you
find into an automated test so it never comes back.
""",
    ),
    GuideSpec(
        title="Use version control properly",
        kind=Kind.BEST_PRACTICE,
        author_role="mentor",
        technologies=("github-actions", "ci-cd"),
        concepts=(),
        tags=("git", "version-control", "code-review"),
        body="""\
Git history is the project's memory. Used well, it tells reviewers what changed
and why, and lets you find and undo a mistake in minutes.

## Commit often, in small steps

- One logical change per commit: a model and its migration, a fix and its
  test. Small commits are easy to review and easy to revert.
- Commit working states; run the tests before you commit.
- Never commit secrets, `.env` files, virtualenvs or build output: keep a good
  `.gitignore`.

## Write meaningful commit messages

- A short summary line in the imperative mood, under about 70 characters:
  `Add pagination to the guides list`.
- A body, when needed, explaining *why* the change was made, not a replay of
  the diff.
- Avoid messages like `fix`, `wip` or `changes`: they help nobody later.

## Branch and review

Work on a feature branch, open a pull request early, and let CI run on it.
Ask a peer for review and review others' work in return; it is one of the
fastest ways to learn.
""",
    ),
    GuideSpec(
        title="Share API docs clearly with frontend learners",
        kind=Kind.BEST_PRACTICE,
        author_role="mentor",
        technologies=("django-rest-framework", "graphql", "postman"),
        concepts=(),
        tags=("api-docs", "collaboration", "frontend"),
        body="""\
Frontend learners build against your API. Every question they have to ask is
a sign the documentation is missing something, so make the API explain itself.

## Publish a schema, not a chat message

- Generate an OpenAPI schema from the code (for Django REST Framework,
  drf-spectacular does this) and serve Swagger UI or ReDoc next to the API.
- For GraphQL, the schema *is* the documentation: add descriptions to types
  and fields and keep GraphiQL available in development.
- Share a Postman collection with example requests for the main flows: sign
  up, get a token, list, create, edit.

## Document what clients really need

- Every field, with its type and whether it is required or read-only.
- Authentication: which header, how to refresh a token.
- Pagination, filtering and ordering parameters.
- The error format and the status codes an endpoint can return, with examples.

## Keep it stable

Version the API (`/api/v1/`), never rename or remove a field without warning,
and announce changes in the channel the frontend learners actually read.
""",
    ),
    GuideSpec(
        title="Think about scalability early",
        kind=Kind.BEST_PRACTICE,
        author_role="mentor",
        technologies=("redis", "celery", "rabbitmq", "docker", "postgresql"),
        concepts=(
            "caching-strategies",
            "asynchronous-programming",
            "message-queues",
            "system-design",
        ),
        tags=("scalability", "performance", "caching"),
        body="""\
You don't need to build for a million users on day one, but a few early
decisions make scaling later a configuration change instead of a rewrite.

## Keep the web tier stateless

Store sessions, caches and uploads outside the app process (database, Redis,
object storage). Then you can run several app containers behind a load
balancer such as nginx without sticky sessions.

## Plan for caching

- Know your hot reads: the list pages and details everyone opens.
- Fetch them in a fixed number of queries first (`select_related`,
  `prefetch_related`), then cache them in Redis with keys that writes
  invalidate.

## Move slow work out of the request

Emails, notifications, report generation and calls to third-party APIs belong
in Celery tasks on a broker such as RabbitMQ. The request returns quickly, and
the work is retried if it fails.

## Measure before optimising

Add indexes for the queries you actually run, watch response times and query
counts, and load-test the endpoints that matter. Optimise the bottleneck you
can see, not the one you imagine.
""",
    ),
)


TAKEAWAYS: tuple[GuideSpec, ...] = (
    GuideSpec(
        title="Keep learning: backend engineering keeps evolving",
        kind=Kind.TAKEAWAY,
        author_role="learner",
        technologies=("python", "fastapi"),
        concepts=("system-design", "microservices-architecture"),
        tags=("learning", "career"),
        body="""\
The programme taught me a stack, but the biggest takeaway is that the stack
keeps moving: new Python releases, new Django versions, new ways to deploy.
What lasts is the habit of learning.

What I'm doing to keep it going:

- **Read the official docs first.** Django's and Python's documentation answer
  most questions better than a random tutorial.
- **Build small things.** Each new idea (a FastAPI service, a GraphQL schema, a
  Celery beat schedule) gets a tiny project of its own.
- **Go deeper on system design and scalability**: how caches, queues, replicas
  and load balancers fit together.
- **Contribute to open-source backend projects**, starting with documentation
  and small bug fixes.
- **Write down what I learn**, here in the hub, so the next cohort can find it,
  and mentor future ProDev learners when I can.
""",
    ),
)


CHALLENGES: tuple[GuideSpec, ...] = (
    GuideSpec(
        title="Setting up CI/CD for the first time",
        kind=Kind.TAKEAWAY,
        author_role="learner",
        technologies=("github-actions", "ci-cd", "docker", "python"),
        concepts=(),
        tags=(CHALLENGE_TAG, "ci-cd", "testing"),
        body="""\
## Challenge

Automating the build and deployment was hard the first time. I didn't know
where to start: the pipeline failed on things that worked on my machine, the
tests needed a database that wasn't there, and every fix meant another push
and another wait.

## Solution

I learned GitHub Actions and built the pipeline up one step at a time:

1. A workflow in `.github/workflows/ci.yml` that runs on every push and pull
   request: check out the code, set up Python, install the locked dependencies.
2. Run the linters and the test suite, so a broken change is caught before it
   is merged.
3. Start PostgreSQL and Redis as **service containers** in the job, and point
   the app at them with environment variables, the same way it is configured
   in production.
4. Only once the tests were green and reliable: build the Docker image and
   deploy it from the main branch.

Caching dependencies made the runs fast enough to wait for, and the failing
runs' logs became the place to look first.

## What I'd tell the next cohort

Start with "run the tests on every push" and nothing else. A small pipeline
that always works beats an ambitious one that is always red.
""",
    ),
    GuideSpec(
        title="Debugging complex API integration with frontend",
        kind=Kind.TAKEAWAY,
        author_role="learner",
        technologies=("django-rest-framework", "postman", "django"),
        concepts=(),
        tags=(CHALLENGE_TAG, "debugging", "api-docs", "collaboration"),
        body="""\
## Challenge

The data the frontend sent and expected didn't match what the backend
produced: field names in different cases, dates in different formats, nested
objects where the frontend expected ids, and error responses it couldn't
parse. Each side was sure the bug was on the other side.

## Solution

I tested every endpoint thoroughly, outside the frontend:

- **Postman** to replay exactly the requests the frontend sent (headers, token,
  body) and save them as a shared collection with example responses.
- The **DRF browsable API** to click through endpoints, see the serializer's
  fields and try writes in the browser.
- Serializer validation errors read closely: they usually named the exact
  field that was wrong.

Then we fixed the contract rather than the symptoms: one agreed JSON shape per
resource, ISO 8601 timestamps, one error format, all written down in the API
docs, with API tests on the backend so it can't drift again.

## What I'd tell the next cohort

Agree on the request and response shapes *before* either side writes code, and
keep a Postman collection both sides can run.
""",
    ),
    GuideSpec(
        title="Managing asynchronous tasks with Celery & RabbitMQ",
        kind=Kind.TAKEAWAY,
        author_role="learner",
        technologies=("celery", "rabbitmq", "flower"),
        concepts=("message-queues", "asynchronous-programming"),
        tags=(CHALLENGE_TAG, "celery", "background-jobs"),
        body="""\
## Challenge

Long-running background tasks kept failing: they hit time limits, died
halfway when a worker restarted, and when they were retried they did part of
the work twice. From the logs alone it was hard to tell what had happened.

## Solution

- **Broke the tasks into smaller units.** Instead of one task that processed
  everything, a task per item (passing ids, not objects), chained or grouped
  with Celery's canvas. Each unit is quick, and a failure only retries a small
  piece.
- **Made each task idempotent**, so running it twice has the same effect as
  once: check whether the work was already done before doing it.
- **Retried with backoff** (`autoretry_for`, `retry_backoff`) for temporary
  failures such as a network error, with a limit on attempts.
- **Used Flower to monitor execution**: which workers were alive, which tasks
  were slow, failing or stuck, with their tracebacks.

## What I'd tell the next cohort

Design tasks for failure from the start: small, idempotent and observable.
RabbitMQ will deliver the message again; make sure that is harmless.
""",
    ),
    GuideSpec(
        title="Dockerizing Django apps with proper networking",
        kind=Kind.TAKEAWAY,
        author_role="learner",
        technologies=("docker", "docker-compose", "django", "postgresql", "redis"),
        concepts=("system-design",),
        tags=(CHALLENGE_TAG, "docker", "networking"),
        body="""\
## Challenge

The Django container couldn't connect to the database container. The settings
said `localhost`, which inside a container means the container itself, and
even with the right host the app sometimes started before the database was
ready to accept connections.

## Solution

I used Docker Compose to manage the containers for the app, the database and
the cache together:

- All services share the Compose network, so the app reaches the database by
  its **service name**: `DATABASE_URL=postgres://nexus:nexus@db:5432/nexus`,
  and Redis at `redis://redis:6379/0`.
- A **health check** on the database (`pg_isready`) and
  `depends_on: {db: {condition: service_healthy}}` on the app, so it starts only
  when the database is ready.
- Configuration through **environment variables**, so the same image runs
  locally, in CI and in production.
- A named **volume** for the database data, so it survives `docker compose down`.

## What I'd tell the next cohort

`localhost` inside a container is the container. Use service names, and use
health checks instead of sleeping and hoping.
""",
    ),
)

GUIDES: tuple[GuideSpec, ...] = BEST_PRACTICES + TAKEAWAYS + CHALLENGES


def _load_technologies(actor: User) -> dict[str, str]:
    """Create missing technologies; returns each demo slug's slug in the database."""
    slugs: dict[str, str] = {}
    for spec in TECHNOLOGIES:
        existing = Technology.objects.filter(Q(slug=spec.slug) | Q(name__iexact=spec.name)).first()
        if existing is None:
            existing = technology_create(
                actor=actor,
                data={
                    "name": spec.name,
                    "slug": spec.slug,
                    "category": spec.category,
                    "summary": spec.summary,
                    "docs_url": spec.docs_url,
                },
            )
        slugs[spec.slug] = existing.slug
    return slugs


def _load_concepts(actor: User, technology_slugs: dict[str, str]) -> dict[str, str]:
    """Create missing concepts; returns each demo slug's slug in the database."""
    slugs: dict[str, str] = {}
    for spec in CONCEPTS:
        existing = Concept.objects.filter(Q(slug=spec.slug) | Q(name__iexact=spec.name)).first()
        if existing is None:
            existing = concept_create(
                actor=actor,
                data={
                    "name": spec.name,
                    "slug": spec.slug,
                    "summary": spec.summary,
                    "technologies": [technology_slugs[slug] for slug in spec.technologies],
                },
            )
        slugs[spec.slug] = existing.slug
    return slugs


def _load_guides(
    people: dict[str, User], technology_slugs: dict[str, str], concept_slugs: dict[str, str]
) -> None:
    for spec in GUIDES:
        if Guide.objects.filter(slug=spec.slug).exists():
            continue
        guide_create(
            actor=people[spec.author_role],
            data={
                "title": spec.title,
                "body": spec.body,
                "kind": spec.kind,
                "status": Guide.Status.PUBLISHED,
                "technologies": [technology_slugs[slug] for slug in spec.technologies],
                "concepts": [concept_slugs[slug] for slug in spec.concepts],
                "tags": list(spec.tags),
                "message": DEMO_REVISION_MESSAGE,
            },
        )


@transaction.atomic
def load_demo_knowledge(people: dict[str, User]) -> None:
    """Create the journey document's technologies, concepts and guides if missing.

    `people` are the demo users by role ("learner", "mentor", "staff"): the
    mentor adds the technologies and writes the best practices, staff adds the
    concepts, the learner writes the takeaways and challenges. Entries are
    found by slug (technologies and concepts also by name) and never changed,
    so running it again creates and changes nothing.
    """
    technology_slugs = _load_technologies(people["mentor"])
    concept_slugs = _load_concepts(people["staff"], technology_slugs)
    _load_guides(people, technology_slugs, concept_slugs)
