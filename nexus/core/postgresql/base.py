"""Django's PostgreSQL backend, with a health check that skips busy connections
and timestamps read by psycopg's compiled loader.

With CONN_HEALTH_CHECKS, Django pings a persistent connection (`SELECT 1`)
before the first query of every request, so a connection the server dropped
while it sat idle is replaced instead of failing the request. Under load that
ping was a round trip on every request (about 5% of a post's time, measured
by sampling a gunicorn worker). A connection that finished a request moments
ago is as alive as a ping would show, so it is pinged only after it has been
idle for `IDLE_BEFORE_CHECK` seconds.

Django reads `timestamptz` values with a Python subclass of psycopg's loader,
which keeps psycopg from using its compiled one: about 3-5 us a value against
0.4-0.6, and a page of 20 challenges carries 60 of them. With the session in
UTC, as Django sets it, the compiled loader gives the same values, in
`datetime.UTC`, so the connection uses it (`UtcTimestampLoader`).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.db.backends.postgresql import base
from psycopg import adapt, adapters
from psycopg.types.datetime import TimestamptzLoader

# Long enough to skip the ping between requests of a busy worker, far shorter
# than any idle timeout a server or a network device applies.
IDLE_BEFORE_CHECK = 2.0


# psycopg's compiled loader where the C extension is installed, else its Python one.
_COMPILED_TIMESTAMPTZ_LOADER: Any = adapters._get_optimised(TimestamptzLoader)


class UtcTimestampLoader(adapt.Loader):
    """`timestamptz` values as the compiled loader reads them, for a session in UTC.

    Django checks the `timezone` of the connection's loader before each cursor
    (and replaces a loader that disagrees); the compiled class, final, cannot
    carry one, so this loader does and hands each value to a compiled one.
    """

    timezone = datetime.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        # An attribute, so psycopg calls the compiled method without a Python frame.
        self.load = _COMPILED_TIMESTAMPTZ_LOADER(oid, context).load  # type: ignore[method-assign]

    def load(self, data: Any) -> datetime.datetime:  # replaced in __init__
        raise NotImplementedError


class DatabaseWrapper(base.DatabaseWrapper):
    last_request_done: float | None = None

    def init_connection_state(self) -> None:
        """After Django sets the session's time zone: the compiled loader, if it is UTC."""
        super().init_connection_state()
        if (
            self.connection is not None
            and self.timezone is datetime.UTC
            and self.connection.info.parameter_status("TimeZone") == "UTC"
        ):
            self.connection.adapters.register_loader("timestamptz", UtcTimestampLoader)

    def close_if_unusable_or_obsolete(self) -> None:
        """At each request's start and end: note when the connection was last used."""
        super().close_if_unusable_or_obsolete()
        self.last_request_done = time.monotonic() if self.connection is not None else None

    def close_if_health_check_failed(self) -> None:
        recently_used = (
            self.last_request_done is not None
            and time.monotonic() - self.last_request_done < IDLE_BEFORE_CHECK
        )
        if recently_used:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
