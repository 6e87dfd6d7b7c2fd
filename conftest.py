"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

# Under CI every service is real: a test that needs one may not skip.
SERVICES_REQUIRED = os.environ.get("NEXUS_REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    if not SERVICES_REQUIRED:
        return
    missing = [
        name
        for name, present in (
            ("DATABASE_URL (PostgreSQL)", settings.IS_POSTGRES),
            ("REDIS_URL", bool(settings.REDIS_URL)),
            ("CELERY_BROKER_URL", bool(settings.CELERY_BROKER_URL)),
        )
        if not present
    ]
    if missing:
        pytest.exit(f"NEXUS_REQUIRE_SERVICES=1 but not configured: {', '.join(missing)}", 3)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "broker" in item.keywords and not settings.CELERY_BROKER_URL:
            item.add_marker(pytest.mark.skip(reason="needs a broker: set CELERY_BROKER_URL"))


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that check hashing opt back in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unreachable_cache(settings: Any) -> Iterator[None]:
    """The cache on a Redis nobody listens on, errors ignored: Redis down."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    yield
    caches["default"].close()


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    from nexus.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _local_email(settings: Any) -> None:
    # Tests never talk to an outside mail server; mail.outbox collects what is sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_factory(db: None) -> Callable[..., Any]:
    from nexus.accounts.tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def learner(user_factory: Callable[..., Any]) -> Any:
    return user_factory(username="learner-one", email="learner.one@example.org")


@pytest.fixture
def auth_client(learner: Any) -> APIClient:
    """An API client authenticated as `learner` with a real access token."""
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    token = RefreshToken.for_user(learner).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def client_for(user: Any) -> APIClient:
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def as_user() -> Callable[[Any], APIClient]:
    return client_for


@pytest.fixture
def db_vendor(db: None) -> str:
    return connection.vendor


@pytest.fixture
def free_port() -> int:
    """A loopback port that nothing holds, for a server the test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Reply(dict[str, Any]):
    """A GraphQL response body, with its parts the tests read."""

    @property
    def data(self) -> Any:
        assert "errors" not in self, self
        return self["data"]

    @property
    def error(self) -> dict[str, Any]:
        """The first error's extensions: `code`, field `errors`..."""
        return self["errors"][0]["extensions"]  # type: ignore[no-any-return]

    @property
    def error_code(self) -> str:
        return self.error["code"]  # type: ignore[no-any-return]


class GraphQL:
    """Sends queries to `/graphql/` as a client does: a JSON POST, with a
    Bearer token when `as_user` is given."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_user: Any = None,
        client: Client | None = None,
        **headers: Any,
    ) -> Any:
        """The response, as the test client gives it."""
        if as_user is not None:
            from rest_framework_simplejwt.tokens import AccessToken

            headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(as_user)}"
        return (client or self.client).post(
            "/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
            **headers,
        )

    def __call__(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Reply:
        return Reply(self.post(query, variables, **kwargs).json())

    def data(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self(query, variables, **kwargs).data

    def error(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self(query, variables, **kwargs).error

    def error_code(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> str:
        return self(query, variables, **kwargs).error_code

    def queries(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> tuple[Any, int]:
        """The answer's data and how many SQL queries it took."""
        with CaptureQueriesContext(connection) as captured:
            answer = self.data(query, variables, **kwargs)
        return answer, len(captured)

    def walk(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> list[Any]:
        """Every item of the one paged list `query` selects, following
        `pageInfo.endCursor` through `$after` until `hasNextPage` is false."""
        items: list[Any] = []
        after = None
        for _ in range(1000):
            (page,) = self.data(query, {**(variables or {}), "after": after}, **kwargs).values()
            items += page["results"]
            if not page["pageInfo"]["hasNextPage"]:
                return items
            after = page["pageInfo"]["endCursor"]
        raise AssertionError("the pages never ended")


@pytest.fixture
def gql(client: Client) -> GraphQL:
    return GraphQL(client)
