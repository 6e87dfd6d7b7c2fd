from __future__ import annotations

from typing import Any

import pytest

from nexus.knowledge import services
from nexus.knowledge.tests.factories import ConceptFactory


@pytest.fixture
def caching(db: None) -> Any:
    return ConceptFactory.create(name="Caching Strategies", slug="caching-strategies")


@pytest.fixture
def other_learner(user_factory: Any) -> Any:
    return user_factory(username="learner-two")


@pytest.fixture
def make_guide(learner: Any, django_tech: Any) -> Any:
    def make(author: Any = None, **data: Any) -> Any:
        body = {"title": "Caching views in Django", "body": "Use `cache_page`.", **data}
        return services.guide_create(actor=author or learner, data=body)

    return make
