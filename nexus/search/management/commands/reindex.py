"""Rebuild the search index from the content, in batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from nexus.search import services
from nexus.search.models import SearchDocument


class Command(BaseCommand):
    help = (
        "Rebuild the search documents of every guide, challenge, solution, channel message "
        "and person (or of the kinds given), in batches, and drop those of removed content. "
        "Needed after loading content that bypassed the services (bulk loads, fixtures)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind",
            action="append",
            choices=SearchDocument.Kind.values,
            dest="kinds",
            help="Only this kind (repeatable).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=services.REINDEX_BATCH,
            help=f"Objects per batch and transaction (default {services.REINDEX_BATCH}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 1

        def progress(kind: str, last_id: int) -> None:
            if verbose:
                self.stdout.write(f"  {kind}: up to id {last_id}")

        with services.bulk_gin_writes():
            counts = services.reindex(
                kinds=options["kinds"], batch_size=options["batch_size"], progress=progress
            )
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} document(s)")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # A rebuild rewrites the tables search reads: give the planner their
            # statistics and set the visibility map (index-only scans read no heap
            # page then) now, rather than whenever autovacuum comes round.
            tables = [
                SearchDocument._meta.db_table,
                SearchDocument.technologies.through._meta.db_table,
            ]
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
