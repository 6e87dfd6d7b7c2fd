from __future__ import annotations

import pytest

from nexus.challenges import services as challenge_services
from nexus.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


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
query($unread: Boolean, $kind: String, $first: Int, $after: String) {
  notifications(unread: $unread, kind: $kind, first: $first, after: $after) {
    unreadCount
    results {
      id kind title excerpt targetType targetId url isRead createdAt
      actor { username displayName role cohort { slug } }
    }
    pageInfo { hasNextPage endCursor }
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
    gql, learner, peer, challenge, inbox
):
    page = gql.data(NOTIFICATIONS, as_user=learner)["notifications"]

    assert page["unreadCount"] == 3
    assert [int(n["id"]) for n in page["results"]] == [n.pk for n in reversed(inbox)]
    oldest = page["results"][-1]
    assert oldest["kind"] == "solution_posted"
    assert oldest["actor"]["username"] == peer.username
    assert oldest["isRead"] is False
    assert oldest["targetType"] == "solution"
    assert oldest["url"] == f"/api/v1/challenges/{challenge.pk}/"
    assert oldest["excerpt"] == "Try this."


def test_notifications_narrow_by_unread_and_kind_and_page_by_cursor(gql, learner, inbox):
    Notification.objects.filter(pk=inbox[0].pk).update(kind="mentioned")
    gql(MARK_READ, {"ids": [inbox[1].pk]}, as_user=learner)

    def ids(**variables):
        page = gql.data(NOTIFICATIONS, variables, as_user=learner)["notifications"]
        return [int(n["id"]) for n in page["results"]]

    assert ids(unread=True) == [inbox[2].pk, inbox[0].pk]
    assert ids(unread=False) == [inbox[1].pk]
    assert ids(kind="mentioned") == [inbox[0].pk]
    first = gql.data(NOTIFICATIONS, {"first": 1}, as_user=learner)["notifications"]
    assert ids(first=1, after=first["pageInfo"]["endCursor"]) == [inbox[1].pk]
    walked = gql.walk(NOTIFICATIONS, {"first": 2}, as_user=learner)
    assert [int(n["id"]) for n in walked] == [n.pk for n in reversed(inbox)]


@pytest.mark.parametrize(
    ("variables", "field"), [({"first": 0}, "first"), ({"after": "no-such-cursor"}, "after")]
)
def test_a_bad_first_or_after_is_a_validation_error(gql, learner, variables, field):
    body = gql(NOTIFICATIONS, variables, as_user=learner)

    assert body.error_code == "validation_error"
    assert list(body.error["errors"]) == [field]


def test_others_never_see_my_notifications(gql, user_factory, inbox):
    page = gql.data(NOTIFICATIONS, as_user=user_factory())["notifications"]

    assert page == {
        "unreadCount": 0,
        "results": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (NOTIFICATIONS, {}),
        (PREFERENCES, {}),
        (MARK_READ, {"all": True}),
        (UPDATE_PREFERENCES, {"preferences": [{"kind": "mentioned", "email": "never"}]}),
    ],
)
def test_notifications_need_a_signed_in_user(gql, inbox, query, variables):
    body = gql(query, variables)

    assert body.error_code == "not_authenticated"
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert not NotificationPreference.objects.exists()


def test_marking_read_by_ids_and_then_all_marks_only_mine(gql, learner, inbox):
    some = gql.data(MARK_READ, {"ids": [inbox[0].pk]}, as_user=learner)
    again = gql.data(MARK_READ, {"ids": [inbox[0].pk]}, as_user=learner)
    everything = gql.data(MARK_READ, {"all": True}, as_user=learner)

    assert some["markNotificationsRead"] == {"marked": 1, "unreadCount": 2}
    assert again["markNotificationsRead"] == {"marked": 0, "unreadCount": 2}
    assert everything["markNotificationsRead"] == {"marked": 2, "unreadCount": 0}
    assert not Notification.objects.filter(recipient=learner, read_at__isnull=True).exists()
    others = Notification.objects.exclude(recipient=learner)
    assert others.exists()
    assert not others.filter(read_at__isnull=False).exists()


def test_another_users_ids_are_not_found_and_nothing_changes(gql, learner, peer, inbox):
    foreign = gql(MARK_READ, {"ids": [inbox[0].pk]}, as_user=peer)
    mixed = gql(MARK_READ, {"ids": [inbox[1].pk, 99999]}, as_user=learner)

    assert foreign.error_code == "not_found"
    assert mixed.error_code == "not_found"
    assert mixed["errors"][0]["extensions"]["errors"] == {"ids": ["Unknown: 99999."]}
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_marking_read_needs_ids_or_all(gql, learner, inbox):
    neither = gql(MARK_READ, {}, as_user=learner)
    empty = gql(MARK_READ, {"ids": []}, as_user=learner)

    assert neither.error_code == "validation_error"
    assert empty.error_code == "validation_error"
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_preferences_show_defaults_and_change_per_kind(gql, learner):
    defaults = gql.data(PREFERENCES, as_user=learner)["notificationPreferences"]
    changed = gql.data(
        UPDATE_PREFERENCES,
        {
            "preferences": [
                {"kind": "comment_posted", "email": "weekly"},
                {"kind": "mentioned", "email": "never"},
            ]
        },
        as_user=learner,
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
def test_bad_preferences_are_refused_and_nothing_is_saved(gql, learner, bad):
    body = gql(
        UPDATE_PREFERENCES,
        {"preferences": [{"kind": "mentioned", "email": "never"}, bad]},
        as_user=learner,
    )

    assert body.error_code == "validation_error"
    assert bad["kind"] in body["errors"][0]["extensions"]["errors"]
    assert not NotificationPreference.objects.exists()


def test_the_notification_list_runs_a_constant_number_of_queries(
    gql, learner, inbox, committed, user_factory, challenge, django_assert_num_queries
):
    def fetch(**variables):
        return gql(NOTIFICATIONS, {"first": 100, **variables}, as_user=learner)

    with django_assert_num_queries(3):  # user, page with actors, unread count
        fetch()
    for _ in range(6):
        answer(committed, challenge, user_factory())
    with django_assert_num_queries(3):
        body = fetch()
    assert len(body.data["notifications"]["results"]) == 9
    after = fetch(first=3).data["notifications"]["pageInfo"]["endCursor"]
    with django_assert_num_queries(3):  # a later page costs the same
        later = fetch(first=4, after=after)
    assert len(later.data["notifications"]["results"]) == 4
