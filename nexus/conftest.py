"""Fixtures the apps' tests share: people by role, technologies, committed writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nexus.knowledge.tests.factories import TechnologyFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a write as if its transaction committed, so after-commit work (indexing,
    publishing events, queueing sends) happens, including what that work queues in turn."""

    def run(write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def mentor(user_factory: Any) -> Any:
    return user_factory(username="mentor-one", role="mentor")


@pytest.fixture
def staff(user_factory: Any) -> Any:
    return user_factory(username="staff-one", role="staff")


@pytest.fixture
def django_tech(db: None) -> Any:
    return TechnologyFactory.create(name="Django", slug="django")


@pytest.fixture
def celery_tech(db: None) -> Any:
    return TechnologyFactory.create(name="Celery", slug="celery", category="messaging")


@pytest.fixture
def react_tech(db: None) -> Any:
    return TechnologyFactory.create(name="React", slug="react")
