"""Hot anonymous reads are cached, and every write that changes them is seen at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from nexus.accounts import services as account_services
from nexus.challenges import services as challenge_services
from nexus.collaboration.services import reviews as review_services
from nexus.core import cache as nexus_cache
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Technology
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(user_factory) -> dict[str, Any]:
    TechnologyFactory.create(name="Celery", slug="celery", category="messaging")
    author = user_factory(username="author-one")
    peer = user_factory(username="peer-one")
    staff = user_factory(username="staff-one", role="staff")
    mentor = user_factory(username="mentor-one", role="mentor")
    challenge = challenge_services.challenge_create(
        actor=author,
        data={
            "title": "Celery tasks fail after ten minutes",
            "body": "It dies.",
            "technologies": ["celery"],
        },
    )
    solution = challenge_services.solution_create(
        actor=peer, challenge_id=challenge.pk, data={"body": "Chunk it."}
    )
    guide = knowledge_services.guide_create(
        actor=author,
        data={"title": "Celery notes", "body": "First.", "status": "published"},
    )
    return {
        "author": author,
        "peer": peer,
        "staff": staff,
        "mentor": mentor,
        "challenge": challenge,
        "solution": solution,
        "guide": guide,
    }


def fetch(client: Client, url: str) -> tuple[bytes, str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.content, response["X-Cache"]


def test_a_repeated_anonymous_read_is_a_cache_hit_with_an_etag(client, world):
    url = f"/api/v1/challenges/{world['challenge'].pk}/"
    first = client.get(url)
    second = client.get(url)
    conditional = client.get(url, HTTP_IF_NONE_MATCH=second["ETag"])

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert conditional.status_code == 304
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_signed_in_reads_are_not_cached(client, world, as_user):
    url = "/api/v1/challenges/"
    fetch(client, url)

    signed_in = as_user(world["peer"]).get(url)

    assert "X-Cache" not in signed_in


def test_a_later_page_is_cached_on_its_own_and_a_write_moves_it_on(client, world):
    challenge_services.challenge_create(
        actor=world["peer"], data={"title": "Redis keys vanish overnight", "body": "Gone."}
    )
    later = client.get("/api/v1/challenges/?page_size=1").json()["next"]

    first, again = client.get(later), client.get(later)
    challenge_services.challenge_create(
        actor=world["peer"], data={"title": "Nginx drops the upgrade header", "body": "Why?"}
    )
    after_write = client.get(later)

    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert [c["title"] for c in first.json()["results"]] == ["Celery tasks fail after ten minutes"]
    assert after_write["X-Cache"] == "miss"


def test_with_the_cache_unreachable_every_read_still_succeeds(client, world, unreachable_cache):
    for _ in range(2):
        assert client.get(f"/api/v1/challenges/{world['challenge'].pk}/").status_code == 200
        assert client.get("/api/v1/technologies/").status_code == 200


def test_a_bump_moves_only_its_namespaces_to_a_later_version():
    nexus_cache.bump("challenges", "guides")
    before = nexus_cache.versions(nexus_cache.NAMESPACES)

    nexus_cache.bump("challenges", "leaderboard")

    after = nexus_cache.versions(nexus_cache.NAMESPACES)
    assert after["challenges"] > before["challenges"]
    assert after["leaderboard"] > before["leaderboard"]
    assert after["guides"] == before["guides"]
    assert after["reference"] == before["reference"]


def test_with_the_cache_unreachable_a_write_still_succeeds(as_user, world, unreachable_cache):
    answered = as_user(world["author"]).post(
        f"/api/v1/challenges/{world['challenge'].pk}/solutions/", {"body": "Retry it."}
    )

    assert answered.status_code == 201, answered.content
    nexus_cache.bump("challenges")  # and a bump on its own, outside a request


WritePath = Callable[[dict[str, Any]], Any]

WRITES: list[tuple[str, str, WritePath, str]] = [
    (
        "a new challenge shows in the list",
        "/api/v1/challenges/",
        lambda w: challenge_services.challenge_create(
            actor=w["peer"], data={"title": "Flower shows no workers", "body": "Empty."}
        ),
        "Flower shows no workers",
    ),
    (
        "an edit shows in the detail",
        "/api/v1/challenges/{challenge}/",
        lambda w: challenge_services.challenge_update(
            actor=w["author"],
            challenge_id=w["challenge"].pk,
            data={"body": "Edited body", "base_revision": w["challenge"].current_revision_id},
        ),
        "Edited body",
    ),
    (
        "a new solution shows in the detail",
        "/api/v1/challenges/{challenge}/",
        lambda w: challenge_services.solution_create(
            actor=w["mentor"], challenge_id=w["challenge"].pk, data={"body": "Use acks_late"}
        ),
        "Use acks_late",
    ),
    (
        "an accepted solution shows the challenge solved",
        "/api/v1/challenges/",
        lambda w: challenge_services.solution_accept(
            actor=w["author"], solution_id=w["solution"].pk
        ),
        '"status":"solved"',
    ),
    (
        "a vote moves the score in the list",
        "/api/v1/challenges/?ordering=-score",
        lambda w: challenge_services.vote_cast(
            actor=w["peer"], target="challenge", target_id=w["challenge"].pk, value=1
        ),
        '"score":1',
    ),
    (
        "a vote moves the leaderboard",
        "/api/v1/leaderboard/",
        lambda w: challenge_services.vote_cast(
            actor=w["author"], target="solution", target_id=w["solution"].pk, value=1
        ),
        "peer-one",
    ),
    (
        "a comment shows in the detail",
        "/api/v1/challenges/{challenge}/",
        lambda w: challenge_services.comment_create(
            actor=w["peer"],
            target="challenge",
            target_id=w["challenge"].pk,
            data={"body": "Which broker?"},
        ),
        "Which broker?",
    ),
    (
        "closing shows in the detail",
        "/api/v1/challenges/{challenge}/",
        lambda w: challenge_services.challenge_close(
            actor=w["staff"], challenge_id=w["challenge"].pk
        ),
        '"status":"closed"',
    ),
    (
        "a guide edit shows in the guide",
        "/api/v1/guides/{guide}/",
        lambda w: knowledge_services.guide_update(
            actor=w["author"],
            slug=w["guide"].slug,
            data={"body": "Second.", "base_revision": w["guide"].current_revision_id},
        ),
        "Second.",
    ),
    (
        "a technology edit shows in the list",
        "/api/v1/technologies/",
        lambda w: knowledge_services.technology_update(
            actor=w["mentor"], slug="celery", data={"summary": "Task queue."}
        ),
        "Task queue.",
    ),
    (
        "a renamed technology shows in the challenge list",
        "/api/v1/challenges/",
        lambda w: knowledge_services.technology_update(
            actor=w["mentor"], slug="celery", data={"name": "Celery Five"}
        ),
        "Celery Five",
    ),
    (
        "a renamed technology shows in the challenge detail",
        "/api/v1/challenges/{challenge}/",
        lambda w: knowledge_services.technology_update(
            actor=w["mentor"], slug="celery", data={"name": "Celery Five"}
        ),
        "Celery Five",
    ),
    (
        "a new technology shows in the list",
        "/api/v1/technologies/",
        lambda w: knowledge_services.technology_create(
            actor=w["mentor"], data={"name": "RabbitMQ", "category": "messaging"}
        ),
        "RabbitMQ",
    ),
    (
        "a published guide shows on its technology",
        "/api/v1/technologies/celery/",
        lambda w: _publish_celery_guide(w),
        "Retrying Celery tasks",
    ),
    (
        "a published guide counts on its technology in the list",
        "/api/v1/technologies/",
        lambda w: _publish_celery_guide(w),
        '"guide_count":1',
    ),
    (
        "a guide linked in an edit counts on its technology",
        "/api/v1/technologies/",
        lambda w: knowledge_services.guide_update(
            actor=w["author"], slug=w["guide"].slug, data={"technologies": ["celery"]}
        ),
        '"guide_count":1',
    ),
    (
        "a renamed author shows in the list",
        "/api/v1/challenges/",
        lambda w: account_services.profile_update(
            user=w["author"], data={"display_name": "Ada Renamed"}
        ),
        "Ada Renamed",
    ),
    (
        "helpful review feedback moves the leaderboard",
        "/api/v1/leaderboard/?period=30d",
        lambda w: _helpful_feedback(w),
        "mentor-one",
    ),
]


def _publish_celery_guide(w: dict[str, Any]) -> None:
    knowledge_services.guide_create(
        actor=w["peer"],
        data={
            "title": "Retrying Celery tasks",
            "body": "x",
            "status": "published",
            "technologies": ["celery"],
        },
    )


def _helpful_feedback(w: dict[str, Any]) -> None:
    review = review_services.review_request_create(
        actor=w["author"],
        data={"title": "Review my API", "url": "https://github.com/a/b/pull/1"},
    )
    review_services.review_request_claim(actor=w["mentor"], request_id=review.pk)
    feedback = review_services.review_feedback_create(
        actor=w["mentor"], request_id=review.pk, data={"verdict": "approve", "body": "Good."}
    )
    review_services.review_feedback_set_helpful(
        actor=w["author"], request_id=review.pk, feedback_id=feedback.pk, helpful=True
    )


@pytest.mark.parametrize(
    ("case", "url", "write", "expected"), WRITES, ids=[case for case, *_ in WRITES]
)
def test_every_write_path_is_seen_by_the_next_anonymous_read(
    client, world, case, url, write, expected
):
    page = url.format(challenge=world["challenge"].pk, guide=world["guide"].slug)
    fetch(client, page)
    before, state = fetch(client, page)
    assert state == "hit"
    if expected in before.decode():
        pytest.fail(f"{case}: the page shows the change before it was made")

    write(world)

    after, _ = fetch(client, page)
    assert expected in after.decode(), case


def test_edits_in_the_admin_are_seen_by_the_next_anonymous_read(client, world, user_factory):
    list_url, author = "/api/v1/challenges/", world["author"]
    fetch(client, list_url)
    assert fetch(client, list_url)[1] == "hit"
    staff = Client()
    staff.force_login(user_factory(username="root-one", is_staff=True, is_superuser=True))
    celery = Technology.objects.get(slug="celery")

    renamed = staff.post(
        f"/admin/knowledge/technology/{celery.pk}/change/",
        {"name": "Celery Five", "slug": "celery", "category": "messaging", "summary": ""},
    )
    assert renamed.status_code == 302, renamed.content
    assert "Celery Five" in fetch(client, list_url)[0].decode()

    profile = author.profile
    moved = staff.post(
        f"/admin/accounts/user/{author.pk}/change/",
        {
            "email": author.email,
            "username": "author-renamed",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": str(profile.pk),
            "profile-0-user": str(author.pk),
            "profile-0-role": profile.role,
            "profile-0-track": profile.track,
            "profile-0-display_name": profile.display_name,
            "profile-0-timezone": profile.timezone,
            "profile-0-reputation": str(profile.reputation),
        },
    )
    assert moved.status_code == 302, moved.content
    assert "author-renamed" in fetch(client, list_url)[0].decode()

    deleted = staff.post(f"/admin/knowledge/technology/{celery.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302, deleted.content
    assert "Celery Five" not in fetch(client, list_url)[0].decode()


def test_hiding_a_challenge_removes_it_from_the_cached_list(client, world):
    fetch(client, "/api/v1/challenges/")
    assert str(world["challenge"].pk).encode() in fetch(client, "/api/v1/challenges/")[0]

    challenge_services.content_hide(
        actor=world["staff"], target="challenge", target_id=world["challenge"].pk, reason="Spam"
    )

    assert f'"id":{world["challenge"].pk},' not in fetch(client, "/api/v1/challenges/")[0].decode()


def test_the_cache_keeps_no_page_under_a_version_it_never_gave(client, world):
    cache.clear()

    first = client.get("/api/v1/tags/")
    second = client.get("/api/v1/tags/")
    third = client.get("/api/v1/tags/")

    assert [first["X-Cache"], second["X-Cache"], third["X-Cache"]] == ["miss", "miss", "hit"]


SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


def assert_security_headers(response: Any) -> None:
    for name in SECURITY_HEADERS:
        assert response.has_header(name), name
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def cached(client: Client, url: str, **headers: str) -> tuple[Any, Any]:
    """The miss that stored the page, and the hit after it."""
    miss = client.get(url, headers=headers)
    hit = client.get(url, headers=headers)
    while hit["X-Cache"] != "hit":  # a first use only gives the namespaces a version
        miss, hit = hit, client.get(url, headers=headers)
    return miss, hit


def test_a_hit_carries_the_same_headers_as_a_miss(client, world):
    cache.clear()
    miss, hit = cached(client, "/api/v1/challenges/", origin="http://localhost:3000")

    assert (miss["X-Cache"], hit["X-Cache"]) == ("miss", "hit")
    assert hit.content == miss.content
    per_request = {"X-Cache", "X-Request-ID"}
    assert {k: v for k, v in hit.items() if k not in per_request} == {
        k: v for k, v in miss.items() if k not in per_request
    }
    assert_security_headers(hit)
    assert hit["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_a_not_modified_answer_to_a_cached_page_carries_the_security_headers(client, world):
    _, hit = cached(client, "/api/v1/challenges/")

    conditional = client.get("/api/v1/challenges/", headers={"if-none-match": hit["ETag"]})

    assert conditional.status_code == 304
    assert_security_headers(conditional)
    assert conditional["ETag"] == hit["ETag"]


def test_a_body_too_large_is_refused_with_the_security_and_cors_headers(client, settings):
    settings.MAX_REQUEST_BYTES = 10

    response = client.post(
        "/api/v1/challenges/",
        data=b'{"title": "far too long a body"}',
        content_type="application/json",
        headers={"origin": "http://localhost:3000"},
    )

    assert response.status_code == 413
    assert_security_headers(response)
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_a_page_cached_through_one_host_is_not_served_to_another(client, world, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    challenge_services.challenge_create(
        actor=world["peer"], data={"title": "Flower shows no workers", "body": "Empty."}
    )
    url = "/api/v1/challenges/?page_size=1"
    _, hit = cached(client, url, host="one.example")
    assert hit.json()["next"].startswith("http://one.example/")

    other_host = client.get(url, headers={"host": "two.example"})
    over_tls = client.get(url, headers={"host": "one.example"}, secure=True)

    assert other_host["X-Cache"] == over_tls["X-Cache"] == "miss"
    assert other_host.json()["next"].startswith("http://two.example/")
    assert over_tls.json()["next"].startswith("https://one.example/")


def test_another_accept_or_origin_is_another_entry(client, world):
    url = "/api/v1/challenges/"
    _, plain = cached(client, url, accept="application/json")

    indented = client.get(url, headers={"accept": "application/json; indent=4"})
    from_an_app = client.get(
        url, headers={"accept": "application/json", "origin": "http://localhost:5173"}
    )

    assert indented["X-Cache"] == from_an_app["X-Cache"] == "miss"
    assert indented.content != plain.content
    assert indented.content.startswith(b'{\n    "')
    assert "Access-Control-Allow-Origin" not in plain
    assert from_an_app["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "origin" in from_an_app["Vary"].lower()
