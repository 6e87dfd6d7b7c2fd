"""The background work end to end, in eager mode on the real database: digests,
unanswered challenges, webhooks against a local fake server, email failures,
clean-up and the outbox relay command."""

from __future__ import annotations

import json
import smtplib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from nexus.accounts.models import Profile
from nexus.challenges import services as challenge_services
from nexus.challenges.models import Challenge
from nexus.challenges.tasks import notify_unanswered_task
from nexus.knowledge.tests.factories import TechnologyFactory
from nexus.notifications import delivery, digests, events, services
from nexus.notifications.models import Delivery, Notification, OutboxEvent, Webhook

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026 and Monday 2 March 2026, at 07:30 UTC: 08:30 in Lagos (UTC+1).
WEDNESDAY_LAGOS_MORNING = datetime(2026, 3, 4, 7, 30, tzinfo=UTC)
MONDAY_LAGOS_MORNING = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


def post_challenge(committed, author, technologies, title="Celery beat runs my task twice"):
    return committed(
        challenge_services.challenge_create,
        actor=author,
        data={"title": title, "body": "Two workers, one schedule.", "technologies": technologies},
    )


# --- Digests ------------------------------------------------------------------------------


@pytest.fixture
def lagos_learner(learner, settings):
    settings.NEXUS_DIGEST_HOUR = 8
    Profile.objects.filter(user=learner).update(timezone="Africa/Lagos")
    return learner


def notify(user, plan, *, count=1, kind="comment_posted"):
    made = []
    for _ in range(count):
        index = Notification.objects.count() + 1
        made.append(
            Notification.objects.create(
                recipient=user,
                kind=kind,
                target_type="challenge",
                target_id=index,
                title=f"Something happened, number {index}",
                url=f"/api/v1/challenges/{index}/",
                dedupe_key=f"test:{index}",
                email_plan=plan,
            )
        )
    return made


def test_daily_notifications_go_out_as_one_digest_in_the_recipients_morning(
    committed, lagos_learner
):
    notify(lagos_learner, "daily", count=2)

    queued = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING)

    assert queued == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [lagos_learner.email]
    assert mail.outbox[0].subject == "Your daily Nexus digest: 2 update(s)"
    assert "Something happened, number 1" in mail.outbox[0].body
    assert "Something happened, number 2" in mail.outbox[0].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.parametrize("utc_hour", [5, 6, 8, 19])
def test_no_digest_goes_out_at_other_hours_of_the_recipients_day(
    committed, lagos_learner, utc_hour
):
    notify(lagos_learner, "daily")

    queued = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING.replace(hour=utc_hour))

    assert queued == 0
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


def test_a_digest_goes_out_once_however_often_the_hour_is_run(committed, lagos_learner):
    notify(lagos_learner, "daily", count=2)

    first = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING)
    again = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING + timedelta(minutes=20))

    assert (first, again) == (1, 0)
    assert len(mail.outbox) == 1
    assert Delivery.objects.count() == 1


def test_a_notification_after_the_days_digest_waits_for_the_next_one(committed, lagos_learner):
    notify(lagos_learner, "daily")
    committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING)
    (late,) = notify(lagos_learner, "daily")

    again = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING + timedelta(minutes=20))
    late.refresh_from_db()
    assert again == 0
    assert late.emailed_at is None
    assert len(mail.outbox) == 1

    next_day = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING + timedelta(days=1))
    late.refresh_from_db()
    assert next_day == 1
    assert late.emailed_at is not None
    assert "Your daily Nexus digest: 1 update(s)" in [m.subject for m in mail.outbox]


def test_weekly_notifications_go_out_only_on_the_recipients_monday(committed, lagos_learner):
    notify(lagos_learner, "weekly", kind="vote_milestone")
    notify(lagos_learner, "daily")

    on_wednesday = committed(digests.digests_send_due, now=WEDNESDAY_LAGOS_MORNING)
    weekly = Notification.objects.get(email_plan="weekly")
    assert on_wednesday == 1
    assert weekly.emailed_at is None
    assert [m.subject for m in mail.outbox] == ["Your daily Nexus digest: 1 update(s)"]

    on_monday = committed(digests.digests_send_due, now=MONDAY_LAGOS_MORNING + timedelta(days=7))
    weekly.refresh_from_db()
    assert on_monday == 1
    assert weekly.emailed_at is not None
    assert mail.outbox[-1].subject == "Your weekly Nexus digest: 1 update(s)"


