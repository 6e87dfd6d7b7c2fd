from __future__ import annotations

import pytest

from nexus.knowledge import services
from nexus.knowledge.models import Concept, Technology
from nexus.knowledge.tests.factories import ConceptFactory, TagFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

TECHNOLOGIES = "/api/v1/technologies/"
CONCEPTS = "/api/v1/concepts/"


def test_anyone_browses_technologies_and_concepts(api_client, django_tech, caching):
    caching.technologies.add(django_tech)

    technologies = api_client.get(TECHNOLOGIES).json()["results"]
    concepts = api_client.get(CONCEPTS).json()["results"]
    detail = api_client.get(f"{TECHNOLOGIES}django/").json()

    assert [t["slug"] for t in technologies] == ["django"]
    assert technologies[0]["category"] == "framework"
    assert concepts[0]["technologies"] == [{"slug": "django", "name": "Django"}]
    assert detail["concepts"] == [{"slug": "caching-strategies", "name": "Caching Strategies"}]


def test_a_technology_shows_its_published_guides_only(api_client, learner, django_tech, make_guide):
    make_guide(title="Published one", status="published", technologies=["django"])
    make_guide(title="Still a draft", technologies=["django"])

    detail = api_client.get(f"{TECHNOLOGIES}django/").json()
    listed = api_client.get(TECHNOLOGIES).json()["results"][0]

    assert [g["title"] for g in detail["guides"]] == ["Published one"]
    assert detail["guide_count"] == listed["guide_count"] == 1


def test_a_concept_shows_its_published_guides(api_client, caching, make_guide):
    make_guide(title="Cache aside", status="published", concepts=["caching-strategies"])

    detail = api_client.get(f"{CONCEPTS}caching-strategies/").json()

    assert [g["title"] for g in detail["guides"]] == ["Cache aside"]


@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_mentors_and_staff_create_and_edit_technologies(as_user, user_factory, role):
    client = as_user(user_factory(role=role))

    created = client.post(
        TECHNOLOGIES,
        {"name": "Celery", "category": "messaging", "docs_url": "https://docs.celeryq.dev/"},
    )
    edited = client.patch(f"{TECHNOLOGIES}celery/", {"summary": "Distributed task queue."})

    assert created.status_code == 201, created.json()
    assert created.json()["slug"] == "celery"
    assert edited.status_code == 200
    assert Technology.objects.get(slug="celery").summary == "Distributed task queue."


def test_learners_and_visitors_cannot_create_or_edit_technologies(
    api_client, as_user, learner, django_tech
):
    denied = as_user(learner).post(TECHNOLOGIES, {"name": "Celery", "category": "messaging"})
    anonymous = api_client.post(TECHNOLOGIES, {"name": "Celery", "category": "messaging"})
    edit = as_user(learner).patch(f"{TECHNOLOGIES}django/", {"summary": "mine"})

    assert denied.status_code == 403
    assert anonymous.status_code == 401
    assert edit.status_code == 403
    assert list(Technology.objects.values_list("slug", flat=True)) == ["django"]
    assert Technology.objects.get(slug="django").summary == "A technology the cohort uses."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Django", "category": "framework"}, "name"),
        ({"name": "Other", "slug": "django", "category": "framework"}, "name"),
        ({"name": "Celery", "category": "queue"}, "category"),
        ({"name": "", "category": "framework"}, "name"),
        (
            {"name": "Celery", "category": "messaging", "docs_url": "javascript:alert(1)"},
            "docs_url",
        ),
        ({"name": "Celery", "category": "messaging", "slug": "Not A Slug"}, "slug"),
        ({"name": "Celery", "category": "messaging", "summary": "x" * 2001}, "summary"),
    ],
)
def test_bad_technology_input_is_refused(as_user, mentor, django_tech, payload, field):
    response = as_user(mentor).post(TECHNOLOGIES, payload)

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert Technology.objects.count() == 1


