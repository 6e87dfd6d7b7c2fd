"""Local stand-ins for the outside world in end-to-end tests: an SMTP server, a
Discord webhook endpoint, and a TCP proxy that can cut the way to the broker.

Everything binds 127.0.0.1 on a port of the kernel's choosing, runs in daemon
threads, and every wait has a deadline, so a broken test fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.server
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Self

# No conversation with a fake lasts longer than this, whatever the client does.
SOCKET_TIMEOUT = 30.0


def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float,
    interval: float = 0.1,
    message: str | Callable[[], str] = "condition",
) -> Any:
    """Poll `condition` until it returns something truthy, and return that.

    Raises AssertionError naming `message` (called if callable, for late details
    such as a worker's log) once `timeout` seconds have gone.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            detail = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout:g}s waiting for {detail}")
        time.sleep(interval)


class _Background:
    """Start and stop a socketserver in a daemon thread; usable as a context manager."""

    server: socketserver.TCPServer
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


# --- SMTP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """One message the fake SMTP server accepted (answered 250 to its end of data)."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class FakeSmtpServer(_Background):
    """Enough SMTP for Django's backend: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.

    `stall_first_data`: seconds to leave the first DATA command unanswered (as a
    server that hangs mid-send would), or until the server stops.
    `refuse_first_data`: a 4xx code to answer the first message's end of data with,
    once (the message is then not accepted).
    `data_started` is set when a DATA command arrives; `messages` holds accepted mail.
    """

    def __init__(
        self, *, stall_first_data: float = 0.0, refuse_first_data: int | None = None
    ) -> None:
        self.stall_first_data = stall_first_data
        self.refuse_first_data = refuse_first_data
        self.data_started = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._messages: list[Mail] = []
        self._data_commands = 0
        self._ends_of_data = 0
        self.server = _ThreadingTCPServer(("127.0.0.1", 0), self._handler_class())

    @property
    def port(self) -> int:
        return int(self.server.socket.getsockname()[1])

    @property
    def url(self) -> str:
        """The EMAIL_URL that points Nexus at this server."""
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Mail]:
        with self._lock:
            return list(self._messages)

    def messages_to(self, address: str) -> list[Mail]:
        return [mail for mail in self.messages if address in mail.recipients]

    def stop(self) -> None:
        self._stopping.set()  # releases a stalled DATA
        super().stop()

    def _count_data_command(self) -> int:
        with self._lock:
            self._data_commands += 1
            return self._data_commands

    def _count_end_of_data(self) -> int:
        with self._lock:
            self._ends_of_data += 1
            return self._ends_of_data

    def _accept(self, mail: Mail) -> None:
        with self._lock:
            self._messages.append(mail)

    def _handler_class(self) -> type[socketserver.StreamRequestHandler]:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = SOCKET_TIMEOUT

            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                try:
                    self.converse()
                except OSError:  # the client went away (or was killed) mid-conversation
                    return

            def converse(self) -> None:
                recipients: list[str]
                sender, recipients = "", []
                self.reply("220 fake-smtp.local ESMTP ready")
                while True:
                    raw = self.rfile.readline(4096)
                    if not raw:
                        return
                    command, _, argument = raw.decode("utf-8", "replace").strip().partition(" ")
                    verb = command.upper()
                    if verb == "EHLO":
                        self.reply("250-fake-smtp.local")
                        self.reply("250 8BITMIME")
                    elif verb == "HELO":
                        self.reply("250 fake-smtp.local")
                    elif verb == "MAIL":
                        sender, recipients = _address(argument), []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(_address(argument))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        if not recipients:
                            self.reply("503 RCPT first")
                            continue
                        fake.data_started.set()
                        if fake._count_data_command() == 1 and fake.stall_first_data:
                            fake._stopping.wait(fake.stall_first_data)
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = self.read_data()
                        if data is None:
                            return
                        if fake._count_end_of_data() == 1 and fake.refuse_first_data:
                            self.reply(f"{fake.refuse_first_data} Try again later")
                        else:
                            fake._accept(Mail(sender, tuple(recipients), data))
                            self.reply("250 OK queued")
                        sender, recipients = "", []
                    elif verb in {"RSET", "NOOP"}:
                        if verb == "RSET":
                            sender, recipients = "", []
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

            def read_data(self) -> bytes | None:
                """The message up to the lone dot, unstuffed; None if the client left."""
                lines: list[bytes] = []
                while True:
                    line = self.rfile.readline(65536)
                    if not line:
                        return None
                    if line in {b".\r\n", b".\n"}:
                        return b"".join(lines)
                    lines.append(line[1:] if line.startswith(b"..") else line)

        return Handler


def _address(argument: str) -> str:
    """The address in `FROM:<a@b> SIZE=1` or `TO:<a@b>`."""
    _, _, rest = argument.partition(":")
    return rest.strip().split(" ")[0].strip("<>")


# --- Discord webhook -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class WebhookRequest:
    at: float  # time.monotonic() when it arrived
    path: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def rate_limited(seconds: float) -> Reply:
    """Discord's 429: the wait both in Retry-After and in the JSON body."""
    body = {"message": "You are being rate limited.", "retry_after": seconds, "global": False}
    return Reply(
        429,
        {"Retry-After": f"{seconds:g}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )


class _ThreadingHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class FakeDiscord(_Background):
    """A Discord webhook endpoint answering POSTs from a script of replies.

    Once the script runs out it answers 204, as Discord does. Records each request.
    """

    def __init__(self, replies: list[Reply]) -> None:
        self._replies = list(replies)
        self._lock = threading.Lock()
        self._requests: list[WebhookRequest] = []
        self.server = _ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.socket.getsockname()[1]}/api/webhooks/1/fake-token"

    @property
    def requests(self) -> list[WebhookRequest]:
        with self._lock:
            return list(self._requests)

    def _record(self, request: WebhookRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            return self._replies.pop(0) if self._replies else Reply(204)

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = SOCKET_TIMEOUT

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = WebhookRequest(
                    at=time.monotonic(),
                    path=self.path,
                    headers=dict(self.headers.items()),
                    body=self.rfile.read(length),
                )
                reply = fake._record(request)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the test reads `requests`

        return Handler


# --- A TCP proxy that can be cut ---------------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to an upstream address until stopped.

    `stop()` closes the listening socket (new connections are refused) and cuts
    every connection through it; `start()` listens on the same port again.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def is_running(self) -> bool:
        return self._listener is not None

    def start(self) -> Self:
        if self._listener is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)  # so the accept loop sees stop() promptly
        self.port = listener.getsockname()[1]
        self._stopping = threading.Event()
        self._listener = listener
        self._accepting = threading.Thread(
            target=self._accept_loop, args=(listener, self._stopping), daemon=True
        )
        self._accepting.start()
        return self

    def stop(self) -> None:
        if self._listener is None:
            return
        self._stopping.set()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        self._listener.close()
        self._listener = None
        with self._lock:
            cut, self._sockets = self._sockets, set()
        for sock in cut:
            _close(sock)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _accept_loop(self, listener: socket.socket, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if stopping.is_set():
                    _close(client)
                    _close(upstream)
                    return
                self._sockets.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(target)
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
