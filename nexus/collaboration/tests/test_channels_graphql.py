from __future__ import annotations

import pytest

from nexus.collaboration.models import Channel, Membership, Message, MessageRevision, Reaction
from nexus.collaboration.services import channels as services
from nexus.notifications.models import Notification

pytestmark = pytest.mark.django_db

NEXUS = "prodev-project-nexus"


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
        actor=backend, data={"name": "ProDev Project Nexus", "slug": NEXUS, "topic": "Ship it"}
    )


CHANNEL = """
query($slug: String!) {
  channel(slug: $slug) { slug name kind topic isArchived messageCount isMember unreadCount }
}
"""

JOIN = "mutation($slug: String!) { joinChannel(slug: $slug) { slug isMember unreadCount } }"

POST = """
mutation($channel: String!, $body: String!, $parent: Int, $pinned: Boolean) {
  postMessage(channel: $channel, body: $body, parent: $parent, pinned: $pinned) {
    id channel parentId body bodyHtml isPinned replyCount author { username }
  }
}
"""

REACT = """
mutation($messageId: Int!, $emoji: String!, $present: Boolean) {
  react(messageId: $messageId, emoji: $emoji, present: $present)
}
"""

MESSAGES = """
query($channel: String!, $parent: Int, $before: Int, $since: Int, $pageSize: Int) {
  messages(
    channel: $channel, parent: $parent, before: $before, since: $since, pageSize: $pageSize
  ) {
    nextBefore
    messages {
      id parentId body replyCount lastReplyAt challengeId editedAt
      author { username displayName }
      reactions { emoji count mine }
    }
  }
}
"""

MARK_READ = """
mutation($slug: String!, $lastRead: Int!) {
  markChannelRead(slug: $slug, lastRead: $lastRead) { slug unreadCount }
}
"""

MY_CHANNELS = "{ channels(mine: true) { results { slug unreadCount isMember } } }"


def test_two_learners_chat_with_threads_mentions_reactions_and_unread_counts(
    gql, backend, frontend, nexus_channel, django_capture_on_commit_callbacks
):
    joined = gql.data(JOIN, {"slug": NEXUS}, as_user=frontend)["joinChannel"]
    assert joined == {"slug": NEXUS, "isMember": True, "unreadCount": 0}

    with django_capture_on_commit_callbacks(execute=True):
        posted = gql(
            POST,
            {"channel": NEXUS, "body": "@frontend-lin which fields do you need?"},
            as_user=backend,
        )
    question = posted.data["postMessage"]
    assert (question["channel"], question["parentId"], question["author"]) == (
        NEXUS,
        None,
        {"username": "backend-ada"},
    )
    assert Notification.objects.get(recipient=frontend).kind == "mentioned"

    seen_by_lin = gql.data(CHANNEL, {"slug": NEXUS}, as_user=frontend)["channel"]
    assert (seen_by_lin["isMember"], seen_by_lin["unreadCount"]) == (True, 1)

    with django_capture_on_commit_callbacks(execute=True):
        replied = gql(
            POST,
            {"channel": NEXUS, "body": "Author and tags, please.", "parent": int(question["id"])},
            as_user=frontend,
        )
    reply = replied.data["postMessage"]
    assert reply["parentId"] == question["id"]
    assert Notification.objects.get(recipient=backend).kind == "thread_reply"

    reaction = {"messageId": question["id"], "emoji": "👍"}
    assert gql.data(REACT, reaction, as_user=frontend) == {"react": True}
    assert gql.data(REACT, reaction, as_user=frontend) == {"react": False}

    page = gql.data(MESSAGES, {"channel": NEXUS}, as_user=backend)["messages"]
    assert [m["id"] for m in page["messages"]] == [question["id"]]
    assert page["nextBefore"] is None
    assert page["messages"][0]["replyCount"] == 1
    assert page["messages"][0]["reactions"] == [{"emoji": "👍", "count": 1, "mine": False}]
    as_lin = gql.data(MESSAGES, {"channel": NEXUS}, as_user=frontend)["messages"]
    assert as_lin["messages"][0]["reactions"] == [{"emoji": "👍", "count": 1, "mine": True}]
    thread = gql.data(MESSAGES, {"channel": NEXUS, "parent": question["id"]}, as_user=backend)[
        "messages"
    ]["messages"]
    assert [(m["body"], m["author"]["username"]) for m in thread] == [
        ("Author and tags, please.", "frontend-lin")
    ]

    assert gql.data(CHANNEL, {"slug": NEXUS}, as_user=backend)["channel"]["unreadCount"] == 1
    marked = gql.data(MARK_READ, {"slug": NEXUS, "lastRead": reply["id"]}, as_user=backend)[
        "markChannelRead"
    ]
    assert marked == {"slug": NEXUS, "unreadCount": 0}
    assert gql.data(MY_CHANNELS, as_user=backend)["channels"]["results"] == [
        {"slug": NEXUS, "unreadCount": 0, "isMember": True}
    ]


