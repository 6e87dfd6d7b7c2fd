"""Faults, end to end: the real RabbitMQ, real worker processes, fake mail and Discord.

Each test gets queues of its own: a unique CELERY_QUEUE_PREFIX. The worker
subprocess is given it in its environment; this process publishes through a
Celery app configured from the same settings module evaluated with the same
prefix, made current for the test (shared tasks resolve to the current app),
so both sides route every task alike and nothing from another run is consumed.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from celery import Celery, current_app
from django.conf import settings as django_settings
from django.db import connection, transaction
from kombu import Connection

from nexus import settings as settings_module
from nexus.challenges import services as challenge_services
from nexus.notifications import events, services
from nexus.notifications.models import Delivery, Notification, OutboxEvent
from nexus.notifications.tests.fakes import (
    FakeDiscord,
    FakeSmtpServer,
    Reply,
    TcpProxy,
    rate_limited,
    wait_until,
)

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKER_START_TIMEOUT = 30
DELIVERED_TIMEOUT = 30
LEASE_SECONDS = 2


# --- Queues, publishing and workers of one test -----------------------------------------------


def celery_settings(prefix: str) -> dict[str, Any]:
    """The CELERY_* settings exactly as a process started with this prefix computes them."""
    with mock.patch.dict(os.environ, {"CELERY_QUEUE_PREFIX": prefix}):
        computed = runpy.run_path(str(settings_module.__file__))
    return {name: value for name, value in computed.items() if name.startswith("CELERY_")}


def delete_queues(prefix: str) -> None:
    conf = celery_settings(prefix)
    with Connection(django_settings.CELERY_BROKER_URL, connect_timeout=5) as conn:
        channel = conn.default_channel
        for queue in conf["CELERY_TASK_QUEUES"]:
            channel.queue_delete(queue.name)  # type: ignore[attr-defined]
        # The queues' exchange is named after the default queue.
        channel.exchange_delete(conf["CELERY_TASK_DEFAULT_QUEUE"])  # type: ignore[attr-defined]


def worker_database_url() -> str:
    """pytest-django's test database, for the worker to share."""
    db = connection.settings_dict
    user = quote(str(db["USER"] or ""), safe="")
    password = quote(str(db["PASSWORD"] or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def through(proxy: TcpProxy, broker_url: str) -> str:
    """`broker_url` with its host and port replaced by the proxy's."""
    parts = urlsplit(broker_url)
    auth = parts.netloc.rpartition("@")[0]
    netloc = f"{auth}@127.0.0.1:{proxy.port}" if auth else f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def broker_address() -> tuple[str, int]:
    parts = urlsplit(django_settings.CELERY_BROKER_URL)
    return parts.hostname or "127.0.0.1", parts.port or 5672


class Worker:
    """`celery worker` in a subprocess of its own, logging to a file."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "nexus",
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "-l",
                "INFO",
                "-n",
                f"{name}@%h",
                # No chatter with other workers; broker heartbeats stay on, as deployed
                # (without them a warm shutdown takes ten seconds).
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = WORKER_START_TIMEOUT) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"worker {self.name} exited ({self.process.returncode}):\n{self.log()[-4000:]}"
                )
            return " ready." in self.log()

        wait_until(
            ready,
            timeout=timeout,
            message=lambda: f"worker {self.name} to be ready:\n{self.log()[-4000:]}",
        )

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acks, nothing finished."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def wait_or_kill(self, deadline: float) -> None:
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


class Workers:
    def __init__(self, prefix: str, log_dir: Path) -> None:
        self.prefix = prefix
        self.log_dir = log_dir
        self.started: list[Worker] = []

    def start(self, name: str, **env: str) -> Worker:
        """A worker on this test's queues and database, ready to consume."""
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nexus.settings",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
            "CELERY_QUEUE_PREFIX": self.prefix,
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        for variable in ("CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
            environment.pop(variable, None)
        worker = Worker(
            f"{name}-{self.prefix.strip('-')}", environment, self.log_dir / f"{name}.log"
        )
        self.started.append(worker)
        worker.wait_ready()
        return worker

    def logs(self) -> str:
        return "\n".join(
            f"--- worker {worker.name} ---\n{worker.log()[-3000:]}" for worker in self.started
        )

    def stop_all(self) -> None:
        """Warm shutdown for all at once; SIGKILL for any still up after five seconds."""
        for worker in self.started:
            worker.terminate()
        deadline = time.monotonic() + 5
        for worker in self.started:
            worker.wait_or_kill(deadline)


@pytest.fixture
def queue_prefix(transactional_db: None) -> Iterator[str]:
    """Queues of this test's own; deleted after the workers and publisher are gone."""
    prefix = f"e2e-{uuid.uuid4().hex[:12]}-"
    yield prefix
    delete_queues(prefix)


@pytest.fixture
def publisher(queue_prefix: str) -> Iterator[Callable[..., Celery]]:
    """Make this process publish to the test's queues, through `broker_url` if given."""
    previous = current_app._get_current_object()  # type: ignore[attr-defined]
    created: list[tuple[Celery, bool]] = []

    def use(*, broker_url: str | None = None) -> Celery:
        conf = celery_settings(queue_prefix)
        conf["CELERY_TASK_ALWAYS_EAGER"] = False
        if broker_url:
            conf["CELERY_BROKER_WRITE_URL"] = broker_url
        test_app = Celery(
            "nexus-e2e", task_cls="celery.contrib.django.task:DjangoTask", set_as_current=False
        )
        test_app.config_from_object(SimpleNamespace(**conf), namespace="CELERY")
        test_app.set_current()
        created.append((test_app, bool(broker_url)))
        return test_app

    yield use
    previous.set_current()
    for test_app, own_connection in created:
        if own_connection:  # a pool of its own: the proxy's; the broker's is shared
            test_app.pool.force_close_all()  # type: ignore[attr-defined]
        test_app.close()


@pytest.fixture
def workers(queue_prefix: str, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(queue_prefix, tmp_path)
    yield running
    running.stop_all()


@contextlib.contextmanager
def relay_listening(app: Celery, *, poll_seconds: float) -> Iterator[None]:
    """`events.relay_listen` in a thread, publishing through `app`, until the block ends."""
    stop = threading.Event()

    def run() -> None:
        app.set_current()  # Celery's current app is per thread
        try:
            events.relay_listen(stop=stop, poll_seconds=poll_seconds)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="outbox-relay", daemon=True)
    thread.start()
    try:
        wait_until(events.relay_is_listening, timeout=10, message="the relay to listen")
        yield
    finally:
        stop.set()
        with connection.cursor() as cursor:  # wake it, rather than wait for its poll
            cursor.execute("SELECT pg_notify(%s, '')", [events.RELAY_CHANNEL])
        thread.join(timeout=10)
        assert not thread.is_alive(), "the relay did not stop"


# --- Content --------------------------------------------------------------------------------


def post_challenge(author: Any) -> Any:
    with transaction.atomic():
        return challenge_services.challenge_create(
            actor=author,
            data={
                "title": "Celery tasks fail after ten minutes",
                "body": "My long task is killed.",
                "technologies": ["celery"],
            },
        )


def post_solution(challenge: Any, solver: Any) -> Any:
    with transaction.atomic():
        return challenge_services.solution_create(
            actor=solver, challenge_id=challenge.pk, data={"body": "Split the task up."}
        )


# --- The faults --------------------------------------------------------------------------------


def test_an_event_written_while_the_broker_is_down_is_delivered_once_it_is_back(
    publisher, workers, user_factory, celery_tech
):
    author = user_factory(email="author@example.org")
    solver = user_factory()
    with FakeSmtpServer() as smtp, TcpProxy(*broker_address()) as proxy:
        # Publisher and worker both reach RabbitMQ through the proxy: stopping it is an
        # outage for everyone, and the worker has to find its way back on its own.
        broker_url = through(proxy, django_settings.CELERY_BROKER_URL)
        publisher(broker_url=broker_url)
        workers.start("relay", CELERY_BROKER_URL=broker_url, EMAIL_URL=smtp.url)
        challenge = post_challenge(author)
        assert OutboxEvent.objects.get(name="challenge.created").published_at is not None

        proxy.stop()
        started = time.monotonic()
        solution = post_solution(challenge, solver)
        took = time.monotonic() - started

        assert took < 5, f"the write waited {took:.1f}s on a broker that is down"
        event = OutboxEvent.objects.get(name="solution.created", payload__solution_id=solution.pk)
        assert event.published_at is None
        assert event.publish_attempts == 1
        assert event.last_error

        proxy.start()
        assert events.relay_pending(grace=timedelta(0)) == 1
        assert OutboxEvent.objects.get(pk=event.pk).published_at is not None

        wait_until(
            lambda: Delivery.objects.filter(recipient=author, status="sent").exists(),
            timeout=DELIVERED_TIMEOUT,
            message=lambda: f"the email to be sent\n{workers.logs()}",
        )
        [mail] = smtp.messages
        assert mail.recipients == (author.email,)
        assert "posted a solution" in mail.message["Subject"]
        assert Notification.objects.get(recipient=author).kind == "solution_posted"

        # The relay and the event's processing, run again, send nothing more.
        assert events.relay_pending(grace=timedelta(0)) == 0
        OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
        assert events.publish(event.pk)
        wait_until(
            lambda: OutboxEvent.objects.filter(pk=event.pk, processed_at__isnull=False).exists(),
            timeout=DELIVERED_TIMEOUT,
            message=lambda: f"the event to be processed again\n{workers.logs()}",
        )
        time.sleep(1)  # room for a wrongly queued second send to arrive
        assert len(smtp.messages) == 1
        assert Notification.objects.filter(recipient=author).count() == 1
        assert Delivery.objects.filter(recipient=author).count() == 1


def test_a_worker_killed_in_the_middle_of_sending_leads_to_exactly_one_email(
    publisher, workers, settings, user_factory, celery_tech
):
    settings.NEXUS_DELIVERY_LEASE_SECONDS = LEASE_SECONDS
    author = user_factory(email="author@example.org")
    solver = user_factory()
    with FakeSmtpServer(stall_first_data=30) as smtp:
        publisher()
        env = {"EMAIL_URL": smtp.url, "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS)}
        doomed = workers.start("doomed", **env)

        post_solution(post_challenge(author), solver)
        wait_until(
            smtp.data_started.is_set,
            timeout=DELIVERED_TIMEOUT,
            message=lambda: f"the worker to start sending\n{workers.logs()}",
        )
        doomed.kill()
        delivery = Delivery.objects.get(recipient=author)
        assert delivery.status == "sending"
        assert smtp.messages == []

        workers.start("survivor", **env)

        def requeue_and_count() -> int:
            services.deliveries_requeue_due()  # what beat does every 30 seconds
            return len(smtp.messages)

        wait_until(
            requeue_and_count,
            timeout=DELIVERED_TIMEOUT,
            interval=0.5,
            message=lambda: f"the email to be sent\n{workers.logs()}",
        )
        deadline = time.monotonic() + LEASE_SECONDS + 1
        while time.monotonic() < deadline:  # past another lease: nothing is sent again
            requeue_and_count()
            time.sleep(0.5)

        assert len(smtp.messages_to(author.email)) == 1
        assert len(smtp.messages) == 1
        delivery.refresh_from_db()
        assert delivery.status == "sent"
        assert delivery.attempts == 2


def test_a_rate_limited_discord_webhook_gets_one_message_after_its_retry_after(
    publisher, workers, settings, user_factory, staff, celery_tech
):
    settings.NEXUS_WEBHOOKS_ALLOW_PRIVATE = True
    author = user_factory()
    replies = [rate_limited(1), Reply(200, {"Content-Type": "application/json"}, b"{}")]
    with FakeDiscord(replies) as discord:
        publisher()
        workers.start("webhooks", WEBHOOKS_ALLOW_PRIVATE="true")
        hook = services.webhook_create(
            actor=staff,
            data={"name": "Cohort Discord", "url": discord.url, "events": ["challenge.created"]},
        )

        challenge = post_challenge(author)
        delivery = wait_until(
            lambda: Delivery.objects.filter(webhook=hook, status="sent").first(),
            timeout=DELIVERED_TIMEOUT,
            message=lambda: f"the webhook delivery to be sent\n{workers.logs()}",
        )
        time.sleep(1.5)  # longer than the Retry-After: a third request would be here by now

        assert len(discord.requests) == 2
        first, second = discord.requests
        assert second.at - first.at >= 1.0
        assert first.body == second.body
        assert second.json["embeds"][0]["title"] == f"New challenge: {challenge.title}"
        assert second.json["allowed_mentions"] == {"parse": []}
        assert delivery.attempts == 2
        assert Delivery.objects.get(pk=delivery.pk).status == "sent"


def test_in_relay_mode_the_request_only_writes_events_and_the_woken_relay_publishes_them(
    publisher, workers, settings, user_factory, celery_tech
):
    """OUTBOX_RELAY: nothing is published on commit; the relay publishes the backlog
    when it starts and each later event as its commit notifies it, long before its
    poll would, and the worker turns them into notifications as before."""
    settings.NEXUS_OUTBOX_RELAY = True
    author = user_factory(email="author@example.org")
    first_solver, second_solver = user_factory(), user_factory()
    with FakeSmtpServer() as smtp:
        app = publisher()
        workers.start("relayed", EMAIL_URL=smtp.url)
        challenge = post_challenge(author)
        post_solution(challenge, first_solver)
        assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 2

        with relay_listening(app, poll_seconds=120):
            wait_until(
                lambda: not OutboxEvent.objects.filter(published_at__isnull=True).exists(),
                timeout=10,
                message="the backlog to be published",
            )
            started = time.monotonic()
            second = post_solution(challenge, second_solver)
            event = wait_until(
                lambda: OutboxEvent.objects.filter(
                    name="solution.created",
                    payload__solution_id=second.pk,
                    published_at__isnull=False,
                ).first(),
                timeout=10,
                message="the new event to be published",
            )
            assert time.monotonic() - started < 10
            assert event.publish_attempts == 1

            wait_until(
                lambda: (
                    Notification.objects.filter(recipient=author, kind="solution_posted").count()
                    == 2
                ),
                timeout=DELIVERED_TIMEOUT,
                message=lambda: f"both solutions to be notified\n{workers.logs()}",
            )
            wait_until(
                lambda: not OutboxEvent.objects.filter(processed_at__isnull=True).exists(),
                timeout=DELIVERED_TIMEOUT,
                message=lambda: f"every event to be processed\n{workers.logs()}",
            )
