from __future__ import annotations

import pytest

from nexus.accounts.models import Cohort
from nexus.core.db_router import PrimaryReplicaRouter, pinned_to_primary


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    token = pinned_to_primary.set(False)
    yield PrimaryReplicaRouter()
    pinned_to_primary.reset(token)


def test_without_a_replica_everything_uses_the_primary():
    router = PrimaryReplicaRouter()

    assert router.db_for_read(Cohort) == "default"
    assert router.db_for_write(Cohort) == "default"


def test_reads_go_to_the_replica_until_the_request_writes(with_replica):
    router = with_replica

    assert router.db_for_read(Cohort) == "replica"
    assert router.db_for_write(Cohort) == "default"
    assert router.db_for_read(Cohort) == "default"


def test_migrations_run_on_the_primary_only(with_replica):
    assert with_replica.allow_migrate("default", "accounts") is True
    assert with_replica.allow_migrate("replica", "accounts") is False


def test_a_writer_stays_on_the_primary_for_their_next_requests(with_replica, rf):
    from django.http import HttpResponse

    from nexus.core.middleware import ReplicaPinMiddleware

    router, seen = with_replica, []

    def write_view(request):
        router.db_for_write(Cohort)
        return HttpResponse()

    def read_view(request):
        seen.append(router.db_for_read(Cohort))
        return HttpResponse()

    mine = {"HTTP_AUTHORIZATION": "Bearer mine"}
    ReplicaPinMiddleware(read_view)(rf.get("/", **mine))
    ReplicaPinMiddleware(write_view)(rf.post("/", **mine))
    ReplicaPinMiddleware(read_view)(rf.get("/", **mine))
    ReplicaPinMiddleware(read_view)(rf.get("/", HTTP_AUTHORIZATION="Bearer someone-else"))

    assert seen == ["replica", "default", "replica"]
