"""What a server process does once Django is set up: load the rest of the
application now, then freeze it out of the garbage collector's way.

Django loads the URLconf, and through it every view, serializer and the GraphQL
schema, on the first request. Loaded at start-up instead and then frozen
(`gc.freeze`), those long-lived objects (about 190,000) are no longer traversed
by Python's full collections. Measured in process, such a collection took about
140 ms, once every hundred or so GraphQL list requests: a pause that whichever
request triggered it paid in full, at the tail of the latencies. Objects made
after start-up are collected as before, but less often: at Python's default of
a young collection every 700 new objects, a GraphQL list request (tens of
thousands of objects) ran dozens, each walking the request's live objects.
Every 20,000 instead, measured in process in alternating blocks: the GraphQL
list 3.56 to 3.30 ms, the REST list 2.13 to 2.09 ms; garbage in cycles waits
a little longer for its collection.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver

# New objects between young collections (Python's default: 700).
YOUNG_COLLECTION_THRESHOLD = 20_000


def load_and_freeze() -> None:
    get_resolver().url_patterns  # noqa: B018 -- imports every view and the schema
    gc.collect()  # what start-up left behind is freed, not frozen
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)
