"""The PostgreSQL backend pings a reused connection only after it sat idle."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import close_old_connections, connection

from nexus.core.postgresql import base

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def terminate(pid: int) -> None:
    """End a server process from outside, as a server restart or a proxy would."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every health check's outcome, the real check still run."""
    seen: list[bool] = []
    real = base.DatabaseWrapper.is_usable

    def counted(self: Any) -> bool:
        seen.append(usable := real(self))
        return usable

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", counted)
    return seen


def test_a_connection_busy_a_moment_ago_is_reused_without_a_ping(pings: list[bool]) -> None:
    pid = backend_pid()
    for _ in range(3):  # request ends, the next begins and queries
        close_old_connections()
        assert backend_pid() == pid
    assert pings == []


def test_an_idle_connection_the_server_dropped_is_replaced_before_it_fails_a_request(
    pings: list[bool],
) -> None:
    pid = backend_pid()
    close_old_connections()
    terminate(pid)
    connection.last_request_done -= base.IDLE_BEFORE_CHECK + 1  # type: ignore[attr-defined]  # it sat idle since

    assert backend_pid() != pid  # the next request's first query simply works
    assert pings == [False]
