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


def test_timestamps_are_read_by_the_compiled_loader_in_utc() -> None:
    import datetime

    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0) is base.UtcTimestampLoader
        cursor.execute(
            "SELECT '2026-01-02 03:04:05.123456+02'::timestamptz, NULL::timestamptz, "
            "'0001-01-01 00:00:00+00'::timestamptz"
        )
        instant, nothing, earliest = cursor.fetchone()

    assert instant == datetime.datetime(2026, 1, 2, 1, 4, 5, 123456, tzinfo=datetime.UTC)
    assert instant.tzinfo is datetime.UTC
    assert nothing is None
    assert earliest == datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def test_a_saved_date_reads_back_the_same(user_factory: Any) -> None:
    import datetime

    from nexus.accounts.models import User

    joined = datetime.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.UTC)
    user = user_factory(date_joined=joined)

    assert User.objects.get(pk=user.pk).date_joined == joined
