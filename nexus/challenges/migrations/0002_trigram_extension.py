from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for "similar challenges" on PostgreSQL; a no-op on SQLite."""

    dependencies = [("challenges", "0001_initial")]

    operations = [TrigramExtension()]
