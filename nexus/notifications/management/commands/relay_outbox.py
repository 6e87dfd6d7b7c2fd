"""Publish the outbox events left behind, as the periodic relay task does; or, with
--listen, publish every event as its transaction commits (relay mode)."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexus.notifications import events


class Command(BaseCommand):
    help = (
        "Publish outbox events that were not published after their commit (broker down, "
        "process killed). Leaves the youngest to their own publish unless --all. With "
        "--listen, run until stopped, publishing each event as it commits (OUTBOX_RELAY)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also publish events younger than the grace period.",
        )
        parser.add_argument(
            "--listen",
            action="store_true",
            help="Run until SIGTERM or SIGINT, woken by each commit that recorded events.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit 1 unless a listening relay is connected to the database (healthcheck).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            if not events.relay_is_listening():
                raise CommandError("No outbox relay is listening.", returncode=1)
            self.stdout.write("An outbox relay is listening.")
            return
        if options["listen"]:
            self._listen()
            return
        grace = timedelta(0) if options["all"] else events.RELAY_GRACE
        published = events.relay_pending(grace=grace)
        self.stdout.write(f"Published {published} event(s).")

    def _listen(self) -> None:
        if not settings.NEXUS_OUTBOX_RELAY:
            raise CommandError("--listen is the relay of OUTBOX_RELAY=true; it is not set.")
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write("Relaying outbox events as they commit.")
        events.relay_listen(stop=stop)
        self.stdout.write("Relay stopped.")
