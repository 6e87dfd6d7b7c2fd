from __future__ import annotations

from typing import Any

import pytest

from nexus.knowledge.tests.factories import TechnologyFactory


@pytest.fixture
def django_tech(db: None) -> Any:
    return TechnologyFactory.create(name="Django", slug="django")


@pytest.fixture
def react_tech(db: None) -> Any:
    return TechnologyFactory.create(name="React", slug="react")


@pytest.fixture
def mentor(user_factory: Any) -> Any:
    return user_factory(username="mentor-one", role="mentor")


@pytest.fixture
def staff(user_factory: Any) -> Any:
    return user_factory(username="staff-one", role="staff")
