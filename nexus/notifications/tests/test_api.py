from __future__ import annotations

import pytest
from django.core import signing

from nexus.challenges import services as challenge_services
from nexus.notifications import emails
from nexus.notifications.models import Notification, NotificationPreference, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(committed, learner, peer, user_factory, challenge):
    for author in (peer, user_factory(), user_factory()):
        committed(
            challenge_services.solution_create,
            actor=author,
            challenge_id=challenge.pk,
            data={"body": "Try this."},
        )
    return list(Notification.objects.filter(recipient=learner).order_by("id"))


def test_the_notification_list_carries_the_unread_count(as_user, learner, inbox):
    body = as_user(learner).get("/api/v1/notifications/").json()

    assert body["unread_count"] == 3
    assert [n["id"] for n in body["results"]] == [n.pk for n in reversed(inbox)]
    assert body["results"][0]["kind"] == "solution_posted"
    assert body["results"][0]["is_read"] is False


def test_marking_read_by_ids_and_all(as_user, learner, inbox):
    client = as_user(learner)

    some = client.post("/api/v1/notifications/read/", {"ids": [inbox[0].pk]})
    unread = client.get("/api/v1/notifications/?unread=true").json()
    everything = client.post("/api/v1/notifications/read/", {"all": True})

    assert some.json() == {"marked": 1, "unread_count": 2}
    assert len(unread["results"]) == 2
    assert everything.json() == {"marked": 2, "unread_count": 0}


def test_unknown_or_foreign_notification_ids_change_nothing(as_user, peer, learner, inbox):
    foreign = as_user(peer).post("/api/v1/notifications/read/", {"ids": [inbox[0].pk]})
    unknown = as_user(learner).post("/api/v1/notifications/read/", {"ids": [inbox[0].pk, 99999]})
    malformed = as_user(learner).post("/api/v1/notifications/read/", {"ids": "all"}, format="json")

    assert foreign.status_code == unknown.status_code == 404
    assert malformed.status_code == 400
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_notifications_need_a_signed_in_user(api_client):
    assert api_client.get("/api/v1/notifications/").status_code == 401


def test_notification_list_runs_a_constant_number_of_queries(
    as_user, learner, inbox, committed, user_factory, challenge, django_assert_num_queries
):
    client = as_user(learner)
    with django_assert_num_queries(3):  # user, page, unread count
        client.get("/api/v1/notifications/?page_size=100")
    for _ in range(6):
        committed(
            challenge_services.solution_create,
            actor=user_factory(),
            challenge_id=challenge.pk,
            data={"body": "More."},
        )
    with django_assert_num_queries(3):
        body = client.get("/api/v1/notifications/?page_size=100").json()
    assert len(body["results"]) == 9


def test_preferences_show_defaults_and_change_per_kind(as_user, learner):
    client = as_user(learner)

    defaults = client.get("/api/v1/me/notification-preferences/").json()
    changed = client.patch(
        "/api/v1/me/notification-preferences/", {"comment_posted": "weekly", "mentioned": "never"}
    )

    assert defaults["solution_posted"] == "immediate"
    assert changed.json()["comment_posted"] == "weekly"
    assert changed.json()["mentioned"] == "never"


@pytest.mark.parametrize(
    "change", [{"comment_posted": "hourly"}, {"no_such_kind": "daily"}, {"mentioned": 1}]
)
def test_bad_preferences_are_refused_and_nothing_is_saved(as_user, learner, change):
    response = as_user(learner).patch(
        "/api/v1/me/notification-preferences/", {"comment_posted": "weekly", **change}
    )

    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_an_unsubscribe_link_works_without_logging_in(api_client, learner):
    token = emails.unsubscribe_token(user_id=learner.pk, kind="solution_posted")

    response = api_client.get(f"/api/v1/notifications/unsubscribe/?token={token}")

    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=learner, kind="solution_posted").email == "never"


def test_a_forged_or_expired_unsubscribe_token_is_refused(api_client, learner, settings):
    forged = signing.dumps({"u": learner.pk, "k": "all"}, salt="something-else")
    expired = emails.unsubscribe_token(user_id=learner.pk, kind="all")

    for token in (forged, "nonsense", ""):
        response = api_client.get(f"/api/v1/notifications/unsubscribe/?token={token}")
        assert response.status_code == 400
    original = emails.UNSUBSCRIBE_MAX_AGE
    emails.UNSUBSCRIBE_MAX_AGE = -1
    try:
        response = api_client.get(f"/api/v1/notifications/unsubscribe/?token={expired}")
    finally:
        emails.UNSUBSCRIBE_MAX_AGE = original
    assert response.status_code == 400
    assert response.json()["errors"] == {"token": ["Expired."]}
    assert not NotificationPreference.objects.exists()


def test_staff_add_webhooks_whose_url_is_write_only(as_user, staff, celery_tech, settings):
    settings.NEXUS_WEBHOOKS_ALLOW_PRIVATE = False
    created = as_user(staff).post(
        "/api/v1/webhooks/",
        {
            "name": "Cohort Discord",
            "url": "https://1.1.1.1/api/webhooks/1/secret",
            "events": ["challenge.solved"],
            "technologies": ["celery"],
        },
    )

    assert created.status_code == 201, created.json()
    assert "url" not in created.json()
    assert "secret" not in str(as_user(staff).get("/api/v1/webhooks/").json())
    assert created.json()["technologies"] == [{"slug": "celery", "name": "Celery"}]


@pytest.mark.parametrize(
    "url",
    [
        "http://1.1.1.1/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.2/hook",
        "https://172.16.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "ftp://1.1.1.1/hook",
        "not a url",
    ],
)
def test_webhook_urls_must_be_https_on_public_addresses(as_user, staff, settings, url):
    settings.NEXUS_WEBHOOKS_ALLOW_PRIVATE = False

    response = as_user(staff).post(
        "/api/v1/webhooks/", {"name": "x", "url": url, "events": ["challenge.created"]}
    )

    assert response.status_code == 400
    assert "url" in response.json()["errors"]
    assert not Webhook.objects.exists()


def test_learners_cannot_see_or_add_webhooks(as_user, learner):
    assert as_user(learner).get("/api/v1/webhooks/").status_code == 403
    refused = as_user(learner).post(
        "/api/v1/webhooks/",
        {"name": "x", "url": "https://1.1.1.1/h", "events": ["challenge.created"]},
    )
    assert refused.status_code == 403
    assert not Webhook.objects.exists()
