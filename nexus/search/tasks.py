"""Search work too long for the request that causes it."""

from __future__ import annotations

from celery import shared_task

from nexus.search import services


# A technology's documents can number in the hundreds of thousands at scale.
@shared_task(name="search.index_linked", soft_time_limit=1800, time_limit=1900)
def index_linked_task(link: str, link_id: int) -> int:
    """`services.index_linked`: the documents carrying a renamed link's name."""
    return services.index_linked(link, link_id)


@shared_task(name="search.index_objects", soft_time_limit=1800, time_limit=1900)
def index_objects_task(kind: str, ids: list[int]) -> int:
    """`services.index_objects`: documents whose objects lost a link's name."""
    return services.index_objects(kind, ids)
