from django.db import migrations

INDEX = "search_document_title_sample"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Concurrently: building it reads the whole table, which must stay writable.
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON search_searchdocument USING gin (title_vector) "
            "WHERE kind IN ('guide', 'challenge', 'user') AND mod(id, 16) = 0"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    """A GIN index on the title vectors of one titled document in 16 (PostgreSQL
    only): a search looks for its candidates there first, so a query that many
    titles match finds enough of them without listing every match in the full
    title index (93,000 entries for "migrations" at 1,000,000 challenges).
    The predicate is the one `selectors.SAMPLE_EVERY` describes; change both
    together."""

    atomic = False

    dependencies = [("search", "0003_title_vector")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
