"""`rows.insert` writes a new object as `save()` would, in one INSERT."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services as challenge_services
from nexus.challenges.models import Follow, Solution
from nexus.core import rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(user_factory):
    return user_factory(username="peer-one")


@pytest.fixture
def challenge(user_factory):
    return challenge_services.challenge_create(
        actor=user_factory(), data={"title": "Celery tasks fail", "body": "It dies."}
    )


def test_an_inserted_object_reads_back_as_saved_with_its_defaults_and_dates(challenge, peer):
    solution = Solution(challenge=challenge, author=peer, body="Split it.", body_html="<p>x</p>")

    with CaptureQueriesContext(connection) as queries:
        assert rows.insert(solution, connections["default"])

    assert len(queries) == 1
    assert solution.pk is not None
    assert not solution._state.adding
    stored = Solution.objects.get(pk=solution.pk)
    assert (stored.challenge_id, stored.author_id, stored.body) == (
        challenge.pk,
        peer.pk,
        "Split it.",
    )
    assert (stored.score, stored.is_accepted, stored.comment_count, stored.is_hidden) == (
        0,
        False,
        0,
        False,
    )
    assert stored.created_at == solution.created_at
    assert stored.updated_at == solution.updated_at
    assert stored.created_at is not None


def test_a_conflicting_insert_is_skipped_when_asked(challenge, peer):
    assert rows.insert(
        Follow(user=peer, challenge=challenge), connections["default"], skip_conflicts=True
    )
    again = Follow(user=peer, challenge=challenge)

    written = rows.insert(again, connections["default"], skip_conflicts=True)

    assert written is not connection.features.can_return_columns_from_insert
    assert Follow.objects.filter(user=peer, challenge=challenge).count() == 1
