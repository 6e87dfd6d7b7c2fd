"""Drop three single-column indexes that a composite index already leads with.

Each was written on every answer (the challenge's last activity, the solution's
challenge, the follow's user) and none was needed by a read: the planner takes
challenge_active, solution_order and one_follow_per_user for the same lookups.

By name, with SQL both databases run: AlterField on a foreign key would drop
every index on the column, one_accepted_solution included, and re-validate the
key over the whole table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (index, table, column): the names Django gave them in 0001.
COVERED = (
    ("challenges_challenge_last_activity_at_bb9b7bff", "challenges_challenge", "last_activity_at"),
    ("challenges_solution_challenge_id_99c424f9", "challenges_solution", "challenge_id"),
    ("challenges_follow_user_id_1d9ca4ba", "challenges_follow", "user_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0004_reputation_from_elsewhere"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for index, table, column in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="challenge",
                    name="last_activity_at",
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name="follow",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="solution",
                    name="challenge",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="solutions",
                        to="challenges.challenge",
                    ),
                ),
            ],
        ),
    ]
