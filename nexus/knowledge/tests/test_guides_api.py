from __future__ import annotations

import threading

import pytest
from django.db import connection

from nexus.knowledge.models import Guide, GuideRevision, Tag

pytestmark = pytest.mark.django_db

GUIDES = "/api/v1/guides/"


def guide_url(slug, suffix=""):
    return f"{GUIDES}{slug}/{suffix}"


def test_a_learner_writes_edits_diffs_and_restores_a_guide_and_keeps_five_revisions(
    as_user, learner, django_tech
):
    client = as_user(learner)
    created = client.post(
        GUIDES,
        {
            "title": "Caching views in Django",
            "body": "Version one.",
            "kind": "cheat_sheet",
            "technologies": ["django"],
            "tags": ["Caching", "performance"],
        },
    )
    assert created.status_code == 201, created.json()
    guide = created.json()
    slug, first_revision = guide["slug"], guide["current_revision"]
    assert guide["status"] == "draft"
    assert guide["author"] == {"username": learner.username, "display_name": learner.username}
    assert [t["slug"] for t in guide["tags"]] == ["caching", "performance"]

    base = first_revision
    for n in (2, 3, 4):
        edited = client.patch(
            guide_url(slug),
            {"body": f"Version {n}.", "base_revision": base, "message": f"edit {n}"},
        )
        assert edited.status_code == 200, edited.json()
        base = edited.json()["current_revision"]

    diff = client.get(guide_url(slug, f"revisions/diff/?from={first_revision}&to={base}"))
    assert diff.status_code == 200
    assert "-Version one." in diff.json()["diff"]
    assert "+Version 4." in diff.json()["diff"]

    restored = client.post(guide_url(slug, f"revisions/{first_revision}/restore/"))
    assert restored.status_code == 200
    assert restored.json()["body"] == "Version one."

    history = client.get(guide_url(slug, "revisions/")).json()["results"]
    assert [r["number"] for r in history] == [5, 4, 3, 2, 1]
    assert history[0]["restored_from"] == first_revision
    assert history[0]["message"] == "Restored revision 1"


