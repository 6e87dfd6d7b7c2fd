"""Load the demo content of the embedded default. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Create the demo people and content (development only; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo logins are for development only; refusing in production.")
        # Each app's loader, in the order of NEXUS_DEMO_LOADERS: the first fills
        # `people`, which the others write as; any may return lines to print.
        people: dict[str, Any] = {}
        notes: list[str] = []
        for path in settings.NEXUS_DEMO_LOADERS:
            notes.extend(import_string(path)(people) or ())
        for line in [*notes, "Demo content loaded."]:
            self.stdout.write(line)