def test_paging_back_in_time_and_catching_up(gql, backend, nexus_channel):
    ids = [
        services.message_post(actor=backend, slug=NEXUS, data={"body": f"m{n}"}).pk
        for n in range(5)
    ]

    def page(**params):
        body = gql(MESSAGES, {"channel": NEXUS, **params}, as_user=backend)
        return body.data["messages"]

    first = page(pageSize=2)
    older = page(pageSize=2, before=first["nextBefore"])
    since = page(since=ids[2])

    assert [m["id"] for m in first["messages"]] == [ids[4], ids[3]]
    assert [m["id"] for m in older["messages"]] == [ids[2], ids[1]]
    assert [m["id"] for m in since["messages"]] == [ids[3], ids[4]]
    refused = gql(MESSAGES, {"channel": NEXUS, "before": -1}, as_user=backend)
    assert refused.error_code == "validation_error"
    assert "before" in refused["errors"][0]["extensions"]["errors"]


def test_a_private_channel_is_invisible_to_non_members_and_refuses_their_posts(
    gql, backend, frontend, user_factory
):
    services.channel_create(actor=backend, data={"name": "Squad", "kind": "private"})

    assert gql.error_code(CHANNEL, {"slug": "squad"}, as_user=frontend) == "not_found"
    assert gql.error_code(MESSAGES, {"channel": "squad"}, as_user=frontend) == ("not_found")
    assert gql.error_code(JOIN, {"slug": "squad"}, as_user=frontend) == "not_found"
    members = (
        "query($slug: String!) { channelMembers(slug: $slug) { results { user { username } } } }"
    )
    assert gql.error_code(members, {"slug": "squad"}, as_user=frontend) == "not_found"
    refused = gql(POST, {"channel": "squad", "body": "hi"}, as_user=frontend)
    assert refused.error_code == "not_found"
    assert not Message.objects.exists()
    listed = gql.data("{ channels { results { slug } } }", as_user=frontend)["channels"]["results"]
    assert "squad" not in [c["slug"] for c in listed]

    invite = """
    mutation($slug: String!, $username: String!) {
      inviteToChannel(slug: $slug, username: $username) { role canInvite user { username } }
    }
    """
    invited = gql(invite, {"slug": "squad", "username": "frontend-lin"}, as_user=backend)
    assert invited.data["inviteToChannel"] == {
        "role": "member",
        "canInvite": False,
        "user": {"username": "frontend-lin"},
    }
    gql.data(POST, {"channel": "squad", "body": "hi"}, as_user=frontend)
    third = user_factory()
    refused_invite = gql(invite, {"slug": "squad", "username": third.username}, as_user=frontend)
    assert refused_invite.error_code == "permission_denied"
    assert not Membership.objects.filter(user=third).exists()
    shown = gql.data(members, {"slug": "squad"}, as_user=frontend)["channelMembers"]["results"]
    assert [m["user"]["username"] for m in shown] == ["backend-ada", "frontend-lin"]


ANNOUNCEMENTS = "{ announcements { id body isPinned channel author { username } } }"


def test_only_staff_post_announcements_and_they_are_listed_pinned_first(gql, backend, staff):
    services.channel_create(actor=staff, data={"name": "Announcements", "kind": "announcement"})
    announce = {"channel": "announcements"}

    refused = gql(POST, {**announce, "body": "Me too"}, as_user=backend)
    assert refused.error_code == "permission_denied"
    assert not Message.objects.exists()

    first = gql.data(POST, {**announce, "body": "Demo day Friday"}, as_user=staff)
    pinned = gql.data(
        POST, {**announce, "body": "Read the handbook", "pinned": True}, as_user=staff
    )
    later = gql.data(POST, {**announce, "body": "Office hours moved"}, as_user=staff)

    listed = gql.data(ANNOUNCEMENTS, as_user=backend)["announcements"]
    assert [a["id"] for a in listed] == [
        pinned["postMessage"]["id"],
        later["postMessage"]["id"],
        first["postMessage"]["id"],
    ]
    assert listed[0]["isPinned"] is True
    assert listed[0]["channel"] == "announcements"


def test_learners_cannot_open_announcement_channels(gql, backend):
    create = """
    mutation($input: CreateChannelInput!) { createChannel(input: $input) { slug kind } }
    """
    refused = gql(create, {"input": {"name": "News", "kind": "ANNOUNCEMENT"}}, as_user=backend)

    assert refused.error_code == "permission_denied"
    assert not Channel.objects.exists()


