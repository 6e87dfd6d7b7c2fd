from __future__ import annotations

import pytest

from nexus.collaboration.models import Channel, Membership, Message, MessageRevision, Reaction
from nexus.collaboration.selectors import channels as channel_selectors
from nexus.collaboration.services import channels as services
from nexus.notifications.models import Notification

pytestmark = pytest.mark.django_db

CHANNELS = "/api/v1/channels/"


@pytest.fixture
def backend(user_factory):
    return user_factory(username="backend-ada", track="backend")


@pytest.fixture
def frontend(user_factory):
    return user_factory(username="frontend-lin", track="frontend")


@pytest.fixture
def staff(user_factory):
    return user_factory(username="staff-nia", role="staff")


@pytest.fixture
def nexus_channel(backend):
    return services.channel_create(
        actor=backend,
        data={"name": "ProDev Project Nexus", "slug": "prodev-project-nexus", "topic": "Ship it"},
    )


def messages_url(slug="prodev-project-nexus", suffix=""):
    return f"{CHANNELS}{slug}/messages/{suffix}"


def test_two_learners_chat_with_threads_mentions_reactions_and_unread_counts(
    as_user, backend, frontend, nexus_channel, django_capture_on_commit_callbacks
):
    ada, lin = as_user(backend), as_user(frontend)
    assert lin.post(f"{CHANNELS}prodev-project-nexus/join/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        question = ada.post(messages_url(), {"body": "@frontend-lin which fields do you need?"})
    assert question.status_code == 201, question.json()
    question_id = question.json()["id"]
    assert Notification.objects.get(recipient=frontend).kind == "mentioned"

    channel = lin.get(f"{CHANNELS}prodev-project-nexus/").json()
    assert (channel["is_member"], channel["unread_count"]) == (True, 1)

    with django_capture_on_commit_callbacks(execute=True):
        reply = lin.post(
            messages_url(), {"body": "Author and tags, please.", "parent": question_id}
        )
    assert reply.json()["parent"] == question_id
    assert Notification.objects.get(recipient=backend).kind == "thread_reply"
    assert lin.post(messages_url(suffix=f"{question_id}/reactions/"), {"emoji": "👍"}).json() == {
        "changed": True
    }
    assert lin.post(messages_url(suffix=f"{question_id}/reactions/"), {"emoji": "👍"}).json() == {
        "changed": False
    }

    page = ada.get(messages_url()).json()
    assert [m["id"] for m in page["results"]] == [question_id]
    assert page["results"][0]["reply_count"] == 1
    assert page["results"][0]["reactions"] == [{"emoji": "👍", "count": 1, "mine": False}]
    thread = ada.get(messages_url() + f"?parent={question_id}").json()["results"]
    assert [m["body"] for m in thread] == ["Author and tags, please."]
    assert ada.get(f"{CHANNELS}prodev-project-nexus/").json()["unread_count"] == 1

    ada.post(f"{CHANNELS}prodev-project-nexus/read/", {"last_read": reply.json()["id"]})
    mine = ada.get(f"{CHANNELS}?mine=true").json()["results"]
    assert [(c["slug"], c["unread_count"]) for c in mine] == [("prodev-project-nexus", 0)]


def test_paging_back_in_time_and_catching_up(as_user, backend, nexus_channel):
    ids = [
        services.message_post(actor=backend, slug=nexus_channel.slug, data={"body": f"m{n}"}).pk
        for n in range(5)
    ]
    client = as_user(backend)

    first = client.get(messages_url() + "?page_size=2").json()
    older = client.get(messages_url() + f"?page_size=2&before={first['next_before']}").json()
    since = client.get(messages_url() + f"?since={ids[2]}").json()

    assert [m["id"] for m in first["results"]] == [ids[4], ids[3]]
    assert [m["id"] for m in older["results"]] == [ids[2], ids[1]]
    assert [m["id"] for m in since["results"]] == [ids[3], ids[4]]
    assert client.get(messages_url() + "?before=abc").status_code == 400


def test_a_private_channel_is_invisible_to_non_members_until_invited(
    as_user, backend, frontend, user_factory
):
    services.channel_create(actor=backend, data={"name": "Squad", "kind": "private"})
    outsider = as_user(frontend)

    assert outsider.get(f"{CHANNELS}squad/").status_code == 404
    assert outsider.get(messages_url("squad")).status_code == 404
    assert outsider.post(f"{CHANNELS}squad/join/").status_code == 404
    assert outsider.post(messages_url("squad"), {"body": "hi"}).status_code == 404
    assert "squad" not in [c["slug"] for c in outsider.get(CHANNELS).json()["results"]]

    invited = as_user(backend).post(f"{CHANNELS}squad/members/", {"username": frontend.username})
    assert invited.status_code == 201
    assert outsider.post(messages_url("squad"), {"body": "hi"}).status_code == 201
    third = user_factory()
    refused = outsider.post(f"{CHANNELS}squad/members/", {"username": third.username})
    assert refused.status_code == 403
    assert not Membership.objects.filter(user=third).exists()


def test_the_channel_list_reads_each_channel_once_whatever_its_members(backend, frontend):
    # Joined to their memberships and made DISTINCT, channels came once per
    # member, and the unread count's subquery ran for each of those rows: over
    # ten minutes for one member's list at a million challenges.
    services.channel_create(actor=backend, data={"name": "Squad", "kind": "private"})
    sql = str(channel_selectors.channel_list(viewer=frontend).query)

    assert 'JOIN "collaboration_membership"' not in sql
    assert "DISTINCT" not in sql


def test_unread_counts_stop_at_their_bound(as_user, backend, frontend, nexus_channel, monkeypatch):
    monkeypatch.setattr(channel_selectors, "UNREAD_COUNT_MAX", 3)
    services.channel_join(actor=frontend, slug=nexus_channel.slug)
    posted = [
        services.message_post(actor=backend, slug=nexus_channel.slug, data={"body": f"m{i}"})
        for i in range(5)
    ]

    def unread():
        listed = as_user(frontend).get(f"{CHANNELS}?page_size=100").json()["results"]
        return {c["slug"]: c["unread_count"] for c in listed}[nexus_channel.slug]

    assert unread() == 3  # five after the marker, counted up to the bound
    services.channel_mark_read(actor=frontend, slug=nexus_channel.slug, last_read=posted[2].pk)
    assert unread() == 2  # under the bound, exact
    services.message_delete(actor=backend, message_id=posted[4].pk)
    assert unread() == 1


def test_only_staff_post_announcements_and_they_are_listed_pinned_first(as_user, backend, staff):
    services.channel_create(actor=staff, data={"name": "Announcements", "kind": "announcement"})
    assert (
        as_user(backend).post(messages_url("announcements"), {"body": "Me too"}).status_code == 403
    )
    refused = as_user(backend).post("/api/v1/announcements/", {"body": "Hi"})
    assert refused.status_code == 403

    first = as_user(staff).post("/api/v1/announcements/", {"body": "Demo day Friday"})
    pinned = as_user(staff).post(
        "/api/v1/announcements/", {"body": "Read the handbook", "pinned": True}
    )
    later = as_user(staff).post("/api/v1/announcements/", {"body": "Office hours moved"})

    listed = as_user(backend).get("/api/v1/announcements/").json()
    assert [a["id"] for a in listed] == [
        pinned.json()["id"],
        later.json()["id"],
        first.json()["id"],
    ]


def test_an_archived_channel_takes_no_messages(as_user, backend, nexus_channel):
    as_user(backend).patch(f"{CHANNELS}prodev-project-nexus/", {"is_archived": True})

    response = as_user(backend).post(messages_url(), {"body": "hello?"})

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_edits_keep_history_and_deletes_are_soft(as_user, backend, frontend, staff, nexus_channel):
    message = services.message_post(actor=backend, slug=nexus_channel.slug, data={"body": "v1"})
    url = messages_url(suffix=f"{message.pk}/")

    assert as_user(frontend).patch(url, {"body": "hijack"}).status_code == 403
    assert as_user(backend).patch(url, {"body": "v2"}).json()["edited_at"] is not None
    assert list(MessageRevision.objects.values_list("body", flat=True)) == ["v1"]
    assert as_user(frontend).delete(url).status_code == 403
    assert as_user(staff).delete(url).status_code == 204
    assert as_user(backend).get(url).status_code == 404
    assert Message.objects.get(pk=message.pk).deleted_at is not None


def test_a_deleted_message_leaves_the_channel_and_thread_counts(
    as_user, backend, frontend, nexus_channel
):
    """The counts are columns the lists read; deleting must keep them equal to
    the messages and replies the reads still show."""
    question = services.message_post(actor=backend, slug=nexus_channel.slug, data={"body": "Q"})
    reply = services.message_post(
        actor=frontend, slug=nexus_channel.slug, data={"body": "A", "parent": question.pk}
    )
    services.message_post(actor=frontend, slug=nexus_channel.slug, data={"body": "More"})

    assert as_user(frontend).delete(messages_url(suffix=f"{reply.pk}/")).status_code == 204
    assert as_user(frontend).delete(messages_url(suffix=f"{reply.pk}/")).status_code == 404

    reader = as_user(backend)
    channel = reader.get(f"{CHANNELS}{nexus_channel.slug}/").json()
    shown = reader.get(messages_url()).json()["results"]
    replies = reader.get(messages_url() + f"?parent={question.pk}").json()["results"]
    assert channel["message_count"] == len(shown) + len(replies) == 2
    assert [m["reply_count"] for m in shown if m["id"] == question.pk] == [len(replies)] == [0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "x", "parent": 999999}, "parent"),
        ({"body": "x", "parent": "one"}, "parent"),
        ({"body": "x", "pinned": True}, "pinned"),
        ({"text": "x"}, "text"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    as_user, backend, nexus_channel, settings, payload, field
):
    settings.MAX_REQUEST_BYTES = 1024 * 1024

    response = as_user(backend).post(messages_url(), payload)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Message.objects.exists()


