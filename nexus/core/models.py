from django.db import models


class TimeStampedModel(models.Model):
    """Creation and update times, kept by the database layer on save."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
