from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from nexus.accounts.demo import load_demo_accounts
from nexus.accounts.models import User
from nexus.knowledge import selectors
from nexus.knowledge.demo import CHALLENGES, GUIDES, load_demo_knowledge
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology
from nexus.knowledge.services import technology_create

pytestmark = pytest.mark.django_db

# What the journey document names, written out here rather than read from
# the loader, so a dropped or miscategorised entry fails a test.
JOURNEY_TECHNOLOGIES = {
    "Python": "language",
    "Django": "framework",
    "Django REST Framework": "api",
    "GraphQL": "api",
    "Docker": "container",
    "CI/CD Pipelines": "ci-cd",
    "GitHub Actions": "ci-cd",
    "PostgreSQL": "database",
    "MySQL": "database",
    "Redis": "cache",
    "RabbitMQ": "messaging",
    "Celery": "messaging",
    "Docker Compose": "container",
    "Postman": "testing",
    "Flower": "tooling",
    "FastAPI": "framework",
}
JOURNEY_CONCEPTS = {
    "Database Design & Management": {"postgresql", "mysql"},
    "Asynchronous Programming": {"python"},
    "Caching Strategies": {"redis"},
    "Message Queues": {"rabbitmq", "celery"},
    "System Design": set(),
    "Microservices Architecture": {"django", "fastapi"},
}
JOURNEY_CHALLENGES = {
    "Setting up CI/CD for the first time": {"github-actions"},
    "Debugging complex API integration with frontend": {"postman", "django-rest-framework"},
    "Managing asynchronous tasks with Celery & RabbitMQ": {"celery", "rabbitmq", "flower"},
    "Dockerizing Django apps with proper networking": {"docker", "docker-compose"},
}
# One guide per bullet of "Best Practices & Personal Takeaways", found by a word of its title.
JOURNEY_PRACTICES = ["clean", "test", "version control", "api docs", "scalability", "learning"]


@pytest.fixture
def people() -> dict[str, User]:
    return load_demo_accounts()


@pytest.fixture
def loaded(people: dict[str, User]) -> dict[str, User]:
    load_demo_knowledge(people)
    return people


def counts() -> dict[str, int]:
    return {
        "technologies": Technology.objects.count(),
        "concepts": Concept.objects.count(),
        "guides": Guide.objects.count(),
        "revisions": GuideRevision.objects.count(),
        "tags": Tag.objects.count(),
    }


def snapshot() -> list[Any]:
    """Every row the loader writes, with its links and timestamps."""
    return [
        list(Technology.objects.order_by("pk").values()),
        list(Concept.objects.order_by("pk").values()),
        list(Concept.technologies.through.objects.order_by("pk").values()),
        list(Guide.objects.order_by("pk").values()),
        list(Guide.technologies.through.objects.order_by("pk").values()),
        list(Guide.concepts.through.objects.order_by("pk").values()),
        list(Guide.tags.through.objects.order_by("pk").values()),
        list(GuideRevision.objects.order_by("pk").values()),
        list(Tag.objects.order_by("pk").values()),
    ]


def test_loading_the_demo_knowledge_twice_creates_nothing_twice(people):
    load_demo_knowledge(people)
    first = counts()

    load_demo_knowledge(people)

    assert counts() == first
    assert first["technologies"] == len(JOURNEY_TECHNOLOGIES)
    assert first["concepts"] == len(JOURNEY_CONCEPTS)
    assert first["guides"] == first["revisions"] == len(GUIDES)


def test_loading_the_demo_knowledge_again_changes_nothing(loaded):
    before = snapshot()

    load_demo_knowledge(loaded)

    assert snapshot() == before


def test_every_technology_the_journey_names_exists_with_its_category(loaded):
    categories = dict(Technology.objects.values_list("name", "category"))

    assert categories == JOURNEY_TECHNOLOGIES


def test_every_technology_has_a_summary_and_its_documentation_link(loaded):
    reference_writers = {loaded["mentor"].pk, loaded["staff"].pk}

    for technology in Technology.objects.all():
        assert 100 <= len(technology.summary) <= 600, technology.name
        assert technology.docs_url.startswith("https://"), technology.name
        assert technology.created_by_id in reference_writers


