from __future__ import annotations

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from nexus.challenges import services as challenge_services
from nexus.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def gql(client, query, variables=None, *, as_user=None):
    headers = {}
    if as_user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(as_user)}"
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        **headers,
    )
    return response.json()


def data(body):
    assert "errors" not in body, body
    return body["data"]


def error_code(body):
    return body["errors"][0]["extensions"]["code"]


def answer(committed, challenge, author, body="Try this."):
    return committed(
        challenge_services.solution_create,
        actor=author,
        challenge_id=challenge.pk,
        data={"body": body},
    )


@pytest.fixture
def inbox(committed, learner, peer, user_factory, challenge):
    for author in (peer, user_factory(), user_factory()):
        answer(committed, challenge, author)
    return list(Notification.objects.filter(recipient=learner).order_by("id"))


NOTIFICATIONS = """
query($unread: Boolean, $kind: String, $limit: Int, $offset: Int) {
  notifications(unread: $unread, kind: $kind, limit: $limit, offset: $offset) {
    unreadCount
    items {
      id kind title excerpt targetType targetId url isRead createdAt
      actor { username displayName role cohort { slug } }
    }
  }
}
"""

MARK_READ = """
mutation($ids: [Int!], $all: Boolean) {
  markNotificationsRead(ids: $ids, all: $all) { marked unreadCount }
}
"""

PREFERENCES = "{ notificationPreferences { kind email } }"

UPDATE_PREFERENCES = """
mutation($preferences: [NotificationPreferenceInput!]!) {
  updateNotificationPreferences(preferences: $preferences) { kind email }
}
"""


def test_my_notifications_come_newest_first_with_the_unread_count(
    client, learner, peer, challenge, inbox
):
    page = data(gql(client, NOTIFICATIONS, as_user=learner))["notifications"]

    assert page["unreadCount"] == 3
    assert [int(n["id"]) for n in page["items"]] == [n.pk for n in reversed(inbox)]
    oldest = page["items"][-1]
    assert oldest["kind"] == "solution_posted"
    assert oldest["actor"]["username"] == peer.username
    assert oldest["isRead"] is False
    assert oldest["targetType"] == "solution"
    assert oldest["url"] == f"/api/v1/challenges/{challenge.pk}/"
    assert oldest["excerpt"] == "Try this."


def test_notifications_narrow_by_unread_and_kind_and_page_by_limit_and_offset(
    client, learner, inbox
):
    Notification.objects.filter(pk=inbox[0].pk).update(kind="mentioned")
    gql(client, MARK_READ, {"ids": [inbox[1].pk]}, as_user=learner)

    def ids(**variables):
        page = data(gql(client, NOTIFICATIONS, variables, as_user=learner))["notifications"]
        return [int(n["id"]) for n in page["items"]]

    assert ids(unread=True) == [inbox[2].pk, inbox[0].pk]
    assert ids(unread=False) == [inbox[1].pk]
    assert ids(kind="mentioned") == [inbox[0].pk]
    assert ids(limit=1, offset=1) == [inbox[1].pk]


def test_a_negative_limit_is_a_validation_error(client, learner):
    body = gql(client, NOTIFICATIONS, {"limit": -1}, as_user=learner)

    assert error_code(body) == "validation_error"
    assert body["errors"][0]["extensions"]["errors"] == {"limit": ["Zero or more."]}


def test_others_never_see_my_notifications(client, user_factory, inbox):
    page = data(gql(client, NOTIFICATIONS, as_user=user_factory()))["notifications"]

    assert page == {"unreadCount": 0, "items": []}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (NOTIFICATIONS, {}),
        (PREFERENCES, {}),
        (MARK_READ, {"all": True}),
        (UPDATE_PREFERENCES, {"preferences": [{"kind": "mentioned", "email": "never"}]}),
    ],
)
def test_notifications_need_a_signed_in_user(client, inbox, query, variables):
    body = gql(client, query, variables)

    assert error_code(body) == "not_authenticated"
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert not NotificationPreference.objects.exists()


def test_marking_read_by_ids_and_then_all_marks_only_mine(client, learner, inbox):
    some = data(gql(client, MARK_READ, {"ids": [inbox[0].pk]}, as_user=learner))
    again = data(gql(client, MARK_READ, {"ids": [inbox[0].pk]}, as_user=learner))
    everything = data(gql(client, MARK_READ, {"all": True}, as_user=learner))

    assert some["markNotificationsRead"] == {"marked": 1, "unreadCount": 2}
    assert again["markNotificationsRead"] == {"marked": 0, "unreadCount": 2}
    assert everything["markNotificationsRead"] == {"marked": 2, "unreadCount": 0}
    assert not Notification.objects.filter(recipient=learner, read_at__isnull=True).exists()
    others = Notification.objects.exclude(recipient=learner)
    assert others.exists()
    assert not others.filter(read_at__isnull=False).exists()


def test_another_users_ids_are_not_found_and_nothing_changes(client, learner, peer, inbox):
    foreign = gql(client, MARK_READ, {"ids": [inbox[0].pk]}, as_user=peer)
    mixed = gql(client, MARK_READ, {"ids": [inbox[1].pk, 99999]}, as_user=learner)

    assert error_code(foreign) == "not_found"
    assert error_code(mixed) == "not_found"
    assert mixed["errors"][0]["extensions"]["errors"] == {"ids": ["Unknown: 99999."]}
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_marking_read_needs_ids_or_all(client, learner, inbox):
    neither = gql(client, MARK_READ, {}, as_user=learner)
    empty = gql(client, MARK_READ, {"ids": []}, as_user=learner)

    assert error_code(neither) == "validation_error"
    assert error_code(empty) == "validation_error"
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_preferences_show_defaults_and_change_per_kind(client, learner):
    defaults = data(gql(client, PREFERENCES, as_user=learner))["notificationPreferences"]
    changed = data(
        gql(
            client,
            UPDATE_PREFERENCES,
            {
                "preferences": [
                    {"kind": "comment_posted", "email": "weekly"},
                    {"kind": "mentioned", "email": "never"},
                ]
            },
            as_user=learner,
        )
    )["updateNotificationPreferences"]

    assert {"kind": "solution_posted", "email": "immediate"} in defaults
    plans = {row["kind"]: row["email"] for row in changed}
    assert plans["comment_posted"] == "weekly"
    assert plans["mentioned"] == "never"
    assert plans["solution_posted"] == "immediate"
    assert len(changed) == len(defaults)


@pytest.mark.parametrize(
    "bad",
    [{"kind": "comment_posted", "email": "hourly"}, {"kind": "no_such_kind", "email": "daily"}],
)
def test_bad_preferences_are_refused_and_nothing_is_saved(client, learner, bad):
    body = gql(
        client,
        UPDATE_PREFERENCES,
        {"preferences": [{"kind": "mentioned", "email": "never"}, bad]},
        as_user=learner,
    )

    assert error_code(body) == "validation_error"
    assert bad["kind"] in body["errors"][0]["extensions"]["errors"]
    assert not NotificationPreference.objects.exists()


def test_the_notification_list_runs_a_constant_number_of_queries(
    client, learner, inbox, committed, user_factory, challenge, django_assert_num_queries
):
    token = AccessToken.for_user(learner)

    def fetch():
        return client.post(
            "/graphql/",
            {"query": NOTIFICATIONS, "variables": {"limit": 100}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).json()

    with django_assert_num_queries(3):  # user, page with actors, unread count
        fetch()
    for _ in range(6):
        answer(committed, challenge, user_factory())
    with django_assert_num_queries(3):
        body = fetch()
    assert len(data(body)["notifications"]["items"]) == 9
