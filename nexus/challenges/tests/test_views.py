"""Counting a challenge's views: every read counts once, cached or not, and with
Redis a read writes no row until the periodic flush."""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache as django_cache
from redis.exceptions import RedisError

from nexus.challenges import services
from nexus.challenges.models import Challenge
from nexus.core import cache

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(cache.redis_client() is None, reason="needs Redis: set REDIS_URL")


@pytest.fixture(autouse=True)
def empty_views_buffer():
    def empty():
        redis = cache.redis_client()
        if redis is not None:
            pending = django_cache.make_key(services.VIEWS_KEY)
            with contextlib.suppress(RedisError):  # the test that makes Redis unreachable
                redis.delete(pending, f"{pending}:flushing", f"{pending}:lock")

    empty()
    yield
    empty()


def views(challenge):
    return Challenge.objects.get(pk=challenge.pk).view_count


def test_every_read_of_a_challenge_counts_once_cached_or_not(
    api_client, as_user, peer, make_challenge
):
    challenge = make_challenge()
    url = f"/api/v1/challenges/{challenge.pk}/"

    anonymous = [api_client.get(url) for _ in range(3)]  # the cache warms, then answers
    signed_in = as_user(peer).get(url)
    services.challenge_flush_views()
    counted = views(challenge)
    services.challenge_flush_views()

    assert anonymous[-1]["X-Cache"] == "hit"
    assert signed_in.status_code == 200
    assert (counted, views(challenge)) == (4, 4)


@needs_redis
def test_with_redis_a_read_writes_no_row_until_the_flush(api_client, make_challenge):
    challenge = make_challenge()
    api_client.get(f"/api/v1/challenges/{challenge.pk}/")

    before = views(challenge)
    flushed = services.challenge_flush_views()

    assert (before, flushed, views(challenge)) == (0, 1, 1)


@needs_redis
def test_a_flush_that_failed_is_finished_by_the_next_and_nothing_is_lost(make_challenge):
    challenge, other = make_challenge(), make_challenge()
    redis = cache.redis_client()
    assert redis is not None
    pending = django_cache.make_key(services.VIEWS_KEY)
    for _ in range(2):
        services.challenge_record_view(challenge_id=challenge.pk)
    redis.rename(pending, f"{pending}:flushing")  # as a flush that died after renaming
    services.challenge_record_view(challenge_id=other.pk)

    services.challenge_flush_views()
    after_first = (views(challenge), views(other))
    services.challenge_flush_views()

    assert after_first == (2, 0)
    assert (views(challenge), views(other)) == (2, 1)


def test_with_redis_unreachable_views_are_counted_in_sql(client, make_challenge, request):
    challenge = make_challenge()  # written while the cache still works
    request.getfixturevalue("unreachable_cache")

    answered = client.get(f"/api/v1/challenges/{challenge.pk}/")

    assert answered.status_code == 200
    assert views(challenge) == 1


@needs_redis
def test_a_flush_while_another_runs_adds_nothing_so_no_view_counts_twice(make_challenge):
    challenge = make_challenge()
    redis = cache.redis_client()
    assert redis is not None
    services.challenge_record_view(challenge_id=challenge.pk)
    running = redis.lock(f"{django_cache.make_key(services.VIEWS_KEY)}:lock", timeout=10)
    assert running.acquire(blocking=False)
    try:
        during = services.challenge_flush_views()
    finally:
        running.release()
    after = services.challenge_flush_views()

    assert (during, after, views(challenge)) == (0, 1, 1)
