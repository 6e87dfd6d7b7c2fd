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
