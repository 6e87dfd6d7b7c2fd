from __future__ import annotations

import pytest
from django.core import mail

from nexus.challenges import services as challenge_services
from nexus.notifications import events, services
from nexus.notifications.models import Delivery, Notification, OutboxEvent

pytestmark = pytest.mark.django_db


def solve(committed, challenge, author, body="Split the task up."):
    return committed(
        challenge_services.solution_create,
        actor=author,
        challenge_id=challenge.pk,
        data={"body": body},
    )


def test_a_solution_notifies_the_challenge_author_in_app_and_by_email(
    committed, learner, peer, challenge
):
    solve(committed, challenge, peer)

    notification = Notification.objects.get(recipient=learner)
    assert notification.kind == "solution_posted"
    assert notification.actor == peer
    assert "peer-one posted a solution" in notification.title
    assert notification.url == f"/api/v1/challenges/{challenge.pk}/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [learner.email]
    assert "posted a solution" in mail.outbox[0].subject
    assert "unsubscribe" in mail.outbox[0].body.lower()
    assert Delivery.objects.get(recipient=learner).status == "sent"
    assert OutboxEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_nobody_is_notified_of_their_own_action(committed, learner, challenge):
    solve(committed, challenge, learner, body="Answering myself, @learner-one.")

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_processing_an_event_twice_notifies_nobody_twice(committed, learner, peer, challenge):
    solve(committed, challenge, peer)
    event = OutboxEvent.objects.get(name="solution.created")

    services.event_process(event_id=event.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    services.event_process(event_id=event.pk)

    assert Notification.objects.filter(recipient=learner).count() == 1
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_email_preference_decides_how_the_email_goes(committed, learner, peer, challenge):
    services.preferences_update(user=learner, data={"solution_posted": "never"})

    solve(committed, challenge, peer)

    assert Notification.objects.get(recipient=learner).email_plan == "never"
    assert mail.outbox == []


def test_followers_hear_of_activity_and_the_author_only_once(
    committed, learner, peer, user_factory, challenge
):
    follower = user_factory()
    challenge_services.follow_set(actor=follower, challenge_id=challenge.pk, following=True)

    solve(committed, challenge, peer)

    kinds = dict(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == {learner.username: "solution_posted", follower.username: "followed_activity"}


def test_mentions_in_markdown_notify_the_mentioned(committed, peer, user_factory, challenge):
    mentioned = user_factory(username="grace")

    solve(committed, challenge, peer, body="@grace knows this; not `@learner-one` in code.")

    assert Notification.objects.get(recipient=mentioned).kind == "mentioned"


def test_comments_notify_the_post_author(committed, learner, peer, challenge):
    committed(
        challenge_services.comment_create,
        actor=peer,
        target="challenge",
        target_id=challenge.pk,
        data={"body": "Which broker?"},
    )

    assert Notification.objects.get(recipient=learner).kind == "comment_posted"


def test_an_accepted_solution_notifies_its_author(committed, learner, peer, challenge):
    solution = solve(committed, challenge, peer)

    committed(challenge_services.solution_accept, actor=learner, solution_id=solution.pk)

    assert Notification.objects.get(recipient=peer).kind == "solution_accepted"


def test_a_vote_milestone_notifies_the_author_once(committed, learner, user_factory, challenge):
    voter = user_factory()
    for value in (1, 0, 1):
        committed(
            challenge_services.vote_cast,
            actor=voter,
            target="challenge",
            target_id=challenge.pk,
            value=value,
        )

    milestones = Notification.objects.filter(recipient=learner, kind="vote_milestone")
    assert [n.title for n in milestones] == [
        "Your challenge on “Celery tasks fail after ten minutes” reached a score of 1"
    ]


def test_an_event_the_broker_refused_stays_in_the_outbox_for_the_relay(
    learner, peer, challenge, monkeypatch, django_capture_on_commit_callbacks
):
    from nexus.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.process_event_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        solution = challenge_services.solution_create(
            actor=peer, challenge_id=challenge.pk, data={"body": "x"}
        )
    event = OutboxEvent.objects.get(name="solution.created")
    assert solution.pk
    assert event.published_at is None
    assert "broker unreachable" in event.last_error
    assert not Notification.objects.exists()

    monkeypatch.undo()
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=event.created_at.replace(year=2020))
    assert events.relay_pending() == 1

    assert Notification.objects.filter(recipient=learner).count() == 1
    assert OutboxEvent.objects.get(pk=event.pk).published_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_publish_that_fails_after_commit_does_not_fail_the_request(
    as_user, peer, challenge, monkeypatch
):
    """The write is committed: whatever goes wrong while handing its event on is
    the relay's to retry, never the caller's error."""

    def publish_crashes(event_id):
        raise RuntimeError("lost the database while marking the event")

    monkeypatch.setattr(events, "publish", publish_crashes)
    answered = as_user(peer).post(
        f"/api/v1/challenges/{challenge.pk}/solutions/", {"body": "Retry with backoff."}
    )

    assert answered.status_code == 201
    assert OutboxEvent.objects.get(name="solution.created").published_at is None


def test_a_large_audience_is_notified_by_a_chain_of_bounded_tasks(
    committed, user_factory, challenge, monkeypatch
):
    monkeypatch.setattr(services, "FANOUT_BATCH", 4)
    for _ in range(10):
        challenge_services.follow_set(
            actor=user_factory(), challenge_id=challenge.pk, following=True
        )
    batches = []
    real_process = services.event_process

    def counting(**kwargs):
        progress = real_process(**kwargs)
        batches.append(Notification.objects.count())
        return progress

    monkeypatch.setattr(services, "event_process", counting)

    solve(committed, challenge, user_factory())

    # 11 people in batches of at most 4: three tasks, none carrying more.
    assert batches == [4, 8, 11]
    assert Notification.objects.filter(kind="followed_activity").count() == 10


def test_the_first_batch_stops_at_the_batch_size_and_says_where_to_go_on(
    learner, user_factory, challenge, monkeypatch
):
    monkeypatch.setattr(services, "FANOUT_BATCH", 4)
    for _ in range(10):
        challenge_services.follow_set(
            actor=user_factory(), challenge_id=challenge.pk, following=True
        )
    solution = challenge_services.solution_create(
        actor=user_factory(), challenge_id=challenge.pk, data={"body": "x"}
    )
    event = OutboxEvent.objects.get(name="solution.created", payload__solution_id=solution.pk)

    first = services.event_process(event_id=event.pk)

    assert first is not None
    assert Notification.objects.count() == 4
    second = services.event_process(event_id=event.pk, progress=first)
    third = services.event_process(event_id=event.pk, progress=second)
    assert third is None
    assert Notification.objects.filter(kind="followed_activity").count() == 10
    assert Notification.objects.filter(kind="solution_posted").count() == 1


def solutions_posted(user_factory, challenge, count):
    """`count` solutions to `challenge` by new users: their events' ids, in order."""
    solutions = [
        challenge_services.solution_create(
            actor=user_factory(), challenge_id=challenge.pk, data={"body": "x"}
        )
        for _ in range(count)
    ]
    return [
        OutboxEvent.objects.get(name="solution.created", payload__solution_id=s.pk).pk
        for s in solutions
    ]


def old_events(*event_ids):
    """Make events look left behind, past the relay's grace period."""
    for event in OutboxEvent.objects.filter(pk__in=event_ids):
        OutboxEvent.objects.filter(pk=event.pk).update(
            created_at=event.created_at.replace(year=2020)
        )


def test_the_relay_publishes_a_pass_in_messages_of_a_bounded_number_of_events(
    learner, user_factory, challenge, monkeypatch
):
    from nexus.notifications import tasks

    monkeypatch.setattr(events, "RELAY_MESSAGE_EVENTS", 2)
    solutions_posted(user_factory, challenge, 5)
    pending = sorted(
        OutboxEvent.objects.filter(published_at__isnull=True).values_list("pk", flat=True)
    )
    old_events(*pending)
    messages: list[list[int]] = []
    real_apply = tasks.process_events_task.apply_async

    def counting(*args, **kwargs):
        messages.append(list(kwargs["args"][0]))
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(tasks.process_events_task, "apply_async", counting)

    assert events.relay_pending() == 5

    assert messages == [pending[0:2], pending[2:4], pending[4:]]
    assert Notification.objects.filter(recipient=learner, kind="solution_posted").count() == 5
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()


def test_a_message_the_broker_refuses_leaves_its_events_and_the_later_ones_unpublished(
    user_factory, challenge, monkeypatch
):
    from nexus.notifications import tasks

    monkeypatch.setattr(events, "RELAY_MESSAGE_EVENTS", 2)
    solutions_posted(user_factory, challenge, 5)
    pending = sorted(
        OutboxEvent.objects.filter(published_at__isnull=True).values_list("pk", flat=True)
    )
    old_events(*pending)
    real_apply = tasks.process_events_task.apply_async
    taken: list[list[int]] = []

    def refuses_the_second(*args, **kwargs):
        if taken:
            raise ConnectionRefusedError("broker unreachable")
        taken.append(kwargs["args"][0])
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(tasks.process_events_task, "apply_async", refuses_the_second)

    assert events.relay_pending() == 2

    unpublished = OutboxEvent.objects.filter(published_at__isnull=True).order_by("pk")
    assert [event.pk for event in unpublished] == pending[2:]
    assert [event.publish_attempts for event in unpublished] == [1, 1, 0]
    assert "broker unreachable" in unpublished[0].last_error


def test_an_event_that_fails_in_a_message_leaves_the_others_processed(
    user_factory, challenge, monkeypatch, caplog
):
    from nexus.notifications import tasks

    event_ids = solutions_posted(user_factory, challenge, 3)
    real_process = services.event_process

    def fails_on_the_second(**kwargs):
        if kwargs["event_id"] == event_ids[1]:
            raise RuntimeError("audience rules broke")
        return real_process(**kwargs)

    monkeypatch.setattr(services, "event_process", fails_on_the_second)

    tasks.process_events_task(event_ids)

    processed = set(
        OutboxEvent.objects.filter(processed_at__isnull=False).values_list("pk", flat=True)
    )
    assert event_ids[0] in processed
    assert event_ids[2] in processed
    assert event_ids[1] not in processed
    assert "event processing failed" in caplog.text


def test_a_message_near_its_time_limit_hands_the_events_left_to_tasks_of_their_own(
    user_factory, challenge, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    from nexus.notifications import tasks

    event_ids = solutions_posted(user_factory, challenge, 3)
    real_process = services.event_process
    handed_on: list[int] = []

    def out_of_time_on_the_second(**kwargs):
        if kwargs["event_id"] == event_ids[1] and not handed_on:
            raise SoftTimeLimitExceeded()
        return real_process(**kwargs)

    def queued(*args, **kwargs):
        handed_on.append(kwargs["args"][0])

    monkeypatch.setattr(services, "event_process", out_of_time_on_the_second)
    monkeypatch.setattr(tasks.process_event_task, "apply_async", queued)

    tasks.process_events_task(event_ids)

    assert handed_on == event_ids[1:]
    processed = OutboxEvent.objects.filter(processed_at__isnull=False).values_list("pk", flat=True)
    assert event_ids[0] in set(processed)