def test_mentors_create_concepts_linked_to_technologies(as_user, mentor, django_tech):
    created = as_user(mentor).post(CONCEPTS, {"name": "Message Queues", "technologies": ["django"]})
    unknown = as_user(mentor).post(CONCEPTS, {"name": "Other", "technologies": ["nope"]})

    assert created.status_code == 201
    assert created.json()["technologies"] == [{"slug": "django", "name": "Django"}]
    assert unknown.status_code == 400
    assert "technologies" in unknown.json()["errors"]
    assert list(Concept.objects.values_list("slug", flat=True)) == ["message-queues"]


def test_unknown_technology_concept_and_guide_are_404(api_client):
    for url in (f"{TECHNOLOGIES}nope/", f"{CONCEPTS}nope/", "/api/v1/guides/nope/"):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json()["type"] == "not_found"


def test_tags_are_listed_with_their_published_guide_counts(api_client, make_guide):
    make_guide(status="published", tags=["celery", "Async Tasks"])
    make_guide(tags=["celery"])

    tags = api_client.get("/api/v1/tags/").json()["results"]

    assert tags == [
        {"slug": "async-tasks", "name": "Async Tasks", "guide_count": 1},
        {"slug": "celery", "name": "celery", "guide_count": 1},
    ]


def test_technology_filters(api_client):
    TechnologyFactory.create(name="Redis", slug="redis", category="cache")
    TechnologyFactory.create(name="Django", slug="django", category="framework")

    by_category = api_client.get(f"{TECHNOLOGIES}?category=cache").json()["results"]
    by_text = api_client.get(f"{TECHNOLOGIES}?q=djan").json()["results"]

    assert [t["slug"] for t in by_category] == ["redis"]
    assert [t["slug"] for t in by_text] == ["django"]
    assert api_client.get(f"{TECHNOLOGIES}?category=nope").status_code == 400


def make_concepts(n):
    for concept in ConceptFactory.create_batch(n):
        concept.technologies.add(TechnologyFactory.create())


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (TECHNOLOGIES, TechnologyFactory.create_batch),
        (CONCEPTS, make_concepts),
        ("/api/v1/tags/", TagFactory.create_batch),
    ],
)
def test_reference_lists_run_a_constant_number_of_queries(
    api_client, django_assert_num_queries, url, make
):
    make(3)
    with django_assert_num_queries(2 if url == CONCEPTS else 1):
        first = api_client.get(f"{url}?page_size=100")
    make(6)
    with django_assert_num_queries(2 if url == CONCEPTS else 1):
        second = api_client.get(f"{url}?page_size=100")

    assert len(second.json()["results"]) == len(first.json()["results"]) + 6


def test_markdown_in_guides_is_rendered_and_made_inert(as_user, learner):
    body = (
        "# Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        "```python\nprint('hi')\n```\n\n[docs](https://docs.djangoproject.com/)"
    )

    html = (
        as_user(learner).post("/api/v1/guides/", {"title": "T", "body": body}).json()["body_html"]
    )

    assert "<script" not in html
    assert 'href="javascript' not in html
    assert '<code class="language-python">' in html
    assert 'rel="nofollow noopener"' in html


def test_reference_writes_go_through_services_for_graphql_too(mentor):
    technology = services.technology_create(
        actor=mentor, data={"name": "RabbitMQ", "category": "messaging"}
    )

    assert technology.created_by == mentor


def test_a_concept_name_may_be_up_to_120_characters(as_user, mentor):
    response = as_user(mentor).post(CONCEPTS, {"name": "C" * 120})

    assert response.status_code == 201
    assert as_user(mentor).post(CONCEPTS, {"name": "D" * 121}).status_code == 400


def test_a_name_without_letters_or_digits_needs_a_slug(as_user, mentor):
    refused = as_user(mentor).post(TECHNOLOGIES, {"name": "++", "category": "language"})
    accepted = as_user(mentor).post(
        TECHNOLOGIES, {"name": "++", "slug": "plus-plus", "category": "language"}
    )

    assert refused.status_code == 400
    assert "name" in refused.json()["errors"]
    assert accepted.status_code == 201
    assert not Technology.objects.filter(slug="").exists()
