import django.contrib.postgres.search
from django.db import migrations

INDEX = "search_document_title_vector"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON search_searchdocument USING gin (title_vector) "
            "WHERE kind IN ('guide', 'challenge', 'user')"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    """Titles and keywords in a vector of their own, with its GIN index
    (PostgreSQL only), so a search considers what documents are about first.
    Existing documents get theirs from `manage.py reindex`."""

    dependencies = [("search", "0002_postgres_indexes")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
