"""Publish the outbox events left behind, as the periodic relay task does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nexus.notifications import events


class Command(BaseCommand):
    help = (
        "Publish outbox events that were not published after their commit (broker down, "
        "process killed). Leaves the youngest to their own publish unless --all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also publish events younger than the grace period.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        grace = timedelta(0) if options["all"] else events.RELAY_GRACE
        published = events.relay_pending(grace=grace)
        self.stdout.write(f"Published {published} event(s).")