def test_a_learner_opens_renames_and_archives_a_channel(gql, backend, frontend):
    create = """
    mutation($input: CreateChannelInput!) {
      createChannel(input: $input) { slug name kind topic isMember cohort technology }
    }
    """
    update = """
    mutation($slug: String!, $input: UpdateChannelInput!) {
      updateChannel(slug: $slug, input: $input) { slug name topic isArchived }
    }
    """
    created = gql.data(
        create,
        {"input": {"name": "Django Signals", "topic": "Why not"}},
        as_user=backend,
    )["createChannel"]
    assert created == {
        "slug": "django-signals",
        "name": "Django Signals",
        "kind": "public",
        "topic": "Why not",
        "isMember": True,
        "cohort": None,
        "technology": None,
    }

    refused = gql(update, {"slug": "django-signals", "input": {"name": "Mine"}}, as_user=frontend)
    assert refused.error_code == "permission_denied"
    archived = gql(
        update,
        {"slug": "django-signals", "input": {"isArchived": True, "topic": "Read only"}},
        as_user=backend,
    )
    assert archived.data["updateChannel"] == {
        "slug": "django-signals",
        "name": "Django Signals",
        "topic": "Read only",
        "isArchived": True,
    }
    closed = gql(POST, {"channel": "django-signals", "body": "hello?"}, as_user=backend)
    assert closed.error_code == "validation_error"
    assert not Message.objects.exists()


def test_members_leave_and_owners_remove_them(gql, backend, frontend, nexus_channel):
    leave = "mutation($slug: String!) { leaveChannel(slug: $slug) }"
    remove = """
    mutation($slug: String!, $username: String!) {
      removeFromChannel(slug: $slug, username: $username)
    }
    """
    gql.data(JOIN, {"slug": NEXUS}, as_user=frontend)
    assert gql.data(leave, {"slug": NEXUS}, as_user=frontend) == {"leaveChannel": True}
    assert gql.error_code(leave, {"slug": NEXUS}, as_user=frontend) == ("validation_error")

    gql.data(JOIN, {"slug": NEXUS}, as_user=frontend)
    owner = {"slug": NEXUS, "username": "backend-ada"}
    assert gql.error_code(remove, owner, as_user=frontend) == "permission_denied"
    removed = gql(remove, {"slug": NEXUS, "username": "frontend-lin"}, as_user=backend)
    assert removed.data == {"removeFromChannel": True}
    assert list(Membership.objects.values_list("user__username", flat=True)) == ["backend-ada"]


def test_edits_keep_history_and_deletes_are_soft(gql, backend, frontend, staff, nexus_channel):
    message = services.message_post(actor=backend, slug=NEXUS, data={"body": "v1"})
    edit = """
    mutation($id: Int!, $body: String!) { editMessage(id: $id, body: $body) { body editedAt } }
    """
    delete = "mutation($id: Int!) { deleteMessage(id: $id) }"

    hijack = gql(edit, {"id": message.pk, "body": "hijack"}, as_user=frontend)
    assert hijack.error_code == "permission_denied"
    edited = gql.data(edit, {"id": message.pk, "body": "v2"}, as_user=backend)
    assert edited["editMessage"]["body"] == "v2"
    assert edited["editMessage"]["editedAt"] is not None
    assert list(MessageRevision.objects.values_list("body", flat=True)) == ["v1"]
    assert gql.error_code(delete, {"id": message.pk}, as_user=frontend) == ("permission_denied")
    assert gql.data(delete, {"id": message.pk}, as_user=staff) == {"deleteMessage": True}
    page = gql.data(MESSAGES, {"channel": NEXUS}, as_user=backend)["messages"]
    assert page["messages"] == []
    assert Message.objects.get(pk=message.pk).deleted_at is not None


def test_an_unknown_emoji_is_refused(gql, backend, nexus_channel):
    message = services.message_post(actor=backend, slug=NEXUS, data={"body": "hi"})

    refused = gql(REACT, {"messageId": message.pk, "emoji": "🐍"}, as_user=backend)

    assert refused.error_code == "validation_error"
    assert "emoji" in refused["errors"][0]["extensions"]["errors"]
    assert not Reaction.objects.exists()


def test_a_reaction_is_taken_back(gql, backend, frontend, nexus_channel):
    message = services.message_post(actor=backend, slug=NEXUS, data={"body": "hi"})
    services.reaction_set(actor=frontend, message_id=message.pk, emoji="🎉", present=True)
    withdraw = {"messageId": message.pk, "emoji": "🎉", "present": False}

    assert gql.data(REACT, withdraw, as_user=frontend) == {"react": True}
    assert gql.data(REACT, withdraw, as_user=frontend) == {"react": False}
    assert not Reaction.objects.exists()


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "x", "parent": 999999}, "parent"),
        ({"body": "x", "pinned": True}, "pinned"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    gql, backend, nexus_channel, settings, variables, field
):
    settings.MAX_REQUEST_BYTES = 1024 * 1024

    refused = gql(POST, {"channel": NEXUS, **variables}, as_user=backend)

    assert refused.error_code == "validation_error"
    assert field in refused["errors"][0]["extensions"]["errors"]
    assert not Message.objects.exists()


