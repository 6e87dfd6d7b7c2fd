"""Technologies, concepts and tags keep their count of published guides as a
column, recounted by every write that can change it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.knowledge import services
from nexus.knowledge.models import Concept, Guide, Tag, Technology
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db

PUBLISHED_LIVE = Q(guides__status=Guide.Status.PUBLISHED, guides__deleted_at__isnull=True)


def counts(model: type[Technology | Concept | Tag]) -> dict[str, int]:
    """The kept count of every row, checked against a count of its guides."""
    rows = model.objects.annotate(found=Count("guides", filter=PUBLISHED_LIVE)).order_by("slug")
    for row in rows:
        assert row.guide_count == row.found, (model.__name__, row.slug)
    return {row.slug: row.guide_count for row in rows}


@pytest.fixture
def redis_tech(db: None) -> Technology:
    return TechnologyFactory.create(name="Redis", slug="redis", category="cache")


def test_every_guide_write_keeps_the_counts_of_its_links(
    learner, staff, django_tech, redis_tech, caching, make_guide
):
    draft = make_guide(title="Draft", technologies=["django"], tags=["orm"])
    assert counts(Technology) == {"django": 0, "redis": 0}
    assert counts(Tag) == {"orm": 0}

    make_guide(title="Live", status="published", technologies=["django"], tags=["orm"])
    assert counts(Technology) == {"django": 1, "redis": 0}

    services.guide_update(actor=learner, slug=draft.slug, data={"status": "published"})
    assert counts(Technology) == {"django": 2, "redis": 0}
    assert counts(Tag) == {"orm": 2}

    services.guide_update(
        actor=learner,
        slug=draft.slug,
        data={"technologies": ["redis"], "concepts": ["caching-strategies"], "tags": []},
    )
    assert counts(Technology) == {"django": 1, "redis": 1}
    assert counts(Concept) == {"caching-strategies": 1}
    assert counts(Tag) == {"orm": 1}

    services.guide_delete(actor=learner, slug=draft.slug)
    assert counts(Technology) == {"django": 1, "redis": 0}
    assert counts(Concept) == {"caching-strategies": 0}

    services.guide_undelete(actor=staff, slug=draft.slug)
    assert counts(Technology) == {"django": 1, "redis": 1}

    services.guide_update(actor=learner, slug=draft.slug, data={"status": "draft"})
    assert counts(Technology) == {"django": 1, "redis": 0}
    assert counts(Concept) == {"caching-strategies": 0}


def test_an_edit_that_changes_no_count_recounts_nothing(learner, django_tech, make_guide):
    guide = make_guide(status="published", technologies=["django"])

    with CaptureQueriesContext(connection) as queries:
        services.guide_update(
            actor=learner,
            slug=guide.slug,
            data={"body": "Edited.", "base_revision": guide.current_revision_id},
        )

    assert not [q for q in queries.captured_queries if "guide_count" in q["sql"]]
    assert counts(Technology) == {"django": 1}


def test_reference_lists_read_the_column_without_touching_guides(api_client, django_tech):
    for url in ("/api/v1/technologies/", "/api/v1/concepts/", "/api/v1/tags/"):
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url).status_code == 200

        assert not [q for q in queries.captured_queries if "knowledge_guide" in q["sql"]], url


def test_an_edit_of_a_technology_keeps_a_count_that_moved_since_it_was_read(
    learner, django_tech, make_guide
):
    stale = Technology.objects.get(slug="django")
    make_guide(status="published", technologies=["django"])

    stale.summary = "The web framework."
    stale.save()

    assert Technology.objects.get(slug="django").summary == "The web framework."
    assert counts(Technology) == {"django": 1}


def admin_form(guide: Guide, **changes: Any) -> dict[str, Any]:
    """The admin's change form for a guide, as the browser posts it."""
    revisions = list(guide.revisions.order_by("number"))
    form = {
        "status": guide.status,
        "kind": guide.kind,
        "technologies": [str(pk) for pk in guide.technologies.values_list("pk", flat=True)],
        "concepts": [str(pk) for pk in guide.concepts.values_list("pk", flat=True)],
        "tags": [str(pk) for pk in guide.tags.values_list("pk", flat=True)],
        "co_editors": [],
        "revisions-TOTAL_FORMS": str(len(revisions)),
        "revisions-INITIAL_FORMS": str(len(revisions)),
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    for number, revision in enumerate(revisions):
        form[f"revisions-{number}-id"] = str(revision.pk)
        form[f"revisions-{number}-guide"] = str(guide.pk)
    return {**form, **changes}


@pytest.mark.django_db(transaction=True)
def test_publishing_and_relinking_in_the_admin_keep_counts_caches_and_search(
    client, user_factory, learner, django_tech, redis_tech, make_guide
):
    guide = make_guide(title="Pooling connections", technologies=["django"])
    staff = Client()
    staff.force_login(user_factory(username="root-one", is_staff=True, is_superuser=True))
    client.get("/api/v1/technologies/")
    assert client.get("/api/v1/technologies/")["X-Cache"] == "hit"
    url = f"/admin/knowledge/guide/{guide.pk}/change/"

    published = staff.post(url, admin_form(guide, status="published"))

    assert published.status_code == 302, published.content
    guide.refresh_from_db()
    assert guide.published_at is not None
    assert counts(Technology) == {"django": 1, "redis": 0}
    listed = {
        t["slug"]: t["guide_count"] for t in client.get("/api/v1/technologies/").json()["results"]
    }
    assert listed == {"django": 1, "redis": 0}
    found = client.get("/api/v1/search/?q=pooling&type=guide").json()["results"]
    assert [hit["slug"] for hit in found] == [guide.slug]

    relinked = staff.post(url, admin_form(guide, technologies=[str(redis_tech.pk)]))

    assert relinked.status_code == 302, relinked.content
    assert counts(Technology) == {"django": 0, "redis": 1}
    listed = {
        t["slug"]: t["guide_count"] for t in client.get("/api/v1/technologies/").json()["results"]
    }
    assert listed == {"django": 0, "redis": 1}


def test_guides_are_neither_added_nor_deleted_in_the_admin(client, user_factory, make_guide):
    guide = make_guide(status="published")
    client.force_login(user_factory(username="root-one", is_staff=True, is_superuser=True))

    assert client.get("/admin/knowledge/guide/add/").status_code == 403
    deleted = client.post(f"/admin/knowledge/guide/{guide.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 403
    assert Guide.objects.filter(pk=guide.pk, deleted_at__isnull=True).exists()


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_guides_published_at_the_same_time_are_both_counted(learner, mentor, django_tech):
    """The second writer's count waits for the first to commit, then sees its link."""
    first_counted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def publish(author: Any, title: str) -> None:
        services.guide_create(
            actor=author,
            data={"title": title, "body": "x", "status": "published", "technologies": ["django"]},
        )

    def in_thread(work: Any) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # the test asserts there were none
                errors.append(exc)
            finally:
                connection.close()

        return threading.Thread(target=run)

    def publish_and_hold() -> None:
        with transaction.atomic():
            publish(learner, "First")
            first_counted.set()
            release.wait(10)

    holder = in_thread(publish_and_hold)
    holder.start()
    assert first_counted.wait(10)
    second = in_thread(lambda: publish(mentor, "Second"))
    second.start()
    deadline = time.monotonic() + 10
    while not _waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _waiting_for_a_lock(), "the second writer should wait for the first's lock"
    release.set()
    holder.join(10)
    second.join(10)

    assert not errors
    assert counts(Technology) == {"django": 2}