def test_digests_skip_notifications_that_are_never_emailed(committed, lagos_learner):
    notify(lagos_learner, "never")
    notify(lagos_learner, "immediate")

    assert committed(digests.digests_send_due, now=MONDAY_LAGOS_MORNING) == 0
    assert mail.outbox == []


# --- Unanswered challenges ---------------------------------------------------------------


@pytest.fixture
def postgres_tech(db):
    # Name and slug differ, so that a skill can match either.
    return TechnologyFactory.create(name="PostgreSQL", slug="postgres", category="database")


@pytest.fixture
def old_challenge(committed, learner, postgres_tech, settings):
    settings.NEXUS_UNANSWERED_AFTER_HOURS = 24
    challenge = post_challenge(committed, learner, ["postgres"], title="Deadlocks under load")
    Challenge.objects.filter(pk=challenge.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    return challenge


def test_mentors_with_a_matching_skill_hear_of_an_unanswered_challenge_once(
    committed, user_factory, old_challenge
):
    by_name = user_factory(role="mentor", skills=["postgresql"], email="name@example.org")
    by_slug = user_factory(role="mentor", skills=["Python", "POSTGRES"], email="slug@example.org")
    other_skills = user_factory(role="mentor", skills=["React"])
    learner_with_skill = user_factory(role="learner", skills=["PostgreSQL"])
    mail.outbox.clear()

    flagged = committed(notify_unanswered_task)
    again = committed(notify_unanswered_task)

    told = Notification.objects.filter(kind="challenge_unanswered")
    assert (flagged, again) == (1, 0)
    assert set(told.values_list("recipient", flat=True)) == {by_name.pk, by_slug.pk}
    assert told.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [by_name.email, by_slug.email]
    assert other_skills.pk not in told.values_list("recipient", flat=True)
    assert learner_with_skill.pk not in told.values_list("recipient", flat=True)


def test_a_challenge_with_a_solution_or_still_young_is_not_flagged(
    committed, learner, peer, user_factory, old_challenge
):
    user_factory(role="mentor", skills=["postgres"])
    committed(
        challenge_services.solution_create,
        actor=peer,
        challenge_id=old_challenge.pk,
        data={"body": "Lock rows in one order."},
    )
    post_challenge(committed, learner, ["postgres"], title="Slow queries on a big table")

    assert committed(notify_unanswered_task) == 0
    assert not Notification.objects.filter(kind="challenge_unanswered").exists()


# --- Webhooks against a local fake server -----------------------------------------------


@pytest.fixture
def retries(settings):
    """The retry policy the tests assume, whatever the environment says."""
    settings.NEXUS_DELIVERY_MAX_ATTEMPTS = 6
    settings.NEXUS_DELIVERY_BACKOFF_BASE = 30.0
    settings.NEXUS_DELIVERY_BACKOFF_MAX = 3600.0


@dataclass
class FakeDiscord:
    """A local HTTP server answering each POST with the next queued status (then 204)."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def discord(settings, retries) -> Iterator[FakeDiscord]:
    settings.NEXUS_WEBHOOKS_ALLOW_PRIVATE = True
    fake = FakeDiscord(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            fake.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
            )
            self.send_response(fake.statuses.pop(0) if fake.statuses else 204)
            for name, value in fake.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/webhooks/1/secret-token"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def hook(discord, celery_tech):
    webhook = Webhook.objects.create(
        name="Celery room", url=discord.url, events=["challenge.created"]
    )
    webhook.technologies.set([celery_tech])
    return webhook


def test_a_matching_challenge_is_posted_once_to_the_webhook_in_discords_shape(
    committed, learner, discord, hook, settings
):
    challenge = post_challenge(committed, learner, ["celery"])

    assert len(discord.requests) == 1
    request = discord.requests[0]
    assert request["path"] == "/api/webhooks/1/secret-token"
    assert request["headers"]["Content-Type"] == "application/json"
    body = json.loads(request["body"])
    assert body["allowed_mentions"] == {"parse": []}
    (embed,) = body["embeds"]
    assert embed["title"] == f"New challenge: {challenge.title}"
    assert embed["description"] == "Two workers, one schedule."
    assert embed["url"] == settings.SITE_URL.rstrip("/") + f"/api/v1/challenges/{challenge.pk}/"
    assert embed["footer"] == {"text": f"by {learner.username}"}
    assert Delivery.objects.get(webhook=hook).status == "sent"


def test_a_challenge_on_another_technology_is_not_posted(committed, learner, discord, hook):
    TechnologyFactory.create(name="React", slug="react", category="frontend")

    post_challenge(committed, learner, ["react"], title="React state resets on navigation")

    assert discord.requests == []
    assert not Delivery.objects.filter(webhook=hook).exists()


def test_a_server_error_waits_to_retry_without_resending_at_once(committed, learner, discord, hook):
    discord.statuses = [500]

    post_challenge(committed, learner, ["celery"])

    sent = Delivery.objects.get(webhook=hook)
    # Eager mode runs the countdown retry at once; it finds the delivery not yet due.
    assert len(discord.requests) == 1
    assert (sent.status, sent.attempts, sent.last_error) == ("retry", 1, "HTTP 500")
    assert sent.next_attempt_at is not None
    assert sent.next_attempt_at > timezone.now()


def test_a_rate_limit_waits_as_long_as_the_server_says(committed, learner, discord, hook):
    discord.statuses = [429]
    discord.headers = {"Retry-After": "120"}
    before = timezone.now()

    post_challenge(committed, learner, ["celery"])

    sent = Delivery.objects.get(webhook=hook)
    assert sent.status == "retry"
    assert sent.next_attempt_at is not None
    waited = sent.next_attempt_at - before
    assert timedelta(seconds=119) < waited < timedelta(seconds=125)


def test_a_delivery_failing_every_attempt_is_dead_lettered(
    committed, learner, discord, hook, settings
):
    settings.NEXUS_DELIVERY_MAX_ATTEMPTS = 3
    discord.statuses = [500, 502, 503]
    post_challenge(committed, learner, ["celery"])
    sent = Delivery.objects.get(webhook=hook)

    outcomes = []
    for _ in range(2):
        Delivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
        outcomes.append(delivery.deliver(sent.pk))

    sent.refresh_from_db()
    assert [o.status for o in outcomes if o] == ["retry", "dead"]
    assert (sent.status, sent.attempts, sent.last_error) == ("dead", 3, "HTTP 503")
    assert len(discord.requests) == 3
    assert delivery.deliver(sent.pk) is None
    assert len(discord.requests) == 3


def test_a_client_error_dead_letters_at_once(committed, learner, discord, hook):
    discord.statuses = [404]

    post_challenge(committed, learner, ["celery"])

    sent = Delivery.objects.get(webhook=hook)
    assert (sent.status, sent.attempts, sent.last_error) == ("dead", 1, "HTTP 404")
    assert len(discord.requests) == 1


def test_a_retried_delivery_that_succeeds_is_sent(committed, learner, discord, hook):
    discord.statuses = [503]
    post_challenge(committed, learner, ["celery"])
    sent = Delivery.objects.get(webhook=hook)
    Delivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())

    committed(services.deliveries_requeue_due)

    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert len(discord.requests) == 2


def test_a_switched_off_webhook_dead_letters_what_it_had_waiting(committed, learner, discord, hook):
    discord.statuses = [500]
    post_challenge(committed, learner, ["celery"])
    sent = Delivery.objects.get(webhook=hook)
    Webhook.objects.filter(pk=hook.pk).update(is_active=False)
    Delivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())

    delivery.deliver(sent.pk)

    sent.refresh_from_db()
    assert sent.status == "dead"
    assert len(discord.requests) == 1


# --- Email failures -----------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that answers every message with `code`."""

    code = 451

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPResponseException(self.code, b"Not now")


@pytest.fixture
def refusing_smtp(settings, retries):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    yield RefusingBackend
    RefusingBackend.code = 451


def answer(committed, challenge, author):
    return committed(
        challenge_services.solution_create,
        actor=author,
        challenge_id=challenge.pk,
        data={"body": "Split the task up."},
    )


def test_an_smtp_4xx_is_transient_and_retried_later(
    committed, learner, peer, challenge, refusing_smtp
):
    refusing_smtp.code = 451

    answer(committed, challenge, peer)

    email = Delivery.objects.get(recipient=learner)
    assert (email.status, email.attempts) == ("retry", 1)
    assert email.last_error.startswith("SMTP 451")
    assert email.next_attempt_at is not None
    assert email.next_attempt_at > timezone.now()


def test_an_smtp_5xx_is_permanent_and_dead_letters_at_once(
    committed, learner, peer, challenge, refusing_smtp
):
    refusing_smtp.code = 550

    answer(committed, challenge, peer)

    email = Delivery.objects.get(recipient=learner)
    assert (email.status, email.attempts) == ("dead", 1)
    assert email.last_error.startswith("SMTP 550")


# --- Clean-up and the relay command -----------------------------------------------------


def test_clean_up_removes_old_read_notifications_only(learner, settings):
    settings.NEXUS_NOTIFICATION_RETENTION_DAYS = 90
    long_ago = timezone.now() - timedelta(days=100)
    old_read, old_unread, recently_read, fresh = notify(learner, "never", count=4)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk, recently_read.pk]).update(
        created_at=long_ago
    )
    Notification.objects.filter(pk=old_read.pk).update(read_at=long_ago)
    Notification.objects.filter(pk=recently_read.pk).update(read_at=timezone.now())

    removed = services.notifications_clean_up()

    assert removed == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        old_unread.pk,
        recently_read.pk,
        fresh.pk,
    }