def test_a_stale_base_revision_gets_409_with_the_current_revision(
    as_user, learner, mentor, make_guide
):
    guide = make_guide(status="published")
    base = guide.current_revision_id
    first = as_user(mentor).patch(
        guide_url(guide.slug), {"body": "Mentor's", "base_revision": base}
    )
    assert first.status_code == 200

    second = as_user(learner).patch(guide_url(guide.slug), {"body": "Mine", "base_revision": base})

    assert second.status_code == 409
    body = second.json()
    assert body["type"] == "conflict"
    assert body["current_revision"]["id"] == first.json()["current_revision"]
    assert body["current_revision"]["body"] == "Mentor's"
    assert Guide.objects.get(pk=guide.pk).body == "Mentor's"
    assert GuideRevision.objects.filter(guide=guide).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_from_the_same_base_at_once_never_overwrite_silently(
    learner, mentor, make_guide, as_user
):
    """The row lock makes the second writer see the first one's revision."""
    guide = make_guide(status="published")
    base = guide.current_revision_id
    statuses = []

    def save(user, text):
        statuses.append(
            as_user(user)
            .patch(guide_url(guide.slug), {"body": text, "base_revision": base})
            .status_code
        )
        connection.close()

    threads = [
        threading.Thread(target=save, args=(u, t)) for u, t in ((learner, "A"), (mentor, "B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 409]
    assert GuideRevision.objects.filter(guide=guide).count() == 2


def test_a_content_edit_without_a_base_revision_is_refused(as_user, learner, make_guide):
    guide = make_guide()

    response = as_user(learner).patch(guide_url(guide.slug), {"title": "New title"})

    assert response.status_code == 400
    assert "base_revision" in response.json()["errors"]
    assert Guide.objects.get(pk=guide.pk).title == "Caching views in Django"


def test_publishing_needs_no_base_revision_and_writes_no_revision(as_user, learner, make_guide):
    guide = make_guide()

    response = as_user(learner).patch(guide_url(guide.slug), {"status": "published"})

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] is not None
    assert response.json()["revision_count"] == 1


@pytest.mark.parametrize(
    ("base_revision", "status"), [("abc", 400), (True, 400), (99999, 409), (1.5, 400)]
)
def test_a_malformed_or_unknown_base_revision_is_refused(
    as_user, learner, make_guide, base_revision, status
):
    guide = make_guide()

    response = as_user(learner).patch(
        guide_url(guide.slug), {"body": "x", "base_revision": base_revision}
    )

    assert response.status_code == status
    assert Guide.objects.get(pk=guide.pk).body == "Use `cache_page`."


def test_another_learner_cannot_edit_or_delete_a_published_guide(
    as_user, other_learner, make_guide
):
    guide = make_guide(status="published")
    client = as_user(other_learner)

    edit = client.patch(
        guide_url(guide.slug), {"body": "vandal", "base_revision": guide.current_revision_id}
    )
    delete = client.delete(guide_url(guide.slug))

    assert edit.status_code == 403
    assert edit.json()["type"] == "permission_denied"
    assert delete.status_code == 403
    refreshed = Guide.objects.get(pk=guide.pk)
    assert (refreshed.body, refreshed.deleted_at) == ("Use `cache_page`.", None)


@pytest.mark.parametrize("role", ["co_editor", "mentor", "staff"])
def test_co_editors_mentors_and_staff_edit_a_published_guide(
    as_user, learner, user_factory, make_guide, role
):
    editor = user_factory(role=role if role != "co_editor" else "learner")
    guide = make_guide(
        status="published", co_editors=[editor.username] if role == "co_editor" else []
    )

    response = as_user(editor).patch(
        guide_url(guide.slug), {"body": "Improved", "base_revision": guide.current_revision_id}
    )

    assert response.status_code == 200
    assert GuideRevision.objects.get(guide=guide, number=2).editor == editor


def test_a_draft_is_seen_only_by_its_editors_and_staff(
    api_client, as_user, learner, other_learner, mentor, staff, user_factory, make_guide
):
    co_editor = user_factory()
    draft = make_guide(co_editors=[co_editor.username])

    for viewer, visible in [
        (None, False),
        (other_learner, False),
        (mentor, False),
        (learner, True),
        (co_editor, True),
        (staff, True),
    ]:
        client = as_user(viewer) if viewer else api_client
        detail = client.get(guide_url(draft.slug))
        listed = [g["slug"] for g in client.get(GUIDES).json()["results"]]
        revisions = client.get(guide_url(draft.slug, "revisions/"))
        assert (detail.status_code == 200) is visible, viewer
        assert (draft.slug in listed) is visible, viewer
        assert (revisions.status_code == 200) is visible, viewer
        if not visible:
            assert detail.json()["type"] == "not_found"


def test_anonymous_visitors_read_a_guide_once_published(api_client, as_user, learner, make_guide):
    guide = make_guide()
    assert api_client.get(guide_url(guide.slug)).status_code == 404

    as_user(learner).patch(guide_url(guide.slug), {"status": "published"})

    response = api_client.get(guide_url(guide.slug))
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>Use <code>cache_page</code>.</p>\n"
    assert response.json()["can_edit"] is False


def test_a_deleted_guide_disappears_and_staff_restore_it(
    api_client, as_user, learner, staff, make_guide
):
    guide = make_guide(status="published")

    assert as_user(learner).delete(guide_url(guide.slug)).status_code == 204
    assert api_client.get(guide_url(guide.slug)).status_code == 404
    assert as_user(learner).get(guide_url(guide.slug)).status_code == 404
    assert as_user(learner).post(guide_url(guide.slug, "restore/")).status_code == 403
    staff_list = as_user(staff).get(f"{GUIDES}?deleted=true").json()["results"]
    assert [g["slug"] for g in staff_list] == [guide.slug]

    restored = as_user(staff).post(guide_url(guide.slug, "restore/"))

    assert restored.status_code == 200
    assert restored.json()["body"] == "Use `cache_page`."
    assert api_client.get(guide_url(guide.slug)).status_code == 200
    assert GuideRevision.objects.filter(guide=guide).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "   ", "body": "x"}, "title"),
        ({"title": "x" * 201, "body": "x"}, "title"),
        ({"title": "T", "body": ""}, "body"),
        ({"title": "T", "body": "x" * 100_001}, "body"),
        ({"title": "T", "body": "x", "technologies": ["no-such-tech"]}, "technologies"),
        ({"title": "T", "body": "x", "concepts": ["no-such-concept"]}, "concepts"),
        ({"title": "T", "body": "x", "kind": "novel"}, "kind"),
        ({"title": "T", "body": "x", "status": "archived"}, "status"),
        ({"title": "T", "body": "x", "technologies": "django"}, "technologies"),
        ({"title": "T", "body": "x", "tags": ["x" * 51]}, "tags"),
        ({"title": "T", "body": "x", "tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"title": "T", "body": "x", "co_editors": ["nobody-here"]}, "co_editors"),
        ({"title": 7, "body": "x"}, "title"),
        ({"title": "T", "body": "x", "base_revision": 1}, "base_revision"),
        ({"title": "T", "body": "x", "colour": "teal"}, "colour"),
    ],
)
def test_bad_guide_input_is_refused_field_by_field_and_stores_nothing(
    as_user, learner, django_tech, settings, payload, field
):
    settings.MAX_REQUEST_BYTES = 10 * 1024 * 1024
    tags_before = Tag.objects.count()

    response = as_user(learner).post(GUIDES, payload)

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Guide.objects.exists()
    assert not GuideRevision.objects.exists()
    assert Tag.objects.count() == tags_before


