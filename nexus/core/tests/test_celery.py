from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from nexus.accounts.tasks import flush_expired_tokens_task
from nexus.celery import app


def expired_token(user) -> OutstandingToken:
    return OutstandingToken.objects.create(
        user=user,
        jti=f"expired-{user.pk}",
        token="x",
        expires_at=timezone.now() - timedelta(days=1),
    )


def test_celery_is_configured_for_reliable_delivery():
    conf = app.conf

    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert "accounts.flush-expired-tokens" in conf.beat_schedule


@pytest.mark.django_db
def test_tasks_are_queued_only_when_the_transaction_commits(
    learner, django_capture_on_commit_callbacks
):
    token = expired_token(learner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            flush_expired_tokens_task.delay_on_commit()  # type: ignore[attr-defined]
        assert OutstandingToken.objects.filter(pk=token.pk).exists()

    assert len(callbacks) == 1
    callbacks[0]()
    assert not OutstandingToken.objects.filter(pk=token.pk).exists()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_task_travels_through_the_real_broker_to_a_worker(user_factory):
    from celery.contrib.testing.worker import start_worker

    user = user_factory()
    token = expired_token(user)
    app.conf.task_always_eager = False
    queue = f"test-{token.pk}-{time.time_ns()}"
    app.conf.task_default_queue = queue
    try:
        # Heartbeats on: without them the worker takes ~10 s to stop, the default timeout.
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            without_heartbeat=False,
            shutdown_timeout=30,
        ):
            flush_expired_tokens_task.apply_async(queue=queue)
            deadline = time.monotonic() + 20
            while OutstandingToken.objects.filter(pk=token.pk).exists():
                assert time.monotonic() < deadline, "the worker never ran the task"
                time.sleep(0.1)
    finally:
        app.conf.task_default_queue = "default"
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)  # type: ignore[attr-defined]