def test_clean_up_keeps_unfinished_deliveries_and_unprocessed_events(learner, settings):
    settings.NEXUS_NOTIFICATION_RETENTION_DAYS = 90
    long_ago = timezone.now() - timedelta(days=100)
    for status in ("sent", "dead", "retry"):
        Delivery.objects.create(
            key=f"test:{status}", channel="email", recipient=learner, status=status
        )
    Delivery.objects.update(sent_at=long_ago, created_at=long_ago)
    processed = OutboxEvent.objects.create(name="test.processed", processed_at=long_ago)
    waiting = OutboxEvent.objects.create(name="test.waiting")
    OutboxEvent.objects.update(created_at=long_ago)

    services.notifications_clean_up()

    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["dead", "retry"]
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert processed.pk not in OutboxEvent.objects.values_list("pk", flat=True)


def test_the_relay_command_publishes_events_left_behind_and_young_ones_with_all(
    learner, peer, challenge
):
    # Written in the test's transaction, which never commits: nothing published them.
    challenge_services.solution_create(actor=peer, challenge_id=challenge.pk, data={"body": "x"})
    old = OutboxEvent.objects.get(published_at__isnull=True)
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    young = events.record("challenge.created", challenge_id=challenge.pk)
    first, second, third = StringIO(), StringIO(), StringIO()

    call_command("relay_outbox", stdout=first)
    old.refresh_from_db()
    young.refresh_from_db()
    assert first.getvalue() == "Published 1 event(s).\n"
    assert old.published_at is not None
    assert young.published_at is None
    assert Notification.objects.filter(recipient=learner, kind="solution_posted").count() == 1

    call_command("relay_outbox", stdout=second)
    call_command("relay_outbox", "--all", stdout=third)
    young.refresh_from_db()
    assert second.getvalue() == "Published 0 event(s).\n"
    assert third.getvalue() == "Published 1 event(s).\n"
    assert young.published_at is not None
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
