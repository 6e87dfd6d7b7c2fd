from __future__ import annotations

from typing import Any

import pytest

from nexus.challenges import services
from nexus.knowledge.tests.factories import TechnologyFactory


@pytest.fixture
def celery_tech(db: None) -> Any:
    return TechnologyFactory.create(name="Celery", slug="celery", category="messaging")


@pytest.fixture
def peer(user_factory: Any) -> Any:
    return user_factory(username="peer-one")


@pytest.fixture
def peer_two(user_factory: Any) -> Any:
    return user_factory(username="peer-two")


@pytest.fixture
def staff(user_factory: Any) -> Any:
    return user_factory(username="staff-one", role="staff")


@pytest.fixture
def make_challenge(learner: Any, celery_tech: Any) -> Any:
    def make(author: Any = None, **data: Any) -> Any:
        fields = {
            "title": "Celery tasks fail after ten minutes",
            "body": "My long task is killed. I tried raising the timeout.",
            "technologies": ["celery"],
            **data,
        }
        return services.challenge_create(actor=author or learner, data=fields)

    return make


@pytest.fixture
def solve(peer: Any) -> Any:
    def solve_(challenge: Any, author: Any = None, body: str = "Split the task up.") -> Any:
        return services.solution_create(
            actor=author or peer, challenge_id=challenge.pk, data={"body": body}
        )

    return solve_
