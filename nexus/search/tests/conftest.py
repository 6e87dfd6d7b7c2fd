from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from nexus.challenges import services as challenge_services
from nexus.collaboration.services import channels as channel_services
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.tests.factories import TechnologyFactory

SEARCH_URL = "/api/v1/search/"
SUGGEST_URL = "/api/v1/search/suggest/"


def found(response: Any) -> list[tuple[str, int]]:
    """The (type, id) of each result of a search response, in order."""
    assert response.status_code == 200, response.content
    return [(result["type"], result["id"]) for result in response.json()["results"]]


@pytest.fixture
def demo(db: None, committed: Any) -> None:
    """The demo content, indexed as it is written: people included, so a search
    finds them right after `load_demo`, with no rebuild."""
    committed(call_command, "load_demo", stdout=io.StringIO())


@pytest.fixture
def other(user_factory: Any) -> Any:
    return user_factory(username="learner-two")


@pytest.fixture
def docker_tech(db: None) -> Any:
    return TechnologyFactory.create(name="Docker", slug="docker", category="container")


@pytest.fixture
def write_challenge(learner: Any, committed: Any) -> Any:
    def write(author: Any = None, **data: Any) -> Any:
        fields = {
            "title": "Workers keep dying on the nightly import",
            "body": "The import task stops halfway every night.",
            **data,
        }
        return committed(challenge_services.challenge_create, actor=author or learner, data=fields)

    return write


@pytest.fixture
def write_guide(learner: Any, committed: Any) -> Any:
    def write(author: Any = None, **data: Any) -> Any:
        fields = {"title": "Reading query plans", "body": "EXPLAIN shows the plan.", **data}
        return committed(knowledge_services.guide_create, actor=author or learner, data=fields)

    return write


@pytest.fixture
def open_channel(learner: Any, committed: Any) -> Any:
    def open_(slug: str, kind: str = "public", owner: Any = None) -> Any:
        return committed(
            channel_services.channel_create,
            actor=owner or learner,
            data={"name": slug, "slug": slug, "kind": kind},
        )

    return open_


@pytest.fixture
def post(learner: Any, committed: Any) -> Any:
    def post_(slug: str, body: str, author: Any = None) -> Any:
        return committed(
            channel_services.message_post, actor=author or learner, slug=slug, data={"body": body}
        )

    return post_