def test_a_thread_becomes_a_challenge_and_the_repliers_are_invited_to_answer(
    gql, backend, frontend, nexus_channel, django_capture_on_commit_callbacks
):
    question = services.message_post(
        actor=backend, slug=NEXUS, data={"body": "Why does my Celery task run twice?"}
    )
    services.message_post(
        actor=frontend, slug=NEXUS, data={"body": "acks_late?", "parent": question.pk}
    )
    to_challenge = """
    mutation($messageId: Int!, $title: String) {
      threadToChallenge(messageId: $messageId, title: $title) { id title }
    }
    """
    variables = {"messageId": question.pk, "title": "Celery tasks run twice after a deploy"}

    with django_capture_on_commit_callbacks(execute=True):
        challenge = gql.data(to_challenge, variables, as_user=backend)

    created = challenge["threadToChallenge"]
    assert created["title"] == "Celery tasks run twice after a deploy"
    page = gql.data(MESSAGES, {"channel": NEXUS}, as_user=backend)["messages"]
    assert page["messages"][0]["challengeId"] == created["id"]
    assert Notification.objects.get(recipient=frontend, kind="answer_invited")
    again = gql(to_challenge, variables, as_user=frontend)
    assert again.error_code == "validation_error"


def test_channels_need_a_signed_in_user(gql, nexus_channel):
    for query in (
        "{ channels { results { slug } } }",
        '{ channel(slug: "prodev-project-nexus") { slug } }',
        '{ messages(channel: "prodev-project-nexus") { nextBefore } }',
        "{ announcements { id } }",
        '{ channelMembers(slug: "prodev-project-nexus") { results { role } } }',
        'mutation { postMessage(channel: "prodev-project-nexus", body: "hi") { id } }',
    ):
        assert gql.error_code(query) == "not_authenticated", query
    assert not Message.objects.exists()


def test_the_channel_list_runs_a_constant_number_of_queries(
    gql, backend, user_factory, django_assert_num_queries
):
    others = user_factory()

    def grow(n):
        for _ in range(n):
            number = Channel.objects.count()
            channel = services.channel_create(actor=others, data={"name": f"Room {number}"})
            if number % 2:
                services.channel_join(actor=backend, slug=channel.slug)
            services.message_post(actor=others, slug=channel.slug, data={"body": "hello"})

    query = "{ channels(first: 100) { results { slug unreadCount isMember } } }"
    grow(3)
    # The viewer's token, then the page of channels with markers and unread counts.
    with django_assert_num_queries(2):
        three = gql.data(query, as_user=backend)["channels"]["results"]
    grow(6)
    with django_assert_num_queries(2):
        nine = gql.data(query, as_user=backend)["channels"]["results"]

    assert (len(three), len(nine)) == (3, 9)
    joined = [c for c in nine if c["isMember"]]
    assert len(joined) == 4
    assert {c["unreadCount"] for c in joined} == {1}
    assert {c["unreadCount"] for c in nine if not c["isMember"]} == {0}


def test_a_page_of_messages_runs_a_constant_number_of_queries(
    gql, backend, user_factory, nexus_channel, django_assert_num_queries
):
    def grow(n):
        for i in range(n):
            message = services.message_post(
                actor=user_factory(), slug=NEXUS, data={"body": f"hello {i}"}
            )
            services.reaction_set(actor=backend, message_id=message.pk, emoji="🎉", present=True)

    query = """
    query($channel: String!) {
      messages(channel: $channel, pageSize: 100) {
        messages { body author { username displayName } reactions { emoji count mine } }
      }
    }
    """
    grow(3)
    # The viewer's token; the channel and its reader's membership; the page; its reactions.
    with django_assert_num_queries(5):
        three = gql.data(query, {"channel": NEXUS}, as_user=backend)["messages"]
    grow(6)
    with django_assert_num_queries(5):
        nine = gql.data(query, {"channel": NEXUS}, as_user=backend)["messages"]

    assert (len(three["messages"]), len(nine["messages"])) == (3, 9)
    assert {m["author"]["displayName"] != "" for m in nine["messages"]} == {True}
    assert {str(m["reactions"]) for m in nine["messages"]} == {
        str([{"emoji": "🎉", "count": 1, "mine": True}])
    }