def test_every_concept_the_journey_names_exists_with_its_technologies(loaded):
    for concept in selectors.concept_list():
        linked = {technology.slug for technology in concept.technologies.all()}
        assert JOURNEY_CONCEPTS[concept.name] <= linked, concept.name
        assert linked, concept.name
        assert len(concept.summary) >= 100, concept.name
        assert concept.created_by_id in {loaded["mentor"].pk, loaded["staff"].pk}
    assert set(Concept.objects.values_list("name", flat=True)) == set(JOURNEY_CONCEPTS)


def test_every_guide_is_published_with_rendered_html_and_one_revision(loaded):
    for guide in Guide.objects.select_related("current_revision"):
        assert guide.status == Guide.Status.PUBLISHED
        assert guide.published_at is not None
        assert "<p>" in guide.body_html or "<li>" in guide.body_html, guide.title
        assert guide.revision_count == 1
        assert guide.revisions.count() == 1
        assert guide.current_revision is not None
        assert guide.current_revision.body == guide.body
        assert guide.current_revision.editor_id == guide.author_id


def test_every_guide_is_linked_and_tagged(loaded):
    for guide in Guide.objects.prefetch_related("technologies", "concepts", "tags"):
        assert len(guide.technologies.all()) + len(guide.concepts.all()) > 0, guide.title
        assert len(guide.tags.all()) > 0, guide.title


def test_anonymous_visitors_read_every_demo_guide(loaded):
    visible = selectors.guide_list(viewer=AnonymousUser())

    assert visible.count() == len(GUIDES)


def test_the_four_challenges_are_takeaways_by_the_demo_learner(loaded):
    challenges = selectors.guide_list(viewer=AnonymousUser(), filters={"tag": "challenge"})

    assert {guide.title for guide in challenges} == set(JOURNEY_CHALLENGES)
    for guide in challenges:
        assert guide.kind == Guide.Kind.TAKEAWAY
        assert guide.author == loaded["learner"]
        assert "## Challenge" in guide.body
        assert "## Solution" in guide.body
        linked = {technology.slug for technology in guide.technologies.all()}
        assert JOURNEY_CHALLENGES[guide.title] <= linked, guide.title
    assert len(CHALLENGES) == 4


def test_each_best_practice_and_takeaway_of_the_journey_has_a_guide(loaded):
    practices = Guide.objects.exclude(tags__slug="challenge")
    titles = [guide.title.lower() for guide in practices]

    assert len(titles) == len(JOURNEY_PRACTICES)
    for word in JOURNEY_PRACTICES:
        assert any(word in title for title in titles), word


def test_the_mentor_writes_best_practices_and_the_learner_takeaways(loaded):
    for guide in Guide.objects.all():
        expected = "mentor" if guide.kind == Guide.Kind.BEST_PRACTICE else "learner"
        assert guide.author == loaded[expected], guide.title
    assert Guide.objects.filter(kind=Guide.Kind.BEST_PRACTICE).exists()
    assert set(Guide.objects.values_list("kind", flat=True)) <= {
        Guide.Kind.BEST_PRACTICE,
        Guide.Kind.TAKEAWAY,
    }


def test_an_existing_technology_is_kept_and_linked_rather_than_duplicated(people):
    own = technology_create(
        actor=people["staff"],
        data={"name": "redis", "slug": "redis-cache", "category": "database", "summary": "Ours."},
    )

    load_demo_knowledge(people)

    own.refresh_from_db()
    assert (own.summary, own.category) == ("Ours.", "database")
    assert not Technology.objects.filter(slug="redis").exists()
    assert own.concepts.filter(slug="caching-strategies").exists()
    assert own.guides.filter(title="Think about scalability early").exists()


def test_the_load_demo_command_loads_the_knowledge_once():
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)

    assert counts() == first
    assert first["guides"] == len(GUIDES)
    assert Guide.objects.filter(author__email="learner@demo.nexus").count() == 5
