from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def peer(user_factory: Any) -> Any:
    return user_factory(username="peer-one", email="peer.one@example.org")


@pytest.fixture
def challenge(learner: Any, celery_tech: Any, committed: Any) -> Any:
    from nexus.challenges import services

    return committed(
        services.challenge_create,
        actor=learner,
        data={
            "title": "Celery tasks fail after ten minutes",
            "body": "My long task is killed.",
            "technologies": ["celery"],
        },
    )
