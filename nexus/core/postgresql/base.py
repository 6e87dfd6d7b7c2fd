"""Django's PostgreSQL backend, with a health check that skips busy connections.

With CONN_HEALTH_CHECKS, Django pings a persistent connection (`SELECT 1`)
before the first query of every request, so a connection the server dropped
while it sat idle is replaced instead of failing the request. Under load that
ping was a round trip on every request (about 5% of a post's time, measured
by sampling a gunicorn worker). A connection that finished a request moments
ago is as alive as a ping would show, so it is pinged only after it has been
idle for `IDLE_BEFORE_CHECK` seconds.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

# Long enough to skip the ping between requests of a busy worker, far shorter
# than any idle timeout a server or a network device applies.
IDLE_BEFORE_CHECK = 2.0


class DatabaseWrapper(base.DatabaseWrapper):
    last_request_done: float | None = None

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
