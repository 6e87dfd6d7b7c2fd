"""The writing services keep the search documents current, once their transaction commits."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from nexus.accounts import services as account_services
from nexus.challenges import services as challenge_services
from nexus.collaboration.models import Message
from nexus.collaboration.services import channels as channel_services
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Concept, Tag, Technology
from nexus.knowledge.tests.factories import ConceptFactory
from nexus.search import services
from nexus.search.indexing import index_on_commit
from nexus.search.models import SearchDocument

# Transactional: each write commits, and its documents are rewritten after it, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def document(kind, object_id):
    return SearchDocument.objects.filter(kind=kind, object_id=object_id).first()


def technology_slugs(doc):
    return sorted(doc.technologies.values_list("slug", flat=True))


def test_a_challenge_is_indexed_as_it_is_written_edited_and_moderated(
    learner, other, staff, write_challenge, docker_tech, celery_tech
):
    challenge = write_challenge(
        title="Compose cannot reach the database", technologies=["docker"], tags=["networking"]
    )
    doc = document("challenge", challenge.pk)
    assert doc.title == "Compose cannot reach the database"
    assert doc.audience == "everyone"
    assert doc.status == "open"
    assert doc.url == f"/api/v1/challenges/{challenge.pk}/"
    assert "Docker" in doc.keywords
    assert "networking" in doc.keywords
    assert technology_slugs(doc) == ["docker"]

    challenge_services.challenge_update(
        actor=learner,
        challenge_id=challenge.pk,
        data={
            "title": "Workers cannot reach the broker",
            "technologies": ["celery"],
            "base_revision": challenge.current_revision_id,
        },
    )
    doc = document("challenge", challenge.pk)
    assert doc.title == "Workers cannot reach the broker"
    assert technology_slugs(doc) == ["celery"]

    challenge_services.challenge_close(actor=staff, challenge_id=challenge.pk)
    assert document("challenge", challenge.pk).status == "closed"
    challenge_services.challenge_reopen(actor=staff, challenge_id=challenge.pk)
    assert document("challenge", challenge.pk).status == "open"

    challenge_services.content_hide(
        actor=staff, target="challenge", target_id=challenge.pk, reason="Spam."
    )
    doc = document("challenge", challenge.pk)
    assert (doc.audience, doc.reader_id) == ("restricted", learner.pk)

    challenge_services.challenge_delete(actor=staff, challenge_id=challenge.pk)
    assert document("challenge", challenge.pk) is None


def test_accepting_a_solution_boosts_it_and_its_challenge_and_moving_the_mark_moves_it(
    learner, other, user_factory, write_challenge
):
    challenge = write_challenge()
    first = challenge_services.solution_create(
        actor=other, challenge_id=challenge.pk, data={"body": "Split the import."}
    )
    second = challenge_services.solution_create(
        actor=user_factory(), challenge_id=challenge.pk, data={"body": "Raise the limit."}
    )
    assert document("solution", first.pk).title == f"Solution: {challenge.title}"
    assert document("solution", first.pk).url == f"/api/v1/solutions/{first.pk}/"

    challenge_services.solution_accept(actor=learner, solution_id=first.pk)
    assert document("challenge", challenge.pk).status == "solved"
    assert document("challenge", challenge.pk).boost == services.BOOST_SOLVED
    assert document("solution", first.pk).status == "accepted"
    assert document("solution", first.pk).boost == services.BOOST_ACCEPTED

    challenge_services.solution_accept(actor=learner, solution_id=second.pk)
    assert document("solution", first.pk).status == ""
    assert document("solution", first.pk).boost == 1.0
    assert document("solution", second.pk).status == "accepted"

    challenge_services.solution_unaccept(actor=learner, solution_id=second.pk)
    assert document("challenge", challenge.pk).status == "open"
    assert document("challenge", challenge.pk).boost == 1.0

    challenge_services.solution_update(
        actor=other, solution_id=first.pk, data={"body": "Use smaller batches."}
    )
    assert document("solution", first.pk).body == "Use smaller batches."

    challenge_services.solution_delete(actor=other, solution_id=first.pk)
    assert document("solution", first.pk) is None
    assert document("solution", second.pk) is not None


DOCUMENT_FIELDS = ("title", "body", "keywords", "url", "status", "audience", "reader_id", "boost")


def test_a_new_solution_is_indexed_as_a_rebuild_would_index_it(
    other, write_challenge, docker_tech, celery_tech
):
    """solution_create indexes the instance it saved, without reading it again; the
    document must be the one a rebuild writes from the database."""
    challenge = write_challenge(technologies=["docker", "celery"], tags=["networking"])
    solution = challenge_services.solution_create(
        actor=other, challenge_id=challenge.pk, data={"body": "Put both on one **network**."}
    )
    # PostgreSQL computes the vectors in the statement that writes the document.
    fields = (
        (*DOCUMENT_FIELDS, "search_vector", "title_vector")
        if settings.IS_POSTGRES
        else DOCUMENT_FIELDS
    )
    written = document("solution", solution.pk)
    as_written = {field: getattr(written, field) for field in fields}
    links_written = technology_slugs(written)
    assert links_written == ["celery", "docker"]
    assert "networking" in written.keywords

    SearchDocument.objects.filter(kind="solution").delete()
    services.reindex(kinds=["solution"])
    rebuilt = document("solution", solution.pk)
    assert {field: getattr(rebuilt, field) for field in fields} == as_written
    assert technology_slugs(rebuilt) == links_written


def test_a_challenges_solutions_are_reindexed_in_batches_with_their_links(
    learner, other, write_challenge, docker_tech, celery_tech, monkeypatch
):
    """Editing a challenge rewrites every solution's document (they carry its title
    and technologies), in statements of UPSERT_BATCH documents on PostgreSQL."""
    monkeypatch.setattr(services, "UPSERT_BATCH", 2)
    challenge = write_challenge(technologies=["docker"])
    solutions = [
        challenge_services.solution_create(
            actor=other, challenge_id=challenge.pk, data={"body": f"Try number {n}."}
        )
        for n in range(5)
    ]

    challenge_services.challenge_update(
        actor=learner,
        challenge_id=challenge.pk,
        data={
            "title": "Workers drop their broker connection",
            "technologies": ["celery"],
            "base_revision": challenge.current_revision_id,
        },
    )

    for solution in solutions:
        doc = document("solution", solution.pk)
        assert doc.title == "Solution: Workers drop their broker connection"
        assert technology_slugs(doc) == ["celery"]


def test_relinking_a_document_adds_new_links_and_drops_old_ones(
    learner, write_challenge, docker_tech, celery_tech
):
    challenge = write_challenge(technologies=["docker"])
    challenge_services.challenge_update(
        actor=learner,
        challenge_id=challenge.pk,
        data={"technologies": ["docker", "celery"]},
    )
    assert technology_slugs(document("challenge", challenge.pk)) == ["celery", "docker"]
    challenge_services.challenge_update(
        actor=learner, challenge_id=challenge.pk, data={"technologies": ["celery"]}
    )
    assert technology_slugs(document("challenge", challenge.pk)) == ["celery"]

    challenge_services.challenge_update(
        actor=learner, challenge_id=challenge.pk, data={"technologies": []}
    )
    assert technology_slugs(document("challenge", challenge.pk)) == []


def test_a_duplicate_ranks_below_its_original(learner, staff, write_challenge):
    original = write_challenge(title="Celery tasks time out on large files")
    duplicate = write_challenge(title="Celery tasks time out on big files")

    challenge_services.challenge_mark_duplicate(
        actor=staff, challenge_id=duplicate.pk, original_id=original.pk
    )

    doc = document("challenge", duplicate.pk)
    assert doc.status == "duplicate"
    assert doc.boost < document("challenge", original.pk).boost


def test_a_guide_is_indexed_through_draft_publication_restore_and_delete(
    learner, staff, write_guide
):
    guide = write_guide(title="Reading query plans", body="Start with **EXPLAIN**.")
    doc = document("guide", guide.pk)
    assert (doc.audience, doc.status, doc.slug) == ("restricted", "draft", guide.slug)
    assert doc.body == "Start with EXPLAIN."  # markup gone, text kept

    first_revision = guide.current_revision_id
    guide = knowledge_services.guide_update(
        actor=learner,
        slug=guide.slug,
        data={
            "status": "published",
            "title": "Reading PostgreSQL plans",
            "base_revision": first_revision,
        },
    )
    doc = document("guide", guide.pk)
    assert (doc.audience, doc.status, doc.title) == ("everyone", "published", guide.title)

    knowledge_services.guide_revision_restore(
        actor=learner, slug=guide.slug, revision_id=first_revision
    )
    assert document("guide", guide.pk).title == "Reading query plans"

    knowledge_services.guide_delete(actor=learner, slug=guide.slug)
    assert document("guide", guide.pk) is None
    knowledge_services.guide_undelete(actor=staff, slug=guide.slug)
    assert document("guide", guide.pk).audience == "everyone"


def test_a_message_is_indexed_as_it_is_posted_edited_and_deleted(
    learner, open_channel, post, docker_tech
):
    channel_services.channel_create(
        actor=learner,
        data={"name": "Docker help", "slug": "docker-help", "technology": "docker"},
    )
    open_channel("secret-room", kind="private")
    message = post("docker-help", "How do I **shrink** my image?")
    secret = post("secret-room", "Our plans")

    doc = document("message", message.pk)
    assert doc.title == "#docker-help: How do I shrink my image?"
    assert doc.url == f"/api/v1/channels/docker-help/messages/{message.pk}/"
    assert (doc.audience, doc.channel_id) == ("members", message.channel_id)
    assert technology_slugs(doc) == ["docker"]
    assert document("message", secret.pk).audience == "restricted"

    channel_services.message_edit(
        actor=learner, message_id=message.pk, data={"body": "Multi-stage builds?"}
    )
    assert document("message", message.pk).body == "Multi-stage builds?"

    channel_services.message_delete(actor=learner, message_id=message.pk)
    assert document("message", message.pk) is None


def test_a_person_is_indexed_when_registering_and_editing_their_profile(db):
    user = account_services.user_register(
        email="ada@example.org", username="ada", password="a-long-test-password-42"
    )
    assert document("user", user.pk).title == "@ada"

    account_services.profile_update(
        user=user, data={"display_name": "Ada Lovelace", "bio": "Engines.", "skills": ["Rust"]}
    )

    doc = document("user", user.pk)
    assert doc.title == "Ada Lovelace (@ada)"
    assert doc.body == "Engines."
    assert "Rust" in doc.keywords
    assert doc.url == "/api/v1/users/ada/"


def test_indexing_what_does_not_exist_removes_nothing_else_and_fails_nothing(write_challenge):
    challenge = write_challenge()

    for kind in ("challenge", "solution", "guide", "message", "user"):
        index_on_commit(kind, 10**9)

    assert list(SearchDocument.objects.values_list("kind", "object_id")) == [
        ("challenge", challenge.pk)
    ]


def test_text_that_could_pass_for_a_highlight_marker_is_not_stored(write_challenge):
    challenge = write_challenge(body=f"Sneaky {services.MARK_START}mark{services.MARK_END} here")

    body = document("challenge", challenge.pk).body

    assert services.MARK_START not in body
    assert services.MARK_END not in body


def test_a_rebuild_writes_what_bulk_loads_missed_and_drops_what_is_gone(
    learner, write_challenge, open_channel, post
):
    challenge = write_challenge()
    open_channel("general")
    message = post("general", "Hello")
    SearchDocument.objects.filter(kind="challenge").delete()
    Message.objects.filter(pk=message.pk).delete()  # gone without the services

    counts = services.reindex(batch_size=1)
    again = services.reindex()

    assert document("challenge", challenge.pk) is not None
    assert document("message", message.pk) is None
    assert counts == again
    assert counts["challenge"] == 1
    assert counts["message"] == 0


def test_the_rebuild_command_takes_kinds_and_refuses_unknown_ones(write_challenge, capsys):
    write_challenge()
    SearchDocument.objects.all().delete()

    call_command("reindex", "--kind", "challenge", "--kind", "guide")

    out = capsys.readouterr().out
    assert "challenge: 1 document(s)" in out
    assert "guide: 0 document(s)" in out
    assert "user:" not in out
    with pytest.raises(ValueError, match="Unknown kinds"):
        services.reindex(kinds=["comment"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_rebuild_command_leaves_the_index_analysed_and_vacuumed(write_challenge):
    from django.db import connection

    write_challenge()
    call_command("reindex", stdout=StringIO())

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relallvisible, relpages, reltuples FROM pg_class WHERE relname = %s",
            [SearchDocument._meta.db_table],
        )
        visible, pages, tuples = cursor.fetchone()
    assert pages > 0
    assert visible == pages
    assert tuples >= 1  # analysed: never-analysed tables say -1


def test_renaming_a_technology_or_a_concept_rewrites_the_documents_carrying_its_name(
    learner,
    other,
    mentor,
    write_challenge,
    write_guide,
    docker_tech,
    celery_tech,
    django_capture_on_commit_callbacks,
):
    ConceptFactory.create(name="Networking", slug="networking")
    linked = write_challenge(technologies=["docker"], concepts=["networking"])
    unlinked = write_challenge(title="Celery beat runs twice", technologies=["celery"])
    solution = challenge_services.solution_create(
        actor=other, challenge_id=linked.pk, data={"body": "Use a user-defined bridge."}
    )
    guide = write_guide(technologies=["docker"], status="published")
    untouched = document("challenge", unlinked.pk).indexed_at

    with django_capture_on_commit_callbacks(execute=True):
        knowledge_services.technology_update(
            actor=mentor, slug="docker", data={"name": "Docker Engine"}
        )
        knowledge_services.concept_update(
            actor=mentor, slug="networking", data={"name": "Container networking"}
        )

    for kind, object_id in [
        ("challenge", linked.pk),
        ("solution", solution.pk),
        ("guide", guide.pk),
    ]:
        assert "Docker Engine" in document(kind, object_id).keywords, kind
    assert "Container networking" in document("challenge", linked.pk).keywords
    # A solution carries its challenge's technologies and tags, not its concepts.
    assert "networking" not in document("solution", solution.pk).keywords.lower()
    assert document("challenge", unlinked.pk).indexed_at == untouched


def test_links_deleted_in_the_admin_leave_the_documents_that_carried_them(
    client,
    user_factory,
    other,
    write_challenge,
    write_guide,
    docker_tech,
    celery_tech,
    django_capture_on_commit_callbacks,
):
    client.force_login(user_factory(username="root-one", is_staff=True, is_superuser=True))
    ConceptFactory.create(name="Bridge networks", slug="bridge-networks")
    linked = write_challenge(
        technologies=["docker", "celery"], concepts=["bridge-networks"], tags=["flaky-compose"]
    )
    solution = challenge_services.solution_create(
        actor=other, challenge_id=linked.pk, data={"body": "Use a user-defined bridge."}
    )
    guide = write_guide(technologies=["docker"], status="published")
    unlinked = write_challenge(title="Celery beat runs twice", technologies=["celery"])
    untouched = document("challenge", unlinked.pk).indexed_at
    tag = Tag.objects.get(name="flaky-compose")
    concept = Concept.objects.get(slug="bridge-networks")

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(
            f"/admin/knowledge/technology/{docker_tech.pk}/delete/", {"post": "yes"}
        )
        assert deleted.status_code == 302, deleted.content
        for model, pk in (("tag", tag.pk), ("concept", concept.pk)):
            action = client.post(
                f"/admin/knowledge/{model}/",
                {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
            )
            assert action.status_code == 302, action.content

    assert not Technology.objects.filter(pk=docker_tech.pk).exists()
    for kind, object_id in [
        ("challenge", linked.pk),
        ("solution", solution.pk),
        ("guide", guide.pk),
    ]:
        keywords = document(kind, object_id).keywords
        assert "Docker" not in keywords, kind
        assert "flaky-compose" not in keywords, kind
        assert "Bridge networks" not in keywords, kind
    assert "Celery" in document("challenge", linked.pk).keywords
    assert technology_slugs(document("solution", solution.pk)) == ["celery"]
    assert document("challenge", unlinked.pk).indexed_at == untouched


def test_documents_are_rewritten_by_kind_and_unknown_kinds_refused(write_challenge):
    challenge = write_challenge()
    indexed_at = document("challenge", challenge.pk).indexed_at

    assert services.index_objects("challenge", [challenge.pk]) == 1
    assert document("challenge", challenge.pk).indexed_at > indexed_at
    with pytest.raises(ValueError, match="Unknown kind"):
        services.index_objects("cohort", [1])


@pytest.mark.django_db  # its callbacks counted, not run at each commit
def test_an_edit_that_keeps_the_name_rewrites_no_document(
    mentor, write_challenge, docker_tech, django_capture_on_commit_callbacks
):
    challenge = write_challenge(technologies=["docker"])
    indexed_at = document("challenge", challenge.pk).indexed_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        knowledge_services.technology_update(
            actor=mentor, slug="docker", data={"summary": "Containers.", "name": "Docker"}
        )

    assert len(callbacks) == 1  # the cache bump, no rewrite
    assert document("challenge", challenge.pk).indexed_at == indexed_at


def test_linked_documents_are_rewritten_in_batches_and_unknown_links_refused(
    other, write_challenge, docker_tech
):
    challenges = [
        write_challenge(title=f"Compose fails {n}", technologies=["docker"]) for n in range(3)
    ]
    challenge_services.solution_create(
        actor=other, challenge_id=challenges[0].pk, data={"body": "Pin the version."}
    )
    docker_tech.name = "Moby"
    docker_tech.save()

    assert services.index_linked("technology", docker_tech.pk, batch_size=2) == 4
    assert all("Moby" in document("challenge", c.pk).keywords for c in challenges)
    with pytest.raises(ValueError, match="Unknown link"):
        services.index_linked("cohort", 1)


def test_a_write_that_rolls_back_leaves_the_index_as_it_was(learner, write_challenge):
    challenge = write_challenge(title="Compose cannot reach the database")

    def rename_then_fail() -> None:
        with transaction.atomic():
            challenge_services.challenge_update(
                actor=learner,
                challenge_id=challenge.pk,
                data={
                    "title": "Renamed, then undone",
                    "base_revision": challenge.current_revision_id,
                },
            )
            raise RuntimeError("the rest of the request failed")

    with pytest.raises(RuntimeError):
        rename_then_fail()

    assert document("challenge", challenge.pk).title == "Compose cannot reach the database"
    assert SearchDocument.objects.filter(title="Renamed, then undone").count() == 0


def test_a_committed_write_is_found(api_client, write_guide):
    guide = write_guide(title="Reading query plans", body="EXPLAIN ANALYZE", status="published")

    results = api_client.get("/api/v1/search/", {"q": "query plans"}).json()["results"]

    assert [(result["type"], result["id"]) for result in results] == [("guide", guide.pk)]
