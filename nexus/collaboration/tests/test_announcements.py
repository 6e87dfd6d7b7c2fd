"""Announcements reach everyone in bounded tasks, and the Discord webhooks once."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import make_password

from nexus.accounts.models import Profile, User
from nexus.collaboration.services import channels as channel_services
from nexus.notifications import services as notification_services
from nexus.notifications.models import Delivery, Notification
from nexus.notifications.tests.fakes import FakeDiscord

pytestmark = pytest.mark.django_db

COHORT_SIZE = 5000


@pytest.fixture
def staff(user_factory):
    return user_factory(username="staff-nia", role="staff")


@pytest.fixture
def announcements(staff):
    return channel_services.channel_create(
        actor=staff, data={"name": "Announcements", "kind": "announcement"}
    )


def test_an_announcement_to_five_thousand_learners_fans_out_in_a_handful_of_bounded_tasks(
    staff, announcements, monkeypatch, django_capture_on_commit_callbacks
):
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"learner{n}@example.org", username=f"learner-{n}", password=password)
        for n in range(COHORT_SIZE)
    )
    Profile.objects.bulk_create(Profile(user=user) for user in users)
    batches: list[int] = []
    real = notification_services.event_process

    def counted(**kwargs):
        before = Notification.objects.count()
        progress = real(**kwargs)
        batches.append(Notification.objects.count() - before)
        return progress

    monkeypatch.setattr(notification_services, "event_process", counted)

    with django_capture_on_commit_callbacks(execute=True):
        channel_services.message_post(
            actor=staff, slug=announcements.slug, data={"body": "Demo day is on Friday."}
        )

    assert Notification.objects.filter(kind="announcement").count() == COHORT_SIZE
    assert len(batches) == COHORT_SIZE // notification_services.FANOUT_BATCH + 1
    assert max(batches) <= notification_services.FANOUT_BATCH
    # Announcements go to the daily digest by default: no email storm, no sends yet.
    assert not Delivery.objects.filter(channel="email").exists()


def test_an_announcement_reaches_the_discord_webhook_exactly_once(
    staff, announcements, settings, django_capture_on_commit_callbacks
):
    settings.NEXUS_WEBHOOKS_ALLOW_PRIVATE = True
    with FakeDiscord([]) as discord:
        notification_services.webhook_create(
            actor=staff,
            data={"name": "Cohort Discord", "url": discord.url, "events": ["announcement"]},
        )
        with django_capture_on_commit_callbacks(execute=True):
            message = channel_services.message_post(
                actor=staff, slug=announcements.slug, data={"body": "**Demo day** is on Friday."}
            )
        with django_capture_on_commit_callbacks(execute=True):
            channel_services.message_post(
                actor=staff,
                slug=announcements.slug,
                data={"body": "Thread reply, not an announcement.", "parent": message.pk},
            )
        requests = discord.requests

    assert len(requests) == 1
    body = json.loads(requests[0].body)
    assert body["allowed_mentions"] == {"parse": []}
    assert "Demo day" in body["embeds"][0]["description"]
    assert Delivery.objects.get(channel="webhook").status == "sent"
