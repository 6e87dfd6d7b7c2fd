from django.db import migrations

# The GIN indexes the services write to on every indexed write (PostgreSQL only).
INDEXES = (
    "search_document_vector",
    "search_document_title_trgm",
    "search_document_title_vector",
    "search_document_title_sample",
)


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        # What the pending list holds goes into the index now, not on a later write.
        schema_editor.execute(
            "SELECT gin_clean_pending_list(i) FROM to_regclass(%s) AS i WHERE i IS NOT NULL",
            [name],
        )


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    """The search GIN indexes take each write directly (`fastupdate = off`).

    With PostgreSQL's default, a GIN index queues new entries in a pending list
    and the write that finds the list full (4 MB) merges it into the index: at
    a million challenges that write took hundreds of milliseconds while the
    other requests queued behind it, every few thousand posts (a posting p99 of
    200-430 ms in the benchmark, 93-109 ms without the pending list). The full
    rebuild (`reindex`) turns the list back on while it loads, where merging in
    bulk is what it is for."""

    dependencies = [("search", "0004_title_sample_index")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list, elidable=False)]
