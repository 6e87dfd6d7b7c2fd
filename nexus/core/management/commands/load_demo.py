"""Load the demo content of the embedded default. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nexus.accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE, load_demo_accounts
from nexus.challenges.demo import load_demo_challenges
from nexus.collaboration.demo import load_demo_collaboration
from nexus.journeys.demo import load_demo_journeys
from nexus.knowledge.demo import load_demo_knowledge


class Command(BaseCommand):
    help = "Create the demo people and content (development only; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo logins are for development only; refusing in production.")
        people = load_demo_accounts()
        load_demo_knowledge(people)
        load_demo_challenges(people)
        load_demo_collaboration(people)
        load_demo_journeys(people)
        self.stdout.write(f"Demo content loaded. Demo logins (password {DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            self.stdout.write(f"  {person.role:<8} {person.track:<9} {person.email}")
