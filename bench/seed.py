#!/usr/bin/env python
"""Fill the database up to N challenges, for the benchmark and for trying search.

Users (N/20), solutions (~1.5N), votes (~3N), comments (~N), guides (N/100) and
channel messages (N/2) come in proportion, every counter and the reputation
ledger consistent; only what is missing is added. Seeded people sign in with
their email (`@seed.nexus.test`) and the password `nexus-seed-scale-2026`.
Never in production: it refuses when NEXUS_ENV=production.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_bench \\
      .venv/bin/python bench/seed.py --challenges 20000 -v2
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
MILLION = 1_000_000


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--challenges", type=int, required=True, help="Total challenges wanted.")
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
    parser.add_argument("-v", "--verbosity", type=int, default=1, help="2 logs every batch.")
    args = parser.parse_args(argv)
    if args.challenges < 0 or args.batch < 1:
        parser.error("--challenges must be 0 or more and --batch at least 1.")
    return args


def seed(args: argparse.Namespace, out: TextIO) -> None:
    """Load what `args` asks for, with Django set up; SystemExit when it may not."""
    from django.conf import settings
    from django.db import connection

    from bench.scale import loader

    if settings.IS_PRODUCTION:
        raise SystemExit("Seeded logins share a known password; refusing in production.")
    plan = loader.plan_for(challenges=args.challenges, users=args.users, batch=args.batch)
    if not (plan.challenges or plan.users or plan.guides or plan.messages):
        print(f"Already {args.challenges} challenges or more: nothing to add.", file=out)
        return
    print(
        f"Adding {plan.challenges} challenges, {plan.users} users, {plan.guides} guides "
        f"and {plan.messages} messages ({connection.vendor}, batches of {plan.batch}).",
        file=out,
    )

    def log(line: str) -> None:
        if args.verbosity > 1:
            print(f"  {line}", file=out, flush=True)

    try:
        report = loader.load(
            plan, seed=args.seed, log=log, check_foreign_keys=args.check_foreign_keys
        )
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    rows = sum(report.rows.values())
    phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases.items())
    for table, count in sorted(report.rows.items()):
        print(f"  {table:<40} {count:>10}", file=out)
    seconds = max(report.seconds, 1e-6)
    per_second = report.challenges / seconds
    print(
        f"Loaded {report.challenges} challenges and {rows} rows in all in "
        f"{report.seconds:.1f}s: {per_second:,.0f} challenges/s, {rows / seconds:,.0f} rows/s "
        f"({phases}).",
        file=out,
    )
    if report.checked_at_end:
        print("References were checked in one pass after the load: none dangle.", file=out)
    if per_second:
        print(
            f"At this rate 1,000,000 challenges take about {MILLION / per_second / 60:.1f} "
            "minutes.",
            file=out,
        )


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # run as a script; under pytest Django is set up already
        django.setup()
    seed(args, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
