"""Live channels over WebSockets: the consumer in process, then a real server.

In-process tests drive `nexus.asgi.application` with channels' communicator;
the layer is the settings' own (in memory, or Redis under a prefix of this
test's). Services run in the database thread and commit for real
(transactional tests), so their after-commit pushes and the eager outbox
happen as in production. Every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.util
import json
import os
import subprocess
import sys
import time
import types
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from nexus.asgi import application
from nexus.collaboration.api.websocket import MAX_FRAME_BYTES, SYNC_MAX
from nexus.collaboration.models import Channel, Message
from nexus.collaboration.services import channels as services

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_TIMEOUT = 2.0  # one expected frame
SCENARIO_TIMEOUT = 30.0  # a whole in-process test, as a backstop
SERVER_START_TIMEOUT = 30.0
LIVE_DEADLINE = 1.0  # a REST post to a listening client, on the real server


def _websocket_communicator() -> type[Any]:
    """channels.testing's package imports daphne for its live-server test case, which
    these tests do not use (the end-to-end test runs uvicorn); when daphne is not
    installed, a stand-in lets the communicator be imported."""
    if importlib.util.find_spec("daphne") is None and "daphne.testing" not in sys.modules:
        stand_in = types.ModuleType("daphne.testing")
        stand_in.DaphneProcess = object  # type: ignore[attr-defined]
        sys.modules["daphne.testing"] = stand_in
        try:
            from channels.testing import WebsocketCommunicator
        finally:
            del sys.modules["daphne.testing"]
    else:
        from channels.testing import WebsocketCommunicator
    return WebsocketCommunicator


WebsocketCommunicator = _websocket_communicator()


@pytest.fixture(autouse=True)
def _own_channel_layer(settings: Any) -> None:
    """A fresh layer per test (changing the setting resets channels' cache); on Redis,
    under a prefix no other run shares."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    config = layers["default"].get("CONFIG", {})
    if "prefix" in config:
        config["prefix"] = f"nexus-test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = layers


# --- People, channels, sockets ------------------------------------------------------------


@pytest.fixture
def ada(user_factory):
    return user_factory(username="backend-ada", display_name="Ada")


@pytest.fixture
def lin(user_factory):
    return user_factory(username="frontend-lin")


@pytest.fixture
def nexus_channel(ada, lin):
    channel = services.channel_create(
        actor=ada, data={"name": "ProDev Project Nexus", "slug": "prodev-project-nexus"}
    )
    services.channel_join(actor=lin, slug=channel.slug)
    return channel


@pytest.fixture
def squad(ada):
    return services.channel_create(actor=ada, data={"name": "Squad", "kind": "private"})


def token(user: Any) -> str:
    return str(AccessToken.for_user(user))


def ws_path(slug: str, access: str | None = None, **params: Any) -> str:
    query = {"token": access, **params} if access else params
    encoded = "&".join(f"{key}={quote(str(value))}" for key, value in query.items())
    return f"/ws/channels/{slug}/" + (f"?{encoded}" if encoded else "")


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async scenario from a sync test; database work in it goes through `db`."""

    async def bounded() -> None:
        await asyncio.wait_for(scenario(), SCENARIO_TIMEOUT)

    async_to_sync(bounded)()


def db(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    return database_sync_to_async(function)


@contextlib.asynccontextmanager
async def socket_to(
    path: str, headers: list[tuple[bytes, bytes]] | None = None
) -> AsyncIterator[Any]:
    """A connected communicator (its handshake not yet checked), disconnected after."""
    communicator = WebsocketCommunicator(application, path, headers=headers or [])
    try:
        yield communicator
    finally:
        await communicator.disconnect(timeout=FRAME_TIMEOUT)


@contextlib.asynccontextmanager
async def open_socket(
    path: str, headers: list[tuple[bytes, bytes]] | None = None
) -> AsyncIterator[Any]:
    async with socket_to(path, headers) as communicator:
        connected, _ = await communicator.connect(timeout=FRAME_TIMEOUT)
        assert connected
        yield communicator


async def frame(communicator: Any) -> Any:
    return await communicator.receive_json_from(timeout=FRAME_TIMEOUT)


async def closed_with(communicator: Any) -> int:
    """Read to the close the server sent; returns its code."""
    output = await communicator.receive_output(timeout=FRAME_TIMEOUT)
    assert output["type"] == "websocket.close", output
    return int(output.get("code", 1000))


async def refusal(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[Any, int]:
    """(the error frame, the close code) of a connection the server turns away."""
    async with socket_to(path, headers) as communicator:
        connected, _ = await communicator.connect(timeout=FRAME_TIMEOUT)
        assert connected  # accepted, so that the client can read why it is closed
        error = await frame(communicator)
        return error, await closed_with(communicator)


async def frame_of_type(communicator: Any, kind: str) -> Any:
    """The next frame of type `kind`, skipping others, within FRAME_TIMEOUT."""
    deadline = time.monotonic() + FRAME_TIMEOUT
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {kind} frame in {FRAME_TIMEOUT}s"
        received = await communicator.receive_json_from(timeout=remaining)
        if received["type"] == kind:
            return received


# --- Connecting -----------------------------------------------------------------------------


def test_a_member_connects_with_a_token_in_the_query_or_the_header(ada, nexus_channel):
    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, token(ada))) as by_query:
            await by_query.send_json_to({"type": "ping"})
            assert await frame(by_query) == {"type": "pong"}
        header = [(b"authorization", f"Bearer {token(ada)}".encode())]
        async with open_socket(ws_path(nexus_channel.slug), header) as by_header:
            await by_header.send_json_to({"type": "ping"})
            assert await frame(by_header) == {"type": "pong"}

    run(scenario)


def test_a_signed_in_browser_session_connects_without_a_token(ada, nexus_channel):
    browser = Client()
    browser.force_login(ada)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    cookie = [(b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={session}".encode())]

    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug), cookie) as communicator:
            await communicator.send_json_to({"type": "ping"})
            assert await frame(communicator) == {"type": "pong"}
        # A token that fails is not rescued by the session that came along.
        error, code = await refusal(ws_path(nexus_channel.slug, "not-a-jwt"), cookie)
        assert (code, error["error"]["type"]) == (4401, "token_not_valid")

    run(scenario)


def test_without_a_valid_access_token_the_socket_is_closed_with_4401(ada, nexus_channel):
    expired = AccessToken.for_user(ada)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    refresh = str(RefreshToken.for_user(ada))
    signed_elsewhere = token(ada)[:-4] + "AAAA"

    async def scenario() -> None:
        error, code = await refusal(ws_path(nexus_channel.slug))
        assert (code, error["type"], error["error"]["type"]) == (4401, "error", "not_authenticated")
        for bad in ("garbage", str(expired), refresh, signed_elsewhere):
            error, code = await refusal(ws_path(nexus_channel.slug, bad))
            assert (code, error["error"]["type"]) == (4401, "token_not_valid"), bad

    run(scenario)


def test_an_inactive_user_cannot_connect_with_a_token_issued_before(ada, nexus_channel):
    access = token(ada)
    ada.is_active = False
    ada.save(update_fields=["is_active"])

    async def scenario() -> None:
        error, code = await refusal(ws_path(nexus_channel.slug, access))
        assert (code, error["error"]["type"]) == (4401, "user_inactive")

    run(scenario)


def test_a_non_member_of_a_private_channel_is_refused_with_4403(ada, lin, squad, user_factory):
    staff = user_factory(role="staff")

    async def scenario() -> None:
        error, code = await refusal(ws_path(squad.slug, token(lin)))
        assert (code, error["error"]["type"]) == (4403, "permission_denied")
        async with open_socket(ws_path(squad.slug, token(ada))):
            pass
        async with open_socket(ws_path(squad.slug, token(staff))):
            pass

    run(scenario)


def test_an_unknown_channel_is_closed_with_4404(ada):
    async def scenario() -> None:
        error, code = await refusal(ws_path("no-such-channel", token(ada)))
        assert (code, error["error"]["type"]) == (4404, "not_found")
        # A frame already on its way when the server closed is dropped, not a crash.
        async with socket_to(ws_path("no-such-channel", token(ada))) as communicator:
            await communicator.connect(timeout=FRAME_TIMEOUT)
            await frame(communicator)
            assert await closed_with(communicator) == 4404
            await communicator.send_json_to({"type": "ping"})
            assert await communicator.receive_nothing(timeout=0.2)

    run(scenario)


def test_a_socket_to_any_other_path_is_refused_at_the_handshake(ada):
    async def scenario() -> None:
        for path in ("/ws/channels/", "/ws/elsewhere/", f"/ws/x/?token={token(ada)}"):
            async with socket_to(path) as communicator:
                connected, _ = await communicator.connect(timeout=FRAME_TIMEOUT)
                assert not connected, path

    run(scenario)


def test_a_page_of_another_site_cannot_open_a_socket(ada, nexus_channel):
    def origin(value: str) -> list[tuple[bytes, bytes]]:
        return [(b"origin", value.encode())]

    async def scenario() -> None:
        path = ws_path(nexus_channel.slug, token(ada))
        async with socket_to(path, origin("https://evil.example")) as communicator:
            connected, _ = await communicator.connect(timeout=FRAME_TIMEOUT)
            assert not connected
        # The frontend learners' dev servers (CORS_ALLOWED_ORIGINS) and the site itself may.
        for allowed in ("http://localhost:5173", "http://127.0.0.1:8000"):
            async with open_socket(path, origin(allowed)):
                pass

    run(scenario)


def test_a_token_connection_is_closed_with_4401_when_its_token_expires(ada, nexus_channel):
    short = AccessToken.for_user(ada)
    short.set_exp(lifetime=timedelta(seconds=2))

    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, str(short))) as communicator:
            await communicator.send_json_to({"type": "ping"})
            assert await frame(communicator) == {"type": "pong"}
            output = await communicator.receive_json_from(timeout=3)
            assert output["error"]["type"] == "token_not_valid"
            assert await closed_with(communicator) == 4401

    run(scenario)


# --- What the client sends ---------------------------------------------------------------


def test_bad_frames_get_an_error_and_the_socket_stays_usable(ada, nexus_channel):
    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, token(ada))) as communicator:
            await communicator.send_to(text_data="{not json")
            error = await frame(communicator)
            assert error["type"] == "error"
            assert error["error"]["type"] == "parse_error"
            assert set(error["error"]) == {"type", "detail", "errors"}

            await communicator.send_to(text_data="[1, 2]")
            assert (await frame(communicator))["error"]["errors"] == {
                "type": ["One of: ping, message.create."]
            }
            await communicator.send_json_to({"type": "dance"})
            assert (await frame(communicator))["error"]["type"] == "validation_error"
            await communicator.send_to(bytes_data=b"\x00\x01")
            assert (await frame(communicator))["error"]["type"] == "parse_error"

            await communicator.send_json_to({"type": "ping"})
            assert await frame(communicator) == {"type": "pong"}

    run(scenario)


def test_an_oversize_frame_closes_1009_while_another_client_stays_connected(
    ada, lin, nexus_channel
):
    async def scenario() -> None:
        async with (
            open_socket(ws_path(nexus_channel.slug, token(ada))) as noisy,
            open_socket(ws_path(nexus_channel.slug, token(lin))) as quiet,
        ):
            # Just over the limit in bytes, though not in characters.
            body = "é" * (MAX_FRAME_BYTES // 2)
            await noisy.send_json_to({"type": "message.create", "body": body})
            assert await closed_with(noisy) == 1009

            await quiet.send_json_to({"type": "ping"})
            assert await frame(quiet) == {"type": "pong"}
            await db(services.message_post)(
                actor=lin, slug=nexus_channel.slug, data={"body": "still here"}
            )
            created = await frame(quiet)
            assert (created["type"], created["message"]["body"]) == (
                "message.created",
                "still here",
            )
        assert not await db(Message.objects.filter(body=body).exists)()

    run(scenario)


def test_a_message_posted_over_the_socket_reaches_everyone_and_errors_come_back(
    ada, lin, nexus_channel
):
    async def scenario() -> None:
        async with (
            open_socket(ws_path(nexus_channel.slug, token(ada))) as sender,
            open_socket(ws_path(nexus_channel.slug, token(lin))) as reader,
        ):
            await sender.send_json_to({"type": "message.create", "body": "Schema **frozen**"})
            heard = await frame(reader)
            assert heard["type"] == "message.created"
            assert heard["message"]["author"] == {"username": "backend-ada", "display_name": "Ada"}
            assert heard["message"]["body_html"] == "<p>Schema <strong>frozen</strong></p>\n"
            assert (await frame(sender))["message"]["id"] == heard["message"]["id"]

            await sender.send_json_to(
                {"type": "message.create", "body": "ok", "parent": heard["message"]["id"]}
            )
            reply = await frame(reader)
            assert reply["message"]["parent"] == heard["message"]["id"]
            await frame(sender)

            await sender.send_json_to({"type": "message.create", "body": " ", "colour": "red"})
            error = await frame(sender)
            assert error == {
                "type": "error",
                "error": {
                    "type": "validation_error",
                    "detail": "The submitted data is not valid.",
                    "errors": {
                        "colour": ["Unknown field."],
                        "body": ["This field may not be blank."],
                    },
                },
            }
            assert await reader.receive_nothing(timeout=0.2)
            await sender.send_json_to({"type": "ping"})
            assert await frame(sender) == {"type": "pong"}
        assert await db(Message.objects.filter(channel=nexus_channel).count)() == 2

    run(scenario)


def test_only_staff_post_over_the_socket_in_an_announcement_channel(lin, user_factory):
    staff = user_factory(role="staff")
    news = services.channel_create(actor=staff, data={"name": "News", "kind": "announcement"})

    async def scenario() -> None:
        async with open_socket(ws_path(news.slug, token(lin))) as communicator:
            await communicator.send_json_to({"type": "message.create", "body": "hello all"})
            error = await frame(communicator)
            assert error["error"]["type"] == "permission_denied"

    run(scenario)


# --- What the server pushes ---------------------------------------------------------------


def test_messages_edits_reactions_and_deletes_arrive_live(ada, lin, nexus_channel):
    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, token(lin))) as communicator:
            message = await db(services.message_post)(
                actor=ada, slug=nexus_channel.slug, data={"body": "Draft"}
            )
            created = await frame(communicator)
            assert created["type"] == "message.created"
            assert created["message"]["id"] == message.pk
            assert created["message"]["channel"] == nexus_channel.slug

            await db(services.message_edit)(actor=ada, message_id=message.pk, data={"body": "Done"})
            updated = await frame(communicator)
            assert (updated["type"], updated["message"]["body"]) == ("message.updated", "Done")
            assert updated["message"]["edited_at"] is not None

            await db(services.reaction_set)(
                actor=lin, message_id=message.pk, emoji="🎉", present=True
            )
            assert await frame(communicator) == {
                "type": "reaction.added",
                "reaction": {
                    "message": message.pk,
                    "emoji": "🎉",
                    "user": {"username": "frontend-lin", "display_name": "frontend-lin"},
                },
            }
            await db(services.reaction_set)(
                actor=lin, message_id=message.pk, emoji="🎉", present=False
            )
            assert (await frame(communicator))["type"] == "reaction.removed"

            await db(services.message_delete)(actor=ada, message_id=message.pk)
            assert await frame(communicator) == {
                "type": "message.deleted",
                "message": {"id": message.pk},
            }

    run(scenario)


def test_each_connection_sees_a_message_as_its_viewer_does(ada, lin, nexus_channel):
    message = services.message_post(actor=ada, slug=nexus_channel.slug, data={"body": "Vote"})
    services.reaction_set(actor=lin, message_id=message.pk, emoji="👍", present=True)

    async def scenario() -> None:
        async with (
            open_socket(ws_path(nexus_channel.slug, token(ada))) as author,
            open_socket(ws_path(nexus_channel.slug, token(lin))) as reactor,
        ):
            await db(services.message_edit)(
                actor=ada, message_id=message.pk, data={"body": "Vote!"}
            )
            seen_by_author = (await frame(author))["message"]["reactions"]
            seen_by_reactor = (await frame(reactor))["message"]["reactions"]
            assert seen_by_author == [{"emoji": "👍", "count": 1, "mine": False}]
            assert seen_by_reactor == [{"emoji": "👍", "count": 1, "mine": True}]

    run(scenario)


def test_a_mention_arrives_as_a_notification_on_the_same_connection(ada, lin, nexus_channel):
    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, token(lin))) as communicator:
            message = await db(services.message_post)(
                actor=ada, slug=nexus_channel.slug, data={"body": "@frontend-lin fields?"}
            )
            notification = (await frame_of_type(communicator, "notification"))["notification"]
            assert notification["kind"] == "mentioned"
            assert notification["target_id"] == message.pk
            assert notification["actor"] == {"username": "backend-ada", "display_name": "Ada"}
            assert notification["is_read"] is False

    run(scenario)


def test_someone_removed_from_a_private_channel_stops_seeing_its_messages(ada, lin, squad):
    services.member_invite(actor=ada, slug=squad.slug, username=lin.username)

    async def scenario() -> None:
        async with open_socket(ws_path(squad.slug, token(lin))) as communicator:
            await db(services.message_post)(actor=ada, slug=squad.slug, data={"body": "before"})
            assert (await frame(communicator))["message"]["body"] == "before"
            await db(services.member_remove)(actor=ada, slug=squad.slug, username=lin.username)
            await db(services.message_post)(actor=ada, slug=squad.slug, data={"body": "after"})
            assert await communicator.receive_nothing(timeout=0.3)

    run(scenario)


# --- Catching up --------------------------------------------------------------------------


def test_reconnecting_with_last_seen_sends_the_missed_messages_oldest_first(
    ada, lin, nexus_channel
):
    seen = services.message_post(actor=ada, slug=nexus_channel.slug, data={"body": "seen"})
    missed = [
        services.message_post(actor=ada, slug=nexus_channel.slug, data={"body": f"missed {n}"})
        for n in range(2)
    ]
    reply = services.message_post(
        actor=ada, slug=nexus_channel.slug, data={"body": "in a thread", "parent": seen.pk}
    )
    gone = services.message_post(actor=ada, slug=nexus_channel.slug, data={"body": "oops"})
    services.message_delete(actor=ada, message_id=gone.pk)

    async def scenario() -> None:
        path = ws_path(nexus_channel.slug, token(lin), last_seen=seen.pk)
        async with open_socket(path) as communicator:
            caught_up = [await frame(communicator) for _ in range(3)]
            assert {f["type"] for f in caught_up} == {"message.created"}
            assert [f["message"]["id"] for f in caught_up] == [m.pk for m in [*missed, reply]]
            assert await communicator.receive_nothing(timeout=0.2)

            # Live again: what is posted now arrives once.
            new = await db(services.message_post)(
                actor=ada, slug=nexus_channel.slug, data={"body": "live"}
            )
            assert (await frame(communicator))["message"]["id"] == new.pk
            assert await communicator.receive_nothing(timeout=0.2)

        async with open_socket(ws_path(nexus_channel.slug, token(lin), last_seen="abc")) as bad:
            assert (await frame(bad))["error"]["errors"] == {"last_seen": ["A message id."]}

    run(scenario)


def test_a_long_absence_is_caught_up_on_in_part_and_says_where_to_read_on(ada, lin, nexus_channel):
    Message.objects.bulk_create(
        Message(channel=nexus_channel, author=ada, body=f"m{n}", body_html=f"<p>m{n}</p>")
        for n in range(SYNC_MAX + 5)
    )
    ids = list(
        Message.objects.filter(channel=nexus_channel).order_by("id").values_list("pk", flat=True)
    )

    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, token(lin), last_seen=ids[0])) as ws:
            received = [await frame(ws) for _ in range(SYNC_MAX + 1)]
            assert [f["message"]["id"] for f in received[:-1]] == ids[1 : SYNC_MAX + 1]
            assert received[-1] == {"type": "sync.truncated", "since": ids[SYNC_MAX]}
            assert await ws.receive_nothing(timeout=0.2)

        exactly = ws_path(nexus_channel.slug, token(lin), last_seen=ids[4])
        async with open_socket(exactly) as ws:
            received = [await frame(ws) for _ in range(SYNC_MAX)]
            assert received[-1]["message"]["id"] == ids[-1]
            assert await ws.receive_nothing(timeout=0.2)

    run(scenario)


# --- The Redis layer ----------------------------------------------------------------------


REDIS_LAYER = "channels_redis" in django_settings.CHANNEL_LAYERS["default"]["BACKEND"]


def redis_layer_times_out_idle_reads() -> bool:
    """Whether the configured Redis layer's socket read timeout cuts its own blocking
    receive short (channels_redis waits BZPOPMIN `brpop_timeout` seconds at a time;
    redis-py 8 gives every read a 5 s socket timeout unless told otherwise)."""
    from channels.layers import get_channel_layer

    layer: Any = get_channel_layer()
    pool = layer.create_pool(0)
    # A connection object as the layer's would be (nothing connects until used).
    timeout = pool.connection_class(**pool.connection_kwargs).socket_timeout
    return timeout is not None and timeout <= layer.brpop_timeout


@pytest.mark.skipif(not REDIS_LAYER, reason="only the Redis layer blocks on its reads")
def test_a_connection_left_idle_still_hears_pushes_on_the_redis_layer(
    request, ada, lin, nexus_channel
):
    if redis_layer_times_out_idle_reads():
        request.applymarker(
            pytest.mark.xfail(
                reason="CHANNEL_LAYERS' Redis hosts need socket_timeout None (or above "
                "brpop_timeout): each idle consumer dies with redis TimeoutError"
            )
        )
    from channels.layers import get_channel_layer

    idle = get_channel_layer().brpop_timeout + 1.5  # type: ignore[union-attr]

    async def scenario() -> None:
        async with open_socket(ws_path(nexus_channel.slug, token(lin))) as communicator:
            await asyncio.sleep(idle)
            await db(services.message_post)(
                actor=ada, slug=nexus_channel.slug, data={"body": "anyone there?"}
            )
            assert (await frame(communicator))["message"]["body"] == "anyone there?"

    run(scenario)


# --- A real server, real clients ----------------------------------------------------------


def shared_database_url() -> str:
    """pytest-django's test database, for the server to share."""
    db_settings = connection.settings_dict
    user = quote(str(db_settings["USER"] or ""), safe="")
    password = quote(str(db_settings["PASSWORD"] or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db_settings["HOST"] or "127.0.0.1", db_settings["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{db_settings['NAME']}"


@pytest.fixture
def nexus_server(transactional_db: None, tmp_path: Path, free_port: int) -> Iterator[str]:
    """uvicorn serving nexus.asgi on a free port over the test database; its address."""
    port = free_port
    run_id = uuid.uuid4().hex[:12]
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "CHANNEL_LAYER_PREFIX": f"nexus-e2e-{run_id}",
        "CACHE_KEY_PREFIX": f"nexus-e2e-{run_id}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_BROKER_URL", None)  # eager: the server processes its own events
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "nexus.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"uvicorn exited: {log_path.read_text()}")
            try:
                with urlopen(f"http://{address}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn not up in {SERVER_START_TIMEOUT}s: {log_path.read_text()}")
            time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def post_json(url: str, access: str, body: dict[str, Any]) -> Any:
    request = Request(  # noqa: S310
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/json"},
    )
    with urlopen(request, timeout=5) as answer:  # noqa: S310
        assert answer.status == 201
        return json.loads(answer.read())


@pytest.mark.postgres
def test_two_real_clients_hear_a_rest_post_within_a_second_on_a_real_server(
    ada, lin, nexus_channel, nexus_server
):
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    ada_token, lin_token = token(ada), token(lin)
    socket_url = f"ws://{nexus_server}/ws/channels/{nexus_channel.slug}/"

    async def first_of_each(ws: Any, kinds: set[str], deadline: float) -> dict[str, Any]:
        """The first frame of each of `kinds`, whatever their order, before `deadline`."""
        found: dict[str, Any] = {}
        while set(found) != kinds:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"only {sorted(found)} of {sorted(kinds)} before the deadline"
            received = json.loads(await asyncio.wait_for(ws.recv(), remaining))
            found.setdefault(received["type"], received)
        return found

    async def scenario() -> None:
        async with (
            connect(f"{socket_url}?token={ada_token}", open_timeout=5, close_timeout=2) as a,
            connect(f"{socket_url}?token={lin_token}", open_timeout=5, close_timeout=2) as b,
        ):
            for ws in (a, b):  # both subscribed before anything is posted
                await ws.send(json.dumps({"type": "ping"}))
                assert json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT)) == {
                    "type": "pong"
                }

            posted = await asyncio.to_thread(
                post_json,
                f"http://{nexus_server}/api/v1/channels/{nexus_channel.slug}/messages/",
                ada_token,
                {"body": "@frontend-lin the schema is live"},
            )
            deadline = time.monotonic() + LIVE_DEADLINE
            heard = await first_of_each(b, {"message.created", "notification"}, deadline)
            assert heard["message.created"]["message"]["id"] == posted["id"]
            assert heard["message.created"]["message"]["body"] == posted["body"]
            assert heard["notification"]["notification"]["target_id"] == posted["id"]
            (echo,) = (await first_of_each(a, {"message.created"}, deadline)).values()
            assert echo["message"]["id"] == posted["id"]

            await b.send(json.dumps({"type": "message.create", "body": "thanks!"}))
            deadline = time.monotonic() + LIVE_DEADLINE
            (reply,) = (await first_of_each(a, {"message.created"}, deadline)).values()
            assert reply["message"]["author"]["username"] == "frontend-lin"

        async with connect(f"{socket_url}?token=expired", open_timeout=5) as refused:
            error = json.loads(await asyncio.wait_for(refused.recv(), FRAME_TIMEOUT))
            assert error["error"]["type"] == "token_not_valid"
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(refused.recv(), FRAME_TIMEOUT)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401

    asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))
    assert Channel.objects.get(pk=nexus_channel.pk).message_count == 2
