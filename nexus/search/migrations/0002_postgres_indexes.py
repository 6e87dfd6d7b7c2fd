from django.db import migrations

# Created on PostgreSQL only: SQLite has neither GIN indexes nor trigrams, and
# searches the text columns instead. Kept out of the model state on purpose.
INDEXES = (
    (
        "search_document_vector",
        "CREATE INDEX IF NOT EXISTS search_document_vector "
        "ON search_searchdocument USING gin (search_vector)",
    ),
    (
        "search_document_title_trgm",
        "CREATE INDEX IF NOT EXISTS search_document_title_trgm "
        "ON search_searchdocument USING gin (title gin_trgm_ops) "
        "WHERE kind IN ('guide', 'challenge')",
    ),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    """The full-text GIN index on the weighted vectors, and the trigram GIN index on
    titles for suggestions (pg_trgm comes from the challenges app's migration)."""

    dependencies = [
        ("search", "0001_initial"),
        ("challenges", "0002_trigram_extension"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
