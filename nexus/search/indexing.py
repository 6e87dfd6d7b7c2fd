"""The one way writes reach the search index: after their transaction commits.

A service that changes something searchable calls `index_on_commit(kind, id)`
inside its transaction. Once that commits, the objects' documents are
rewritten from the database as it then is (so a write that rolls back leaves
the index alone, and the indexing holds no lock of the write). A failure is
logged, never the request's: `manage.py reindex` rebuilds what was missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from django.db import transaction

from nexus.search import services

Kind = Literal["guide", "challenge", "solution", "message", "user"]

# A challenge's solutions carry its title, technologies and visibility, so
# indexing a challenge rewrites theirs too.
_REFRESH: dict[str, Callable[[list[int]], None]] = {
    "guide": services.refresh_guides,
    "challenge": services.refresh_challenges,
    "solution": services.refresh_solutions,
    "message": services.refresh_messages,
    "user": services.refresh_users,
}


def index_on_commit(kind: Kind, object_ids: int | Iterable[int]) -> None:
    """Bring the documents of these objects of `kind` up to date once the current
    transaction commits (at once outside one): written, edited, hidden, deleted."""
    refresh = _REFRESH[kind]
    ids = [object_ids] if isinstance(object_ids, int) else list(object_ids)
    if not ids:
        return

    def index_changed() -> None:
        # A named function: a robust hook that raises is logged by its __qualname__.
        refresh(ids)

    transaction.on_commit(index_changed, robust=True)
