from __future__ import annotations

import warnings

import pytest

from nexus.knowledge.models import Guide, Technology

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


def test_staff_manage_the_reference_guide_in_the_admin(admin_client_, make_guide, caching):
    guide = make_guide(status="published")

    for url in (
        "/admin/knowledge/technology/?q=django&category__exact=framework",
        "/admin/knowledge/concept/?q=cach",
        "/admin/knowledge/tag/",
        "/admin/knowledge/guide/?status__exact=published",
        f"/admin/knowledge/guide/{guide.pk}/change/",
        f"/admin/knowledge/guiderevision/?q={guide.title[:5]}",
        f"/admin/knowledge/guiderevision/{guide.current_revision_id}/change/",
        "/admin/accounts/user/?q=learner",
    ):
        assert admin_client_.get(url).status_code == 200, url


def test_revisions_cannot_be_deleted_from_the_admin(admin_client_, make_guide):
    guide = make_guide()

    response = admin_client_.post(
        f"/admin/knowledge/guiderevision/{guide.current_revision_id}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert guide.revisions.count() == 1


def test_staff_restore_deleted_guides_from_the_admin(admin_client_, learner, make_guide):
    from nexus.knowledge import services

    guide = make_guide()
    services.guide_delete(actor=learner, slug=guide.slug)

    admin_client_.post(
        "/admin/knowledge/guide/",
        {"action": "restore_deleted", "_selected_action": [guide.pk]},
    )

    assert Guide.objects.get(pk=guide.pk).deleted_at is None


def test_a_docs_link_typed_without_a_scheme_is_saved_as_https(admin_client_):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # of the default scheme too
        assert admin_client_.get("/admin/knowledge/technology/add/").status_code == 200
        response = admin_client_.post(
            "/admin/knowledge/technology/add/",
            {
                "name": "Celery",
                "slug": "celery-admin",
                "category": "tooling",
                "summary": "Distributed tasks.",
                "docs_url": "docs.celeryq.dev",
            },
        )

    assert response.status_code == 302, response.content
    assert Technology.objects.get(slug="celery-admin").docs_url == "https://docs.celeryq.dev"