def test_anonymous_visitors_cannot_write_guides(api_client):
    response = api_client.post(GUIDES, {"title": "T", "body": "x"})

    assert response.status_code == 401
    assert not Guide.objects.exists()


def test_a_guide_slug_is_unique_and_stable(as_user, learner, make_guide):
    first = make_guide()
    second = make_guide()

    as_user(learner).patch(
        guide_url(first.slug), {"title": "Renamed", "base_revision": first.current_revision_id}
    )

    assert second.slug == f"{first.slug}-2"
    assert Guide.objects.get(pk=first.pk).slug == first.slug


def test_revisions_are_immutable(make_guide):
    revision = make_guide().current_revision
    revision.body = "rewritten history"

    with pytest.raises(ValueError, match="immutable"):
        revision.save()
    with pytest.raises(ValueError, match="never deleted"):
        revision.delete()


def test_one_revision_and_diff_errors(api_client, as_user, learner, make_guide):
    guide = make_guide(status="published")
    other = make_guide(status="published")
    client = as_user(learner)
    rev = guide.current_revision_id

    shown = client.get(guide_url(guide.slug, f"revisions/{rev}/"))
    assert shown.status_code == 200
    assert shown.json()["body"] == "Use `cache_page`."
    assert (
        client.get(guide_url(guide.slug, f"revisions/{other.current_revision_id}/")).status_code
        == 404
    )
    assert client.get(guide_url(guide.slug, "revisions/diff/?from=1")).status_code == 400
    assert client.get(guide_url(guide.slug, f"revisions/diff/?from=x&to={rev}")).status_code == 400
    assert (
        client.get(
            guide_url(guide.slug, f"revisions/diff/?from={rev}&to={other.current_revision_id}")
        ).status_code
        == 404
    )
    assert client.post(guide_url(guide.slug, "revisions/999999/restore/")).status_code == 404


def test_guide_filters_and_ordering(api_client, learner, mentor, make_guide, caching):
    make_guide(title="Zebra caching", status="published", concepts=["caching-strategies"])
    make_guide(title="Alpha tags", status="published", tags=["celery"], kind="best_practice")
    make_guide(author=mentor, title="Mentor notes", status="published", technologies=["django"])

    def slugs(query):
        response = api_client.get(f"{GUIDES}?{query}")
        assert response.status_code == 200, response.json()
        return [g["title"] for g in response.json()["results"]]

    assert slugs("concept=caching-strategies") == ["Zebra caching"]
    assert slugs("tag=celery") == ["Alpha tags"]
    assert slugs("kind=best_practice") == ["Alpha tags"]
    assert slugs(f"author={mentor.username}") == ["Mentor notes"]
    assert slugs("technology=django") == ["Mentor notes"]
    assert slugs("q=CACHING") == ["Zebra caching"]
    assert slugs("ordering=title") == ["Alpha tags", "Mentor notes", "Zebra caching"]
    assert slugs("ordering=-created_at") == ["Mentor notes", "Alpha tags", "Zebra caching"]
    assert api_client.get(f"{GUIDES}?kind=novel").status_code == 400
    assert api_client.get(f"{GUIDES}?ordering=body").status_code == 200


def test_the_guide_list_runs_a_constant_number_of_queries(
    as_user, learner, user_factory, make_guide, django_assert_num_queries
):
    client = as_user(learner)

    def make(n):
        for _ in range(n):
            make_guide(
                author=user_factory(),
                status="published",
                technologies=["django"],
                tags=["a", "b"],
                co_editors=[learner.username],
            )

    make(3)
    # user, guides, co-editors, technologies, concepts, tags
    with django_assert_num_queries(6):
        first = client.get(f"{GUIDES}?page_size=100")
    make(6)
    with django_assert_num_queries(6):
        second = client.get(f"{GUIDES}?page_size=100")

    assert len(first.json()["results"]) == 3
    assert len(second.json()["results"]) == 9


def test_the_guide_detail_runs_a_constant_number_of_queries(
    api_client, make_guide, user_factory, django_assert_num_queries
):
    small = make_guide(status="published", tags=["a"])
    editors = [user_factory().username for _ in range(5)]
    large = make_guide(status="published", tags=["a", "b", "c", "d"], co_editors=editors)

    with django_assert_num_queries(5):
        api_client.get(guide_url(small.slug))
    with django_assert_num_queries(5):
        api_client.get(guide_url(large.slug))
