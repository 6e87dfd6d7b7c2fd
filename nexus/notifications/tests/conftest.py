from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nexus.knowledge.tests.factories import TechnologyFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a write as if its transaction committed, so after-commit work (publishing
    events, queueing sends) happens, including what that work queues in turn."""

    def run(write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def celery_tech(db: None) -> Any:
    return TechnologyFactory.create(name="Celery", slug="celery", category="messaging")


@pytest.fixture
def peer(user_factory: Any) -> Any:
    return user_factory(username="peer-one", email="peer.one@example.org")


@pytest.fixture
def staff(user_factory: Any) -> Any:
    return user_factory(username="staff-one", role="staff")


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
