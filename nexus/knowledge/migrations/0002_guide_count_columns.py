from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

# Link field on Guide, and the linked model's name (also its column in the link table).
LINKS = (("technologies", "technology"), ("concepts", "concept"), ("tags", "tag"))


def count_published_guides(apps, schema_editor):
    """Fill the new columns from the guides already stored: one UPDATE per model."""
    guide = apps.get_model("knowledge", "Guide")
    for field, name in LINKS:
        links = getattr(guide, field).through
        published = (
            links.objects.filter(
                **{name: OuterRef("pk")}, guide__status="published", guide__deleted_at__isnull=True
            )
            .order_by()
            .values(name)
            .annotate(guides=Count("pk"))
            .values("guides")
        )
        apps.get_model("knowledge", name).objects.update(
            guide_count=Coalesce(Subquery(published), 0)
        )


class Migration(migrations.Migration):
    """Each technology, concept and tag keeps its count of published, live
    guides as a column, which the guide services recount on every write that
    can change it, so the reference lists no longer count per row."""

    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="concept",
            name="guide_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="tag",
            name="guide_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="technology",
            name="guide_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_published_guides, migrations.RunPython.noop, elidable=True),
    ]
