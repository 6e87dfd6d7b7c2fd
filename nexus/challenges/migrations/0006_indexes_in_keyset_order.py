"""The activity and score indexes in the list's keyset order.

Lists page by the ordering field and then `id`, both descending; the old
indexes ran `id` ascending, so PostgreSQL sorted every visible challenge for a
first page by score (120 ms at a million challenges) instead of reading it.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('challenges', '0005_drop_covered_indexes'),
        ('knowledge', '0002_guide_count_columns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='challenge',
            name='challenge_active',
        ),
        migrations.RemoveIndex(
            model_name='challenge',
            name='challenge_score',
        ),
        migrations.AddIndex(
            model_name='challenge',
            index=models.Index(fields=['-last_activity_at', '-id'], name='challenge_active_keyset'),
        ),
        migrations.AddIndex(
            model_name='challenge',
            index=models.Index(fields=['-score', '-id'], name='challenge_score_keyset'),
        ),
    ]
