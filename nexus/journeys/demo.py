"""The demo learner's goals and journal, from the programme's journey document.

The journey document lists the technologies learned, the concepts studied,
the best practices and takeaways, and four next steps. `load_demo_journeys`
turns each into the demo learner's own record: a done goal per technology or
concept (with the learner's demo challenges, guides and review request as
evidence), an open goal per next step, and dated journal entries of their
takeaways, linked to the challenges they came from. Written through the
services, so the demo journey (`/api/v1/users/demo-learner/journey.md`) is
assembled exactly as a real one would be, and covers every section.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent
from typing import Any

from django.db import transaction
from django.db.models import Q

from nexus.accounts.models import User
from nexus.challenges.demo import CHALLENGES as DEMO_CHALLENGES
from nexus.challenges.models import Challenge
from nexus.collaboration.models import ReviewRequest
from nexus.journeys import services
from nexus.journeys.models import Goal, JournalEntry
from nexus.knowledge.demo import CHALLENGES as CHALLENGE_GUIDES
from nexus.knowledge.demo import CONCEPTS, TECHNOLOGIES
from nexus.knowledge.models import Concept, Guide, Technology

LEARNER = "learner"
# Who the demo learner is in nexus.accounts.demo, should `people` not say.
LEARNER_EMAIL = "learner@demo.nexus"
# The demo challenges, by the journey document's numbering.
CI_CD, API_INTEGRATION, CELERY, DOCKER = 0, 1, 2, 3
# The learner's review request in the collaboration demo.
REVIEW_URL = "https://github.com/prodev-demo/nexus-client/pull/1"

Kind, Status = Goal.Kind, Goal.Status
Visibility = JournalEntry.Visibility


def _text(markdown: str) -> str:
    return dedent(markdown).strip()


@dataclass(frozen=True)
class GoalSpec:
    title: str
    kind: str
    status: str
    progress: int
    technologies: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    description: str = ""
    target_date: str | None = None
    challenges: tuple[int, ...] = ()  # evidence: the demo challenges, by number
    guides: tuple[int, ...] = ()  # evidence: the learner's challenge takeaways, by number
    review: bool = False  # evidence: the learner's review request
    urls: tuple[tuple[str, str], ...] = ()  # evidence: (url, note)


GOALS: tuple[GoalSpec, ...] = (
    # Key technologies learned.
    GoalSpec(
        title="Learn Python, the core language for backend development",
        kind=Kind.LEARN,
        status=Status.DONE,
        progress=100,
        technologies=("python",),
        challenges=(CI_CD,),
    ),
    GoalSpec(
        title="Learn Django to build scalable web apps",
        kind=Kind.LEARN,
        status=Status.DONE,
        progress=100,
        technologies=("django",),
        challenges=(DOCKER,),
        guides=(DOCKER,),
    ),
    GoalSpec(
        title="Build RESTful APIs with Django REST Framework",
        kind=Kind.BUILD,
        status=Status.DONE,
        progress=100,
        technologies=("django-rest-framework", "django"),
        challenges=(API_INTEGRATION,),
        guides=(API_INTEGRATION,),
        review=True,
    ),
    GoalSpec(
        title="Learn GraphQL as a flexible alternative to REST",
        kind=Kind.LEARN,
        status=Status.DONE,
        progress=100,
        technologies=("graphql",),
        urls=(("https://graphql.org/learn/", "Worked through the official GraphQL course"),),
    ),
    GoalSpec(
        title="Containerize Django apps with Docker",
        kind=Kind.LEARN,
        status=Status.DONE,
        progress=100,
        technologies=("docker", "docker-compose"),
        challenges=(DOCKER,),
        guides=(DOCKER,),
    ),
    GoalSpec(
        title="Automate build, test and deploy with a CI/CD pipeline",
        kind=Kind.BUILD,
        status=Status.DONE,
        progress=100,
        technologies=("ci-cd", "github-actions"),
        challenges=(CI_CD,),
        guides=(CI_CD,),
    ),
    # Important backend development concepts.
    GoalSpec(
        title="Design databases: schemas, relationships and queries",
        kind=Kind.DEEPEN,
        status=Status.DONE,
        progress=100,
        technologies=("postgresql", "mysql"),
        concepts=("database-design-management",),
        challenges=(DOCKER,),
    ),
    GoalSpec(
        title="Use asynchronous programming for concurrency and performance",
        kind=Kind.DEEPEN,
        status=Status.DONE,
        progress=100,
        concepts=("asynchronous-programming",),
        challenges=(CELERY,),
    ),
    GoalSpec(
        title="Speed up responses with caching strategies",
        kind=Kind.DEEPEN,
        status=Status.DONE,
        progress=100,
        technologies=("redis",),
        concepts=("caching-strategies",),
        urls=(
            (
                "https://docs.djangoproject.com/en/5.2/topics/cache/",
                "Per-view and low-level caching with Redis, from Django's cache framework",
            ),
        ),
    ),
    GoalSpec(
        title="Run background jobs with RabbitMQ and Celery",
        kind=Kind.DEEPEN,
        status=Status.DONE,
        progress=100,
        technologies=("celery", "rabbitmq", "flower"),
        concepts=("message-queues",),
        challenges=(CELERY,),
        guides=(CELERY,),
    ),
    # Next steps.
    GoalSpec(
        title="Contribute to open-source backend projects",
        kind=Kind.CONTRIBUTE,
        status=Status.ACTIVE,
        progress=10,
        technologies=("python", "django"),
        target_date="2027-01-31",
        description=_text(
            """
            Start with documentation fixes and small bugs in the projects I use
            every day, then take on a ticket of my own.
            """
        ),
        urls=(
            (
                "https://docs.djangoproject.com/en/dev/internals/contributing/",
                "Where I'm starting: Django's contributing guide",
            ),
        ),
    ),
    GoalSpec(
        title="Deepen knowledge of system design & scalability",
        kind=Kind.DEEPEN,
        status=Status.ACTIVE,
        progress=30,
        technologies=("redis", "postgresql"),
        concepts=("system-design", "caching-strategies"),
        target_date="2027-03-31",
        description=_text(
            """
            Load balancing, read replicas, caching layers and queues: how the
            pieces of a reliable backend fit together, and when each is worth it.
            """
        ),
        challenges=(DOCKER,),
    ),
    GoalSpec(
        title="Explore microservices architecture with Django + FastAPI",
        kind=Kind.LEARN,
        status=Status.PLANNED,
        progress=0,
        technologies=("django", "fastapi"),
        concepts=("microservices-architecture",),
        target_date="2027-06-30",
    ),
    GoalSpec(
        title="Mentor future ProDev learners",
        kind=Kind.MENTOR,
        status=Status.PLANNED,
        progress=0,
        target_date="2027-09-30",
        description=_text(
            """
            Pay it forward: answer the next cohort's challenges, review their
            code and share what these months taught me.
            """
        ),
    ),
)


@dataclass(frozen=True)
class EntrySpec:
    date: str
    title: str
    visibility: str
    technologies: tuple[str, ...]
    body: str
    challenges: tuple[int, ...] = ()


ENTRIES: tuple[EntrySpec, ...] = (
    EntrySpec(
        date="2026-02-20",
        title="Write clean, modular code",
        visibility=Visibility.PUBLIC,
        technologies=("python", "django"),
        body=_text(
            """
            Follow PEP 8 and Django's best practices, and let the tools enforce
            them: `ruff format` and `ruff check` before every commit means style
            never comes up in a review. Thin views, business rules in services,
            reads in selectors: the same layout in every app, so anyone can find
            their way.
            """
        ),
    ),
    EntrySpec(
        date="2026-03-13",
        title="Test everything: unit, integration and API tests",
        visibility=Visibility.PUBLIC,
        technologies=("python", "django-rest-framework"),
        body=_text(
            """
            My first API test with an exact query count caught a list that ran
            one query per row. Unit tests for services, API tests through the real
            URL for status and error shape, and the same count again with three
            times the rows.
            """
        ),
    ),
    EntrySpec(
        date="2026-03-27",
        title="CI/CD: the runner is not my laptop",
        visibility=Visibility.PUBLIC,
        technologies=("github-actions", "ci-cd", "postgresql"),
        challenges=(CI_CD,),
        body=_text(
            """
            Tests passed locally and failed on GitHub Actions: the runner had no
            PostgreSQL. A service container with a health check fixed it, and
            secrets live in the repository settings, never in `settings.py`.
            Build the pipeline in small steps: test, then build, then deploy from
            `main` only.
            """
        ),
    ),
    EntrySpec(
        date="2026-04-17",
        title="Use version control properly",
        visibility=Visibility.PUBLIC,
        technologies=(),
        body=_text(
            """
            Commit often, one change per commit, with a message that says why.
            Small pull requests get reviewed the same day; large ones wait a week.
            """
        ),
    ),
    EntrySpec(
        date="2026-05-08",
        title="Share API docs clearly with frontend learners",
        visibility=Visibility.PUBLIC,
        technologies=("django-rest-framework", "graphql", "postman"),
        challenges=(API_INTEGRATION,),
        body=_text(
            """
            The data "never matched" because we read different versions of the
            contract. Now the OpenAPI schema is the contract: every endpoint has a
            summary, its errors and an example, and I test endpoints in Postman
            and the browsable API before telling anyone they are ready.
            """
        ),
    ),
    EntrySpec(
        date="2026-06-12",
        title="Celery: small tasks, watched in Flower",
        visibility=Visibility.COHORT,
        technologies=("celery", "rabbitmq", "flower"),
        challenges=(CELERY,),
        body=_text(
            """
            Long-running tasks kept failing. Breaking them into small, idempotent
            units that take ids (not objects) and retry with backoff made them
            reliable, and Flower showed exactly which ones were slow.
            """
        ),
    ),
    EntrySpec(
        date="2026-07-03",
        title="Docker Compose networking finally made sense",
        visibility=Visibility.PUBLIC,
        technologies=("docker", "docker-compose", "postgresql", "redis"),
        challenges=(DOCKER,),
        body=_text(
            """
            Inside a container, `localhost` is the container itself. With Compose
            the database is reachable as `db`, and a health check makes the app
            wait until it is ready: app, database and cache start together every
            time.
            """
        ),
    ),
    EntrySpec(
        date="2026-08-21",
        title="Think about scalability early",
        visibility=Visibility.PUBLIC,
        technologies=("redis", "celery", "postgresql"),
        body=_text(
            """
            Plan for caching, load balancing and async tasks from the start: not
            building them all on day one, but leaving room for them. Reads
            dominate, so cache them under keys that writes invalidate; slow work
            goes to a queue.
            """
        ),
    ),
    EntrySpec(
        date="2026-10-02",
        title="Keep learning",
        visibility=Visibility.PRIVATE,
        technologies=("fastapi",),
        body=_text(
            """
            Backend engineering keeps evolving; continuous learning is the job.
            Notes to self: read one changelog a week, try FastAPI on a side
            project, and write down what I learn here so the next cohort can
            find it.
            """
        ),
    ),
)


def _learner(people: dict[str, User]) -> User | None:
    if LEARNER in people:
        return people[LEARNER]
    return User.objects.filter(email=LEARNER_EMAIL).first()


def _existing(model: type[Technology] | type[Concept], names: dict[str, str]) -> dict[str, str]:
    """Each demo slug's slug in the database, matched by slug or name as the knowledge
    demo matches them; those missing are left out."""
    slugs: dict[str, str] = {}
    for slug, name in names.items():
        found = model.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
        if found is not None:
            slugs[slug] = found.slug
    return slugs


def _learner_work(learner: User) -> dict[str, Any]:
    """The learner's demo challenges, challenge takeaways and review request, where
    they still exist."""
    challenges = []
    for spec in DEMO_CHALLENGES:
        found = (
            Challenge.objects.filter(title=spec.title, author=learner, deleted_at__isnull=True)
            .order_by("pk")
            .first()
        )
        challenges.append(found.pk if found else None)
    guides = []
    for guide_spec in CHALLENGE_GUIDES:
        exists = Guide.objects.filter(
            slug=guide_spec.slug, author=learner, deleted_at__isnull=True
        ).exists()
        guides.append(guide_spec.slug if exists else None)
    review = ReviewRequest.objects.filter(author=learner, url=REVIEW_URL).order_by("pk").first()
    return {"challenges": challenges, "guides": guides, "review": review.pk if review else None}


def _goal_data(spec: GoalSpec, links: dict[str, dict[str, str]], work: dict[str, Any]) -> Any:
    evidence: list[dict[str, Any]] = []
    for number in spec.challenges:
        if work["challenges"][number] is not None:
            evidence.append({"challenge": work["challenges"][number]})
    for number in spec.guides:
        if work["guides"][number] is not None:
            evidence.append({"guide": work["guides"][number]})
    if spec.review and work["review"] is not None:
        evidence.append({"review": work["review"], "note": "Asked backend and frontend peers"})
    evidence += [{"url": url, "note": note} for url, note in spec.urls]
    data: dict[str, Any] = {
        "title": spec.title,
        "kind": spec.kind,
        "status": spec.status,
        "progress": spec.progress,
        "technologies": [
            links["technologies"][s] for s in spec.technologies if s in links["technologies"]
        ],
        "concepts": [links["concepts"][s] for s in spec.concepts if s in links["concepts"]],
        "evidence": evidence,
    }
    if spec.description:
        data["description"] = spec.description
    if spec.target_date:
        data["target_date"] = spec.target_date
    return data


@transaction.atomic
def load_demo_journeys(people: dict[str, User]) -> None:
    """Set the demo learner's goals and write their journal, where missing.

    `people` are the demo users by key ("learner" is the backend learner; looked
    up by email if absent). Run after the knowledge, challenges and collaboration
    demos: goals link their technologies and concepts and take the learner's
    challenges, takeaway guides and review request as evidence (what is missing
    or deleted is left out). Goals are found by owner and title, entries by
    author and title; only missing ones are created, and one the learner
    changed or removed since is left as it is, so running it again creates and
    changes nothing.
    """
    learner = _learner(people)
    if learner is None:
        return
    links = {
        "technologies": _existing(Technology, {t.slug: t.name for t in TECHNOLOGIES}),
        "concepts": _existing(Concept, {c.slug: c.name for c in CONCEPTS}),
    }
    work = _learner_work(learner)
    existing_goals = set(Goal.objects.filter(owner=learner).values_list("title", flat=True))
    for spec in GOALS:
        if spec.title not in existing_goals:
            services.goal_create(actor=learner, data=_goal_data(spec, links, work))
    existing_entries = set(
        JournalEntry.objects.filter(author=learner).values_list("title", flat=True)
    )
    for entry in ENTRIES:
        if entry.title in existing_entries:
            continue
        services.journal_entry_create(
            actor=learner,
            data={
                "date": entry.date,
                "title": entry.title,
                "body": entry.body,
                "visibility": entry.visibility,
                "technologies": [
                    links["technologies"][s]
                    for s in entry.technologies
                    if s in links["technologies"]
                ],
                "challenges": [
                    work["challenges"][n] for n in entry.challenges if work["challenges"][n]
                ],
            },
        )
