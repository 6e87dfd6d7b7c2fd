from __future__ import annotations

import pytest
from django.core import mail

from nexus.challenges import services as challenge_services
from nexus.notifications import services
from nexus.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutboxEvent,
    Webhook,
)

pytestmark = pytest.mark.django_db

SECRET_URL = "https://discord.example.com/api/webhooks/123456/very-secret-token"


@pytest.fixture
def admin_client_(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def solved(committed, challenge, peer):
    """A solution on the learner's challenge: a notification and its sent email."""
    return committed(
        challenge_services.solution_create,
        actor=peer,
        challenge_id=challenge.pk,
        data={"body": "Split the task up."},
    )


@pytest.fixture
def webhook(celery_tech):
    # Made directly: the API's URL check would look the host up in DNS.
    hook = Webhook.objects.create(
        name="Cohort Discord", url=SECRET_URL, events=["challenge.created"]
    )
    hook.technologies.set([celery_tech])
    return hook


def test_staff_look_at_events_notifications_and_deliveries_in_the_admin(
    admin_client_, learner, solved, webhook
):
    services.preferences_update(user=learner, data={"mentioned": "never"})
    event = OutboxEvent.objects.get(name="solution.created")
    notification = Notification.objects.get(recipient=learner)
    delivery = Delivery.objects.get(recipient=learner)
    preference = NotificationPreference.objects.get(user=learner)

    for url in (
        "/admin/notifications/outboxevent/?q=solution",
        "/admin/notifications/outboxevent/?published=no&processed=yes",
        f"/admin/notifications/outboxevent/{event.pk}/change/",
        "/admin/notifications/notification/?kind=solution_posted&read=no",
        f"/admin/notifications/notification/{notification.pk}/change/",
        "/admin/notifications/notificationpreference/?kind=mentioned",
        f"/admin/notifications/notificationpreference/{preference.pk}/change/",
        "/admin/notifications/webhook/",
        f"/admin/notifications/webhook/{webhook.pk}/change/",
        "/admin/notifications/delivery/?status__exact=dead&channel__exact=email",
        f"/admin/notifications/delivery/{delivery.pk}/change/",
    ):
        assert admin_client_.get(url).status_code == 200, url


def test_records_written_by_services_cannot_be_edited_or_deleted_in_the_admin(
    admin_client_, learner, solved
):
    notification = Notification.objects.get(recipient=learner)
    delivery = Delivery.objects.get(recipient=learner)

    for url in (
        f"/admin/notifications/notification/{notification.pk}/delete/",
        f"/admin/notifications/delivery/{delivery.pk}/delete/",
        "/admin/notifications/outboxevent/add/",
        "/admin/notifications/webhook/add/",
    ):
        assert admin_client_.get(url).status_code == 403, url
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_the_admin_filters_show_dead_lettered_deliveries(admin_client_, learner, solved):
    Delivery.objects.filter(recipient=learner).update(status="dead", last_error="SMTP 550")

    dead = admin_client_.get("/admin/notifications/delivery/?status__exact=dead")
    sent = admin_client_.get("/admin/notifications/delivery/?status__exact=sent")

    assert "SMTP 550" in dead.content.decode()
    assert "SMTP 550" not in sent.content.decode()


def test_retrying_a_dead_delivery_sends_it_again(
    admin_client_, learner, solved, django_capture_on_commit_callbacks
):
    delivery = Delivery.objects.get(recipient=learner)
    Delivery.objects.filter(pk=delivery.pk).update(status="dead", attempts=6, last_error="SMTP 550")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client_.post(
            "/admin/notifications/delivery/",
            {"action": "retry_dead", "_selected_action": [delivery.pk]},
            follow=True,
        )
    waiting = Delivery.objects.get(pk=delivery.pk)
    for callback in callbacks:
        callback()

    assert "Queued 1 dead delivery(ies) again." in response.content.decode()
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 0, "")
    assert Delivery.objects.get(pk=delivery.pk).status == "sent"
    assert [message.to for message in mail.outbox] == [[learner.email]]


def test_the_retry_action_leaves_deliveries_that_are_not_dead_alone(
    admin_client_, learner, solved, django_capture_on_commit_callbacks
):
    delivery = Delivery.objects.get(recipient=learner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            "/admin/notifications/delivery/",
            {"action": "retry_dead", "_selected_action": [delivery.pk]},
        )

    assert Delivery.objects.get(pk=delivery.pk).attempts == 1
    assert mail.outbox == []


def test_the_webhook_url_never_appears_in_the_admin(admin_client_, webhook):
    delivery = Delivery.objects.create(
        key=f"webhook:{webhook.pk}:event:1",
        channel="webhook",
        webhook=webhook,
        payload={"json": {"embeds": [{"title": "New challenge"}]}},
        status="dead",
        last_error="HTTP 404",
    )

    pages = [
        admin_client_.get(url).content.decode()
        for url in (
            "/admin/notifications/webhook/",
            f"/admin/notifications/webhook/{webhook.pk}/change/",
            f"/admin/notifications/webhook/{webhook.pk}/delete/",
            f"/admin/notifications/webhook/{webhook.pk}/history/",
            "/admin/notifications/delivery/",
            f"/admin/notifications/delivery/{delivery.pk}/change/",
        )
    ]

    assert "discord.example.com" in pages[0]
    assert "discord.example.com" in pages[1]
    for page in pages:
        assert "very-secret-token" not in page
        assert "/api/webhooks/" not in page


def test_staff_switch_a_webhook_off_in_the_admin_without_touching_its_url(admin_client_, webhook):
    response = admin_client_.post(
        f"/admin/notifications/webhook/{webhook.pk}/change/", {"_save": "Save"}
    )

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.is_active is False
    assert webhook.url == SECRET_URL
    assert webhook.name == "Cohort Discord"


def test_staff_switch_webhooks_on_and_off_from_the_list(admin_client_, webhook):
    webhook.is_active = False
    webhook.save()

    response = admin_client_.post(
        "/admin/notifications/webhook/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(webhook.pk),
            "form-0-is_active": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.is_active is True
    assert webhook.url == SECRET_URL


def test_staff_change_a_users_email_plan_in_the_admin(admin_client_, learner):
    services.preferences_update(user=learner, data={"mentioned": "never"})
    preference = NotificationPreference.objects.get(user=learner)

    response = admin_client_.post(
        f"/admin/notifications/notificationpreference/{preference.pk}/change/",
        {"email": "weekly", "_save": "Save"},
    )

    assert response.status_code == 302
    assert services.preferences_get(user=learner)["mentioned"] == "weekly"