def test_an_unknown_emoji_is_refused(as_user, backend, nexus_channel):
    message = services.message_post(actor=backend, slug=nexus_channel.slug, data={"body": "hi"})

    response = as_user(backend).post(
        messages_url(suffix=f"{message.pk}/reactions/"), {"emoji": "🐍"}
    )

    assert response.status_code == 400
    assert not Reaction.objects.exists()


def test_a_thread_becomes_a_challenge_and_the_repliers_are_invited_to_answer(
    as_user, backend, frontend, nexus_channel, django_capture_on_commit_callbacks
):
    question = services.message_post(
        actor=backend,
        slug=nexus_channel.slug,
        data={"body": "Why does my Celery task run twice after a deploy?"},
    )
    services.message_post(
        actor=frontend, slug=nexus_channel.slug, data={"body": "acks_late?", "parent": question.pk}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(backend).post(messages_url(suffix=f"{question.pk}/to-challenge/"))

    assert response.status_code == 201
    challenge = response.json()
    detail = as_user(frontend).get(f"/api/v1/challenges/{challenge['id']}/").json()
    assert detail["author"]["username"] == backend.username
    assert f"parent={question.pk}" in detail["body"]
    assert (
        as_user(backend).get(messages_url(suffix=f"{question.pk}/")).json()["challenge"]
        == (challenge["id"])
    )
    assert Notification.objects.get(recipient=frontend, kind="answer_invited")
    again = as_user(frontend).post(messages_url(suffix=f"{question.pk}/to-challenge/"))
    assert again.status_code == 400


def test_lists_run_a_constant_number_of_queries(
    as_user, backend, user_factory, nexus_channel, django_assert_num_queries
):
    client = as_user(backend)

    def grow(n):
        for i in range(n):
            services.channel_create(actor=backend, data={"name": f"Room {Channel.objects.count()}"})
            message = services.message_post(
                actor=user_factory(), slug=nexus_channel.slug, data={"body": f"hello {i}"}
            )
            services.reaction_set(actor=backend, message_id=message.pk, emoji="🎉", present=True)

    grow(3)
    with django_assert_num_queries(2):
        client.get(f"{CHANNELS}?page_size=100")
    with django_assert_num_queries(5):
        client.get(messages_url() + "?page_size=100")
    grow(6)
    with django_assert_num_queries(2):
        channels = client.get(f"{CHANNELS}?page_size=100").json()["results"]
    with django_assert_num_queries(5):
        messages = client.get(messages_url() + "?page_size=100").json()["results"]

    assert (len(channels), len(messages)) == (10, 9)


def test_channels_need_a_signed_in_user(api_client, nexus_channel):
    assert api_client.get(CHANNELS).status_code == 401
    assert api_client.get(messages_url()).status_code == 401
