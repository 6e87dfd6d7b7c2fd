"""Load realistic data at scale, for the benchmark and for trying search. Never in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from nexus.scale import loader

MILLION = 1_000_000


class Command(BaseCommand):
    help = (
        "Fill the database up to N challenges, with users (N/20), solutions (~1.5N), votes "
        "(~3N), comments (~N), guides (N/100) and channel messages (N/2) in proportion, "
        "every counter and the reputation ledger consistent. Adds only what is missing. "
        f"Seeded people sign in with the password {loader.SEED_PASSWORD!r}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--challenges", type=int, required=True, help="Total challenges wanted."
        )
        parser.add_argument(
            "--users", type=int, default=None, help="Total seeded users wanted (default N/20)."
        )
        parser.add_argument("--batch", type=int, default=10_000, help="Challenges per transaction.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed of the content.")
        parser.add_argument(
            "--check-foreign-keys",
            action="store_true",
            help="On PostgreSQL, check references row by row at each commit (slower) rather "
            "than in one pass at the end.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Seeded logins share a known password; refusing in production.")
        if options["challenges"] < 0 or options["batch"] < 1:
            raise CommandError("--challenges must be 0 or more and --batch at least 1.")
        plan = loader.plan_for(
            challenges=options["challenges"], users=options["users"], batch=options["batch"]
        )
        if not (plan.challenges or plan.users or plan.guides or plan.messages):
            self.stdout.write(
                f"Already {options['challenges']} challenges or more: nothing to add."
            )
            return
        self.stdout.write(
            f"Adding {plan.challenges} challenges, {plan.users} users, {plan.guides} guides "
            f"and {plan.messages} messages ({connection.vendor}, batches of {plan.batch})."
        )
        verbose = options["verbosity"] > 1

        def log(line: str) -> None:
            if verbose:
                self.stdout.write(f"  {line}")

        try:
            report = loader.load(
                plan,
                seed=options["seed"],
                log=log,
                check_foreign_keys=options["check_foreign_keys"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(report.rows.values())
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases.items())
        for table, count in sorted(report.rows.items()):
            self.stdout.write(f"  {table:<40} {count:>10}")
        seconds = max(report.seconds, 1e-6)
        per_second = report.challenges / seconds
        self.stdout.write(
            f"Loaded {report.challenges} challenges and {rows} rows in all in "
            f"{report.seconds:.1f}s: {per_second:,.0f} challenges/s, {rows / seconds:,.0f} rows/s "
            f"({phases})."
        )
        if report.checked_at_end:
            self.stdout.write("References were checked in one pass after the load: none dangle.")
        if per_second:
            self.stdout.write(
                f"At this rate 1,000,000 challenges take about {MILLION / per_second / 60:.1f} "
                "minutes."
            )
