"""The search index: one document per searchable guide, challenge, solution,
message and person, kept current by the writing services.

A document holds what a result shows (title, plain-text body for snippets,
slug, status, API path), what decides who may see it (`audience`, and for
restricted documents `reader_id` and `channel_id`, which the selectors combine
with the owning apps' rules), what ranks it (`boost`) and, on PostgreSQL, its
weighted `search_vector` (and `title_vector`). The GIN indexes on
the vectors and on titles (trigrams) are PostgreSQL-only and created by this
app's migrations; SQLite keeps the column empty and searches the text.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        GUIDE = "guide", "Guide"
        CHALLENGE = "challenge", "Challenge"
        SOLUTION = "solution", "Solution"
        MESSAGE = "message", "Message"
        USER = "user", "User"

    class Audience(models.TextChoices):
        # Decided when the document is written, from the owning app's rules.
        EVERYONE = "everyone", "Everyone, signed in or not"
        MEMBERS = "members", "Anyone signed in"
        # Drafts, hidden posts, private channels: decided per viewer at query time.
        RESTRICTED = "restricted", "Decided per viewer"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="Plain text, for snippets.")
    keywords = models.TextField(blank=True, help_text="Technologies, tags and the like.")
    slug = models.CharField(max_length=120, blank=True)
    url = models.CharField(max_length=300)
    status = models.CharField(max_length=12, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    # Restricted documents: the one person besides staff who may read a hidden
    # challenge or solution (its author), when there is one.
    reader_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Messages: their channel, whose members read them when it is private.
    channel_id = models.PositiveBigIntegerField(null=True, blank=True)
    boost = models.FloatField(default=1.0)
    technologies = models.ManyToManyField("knowledge.Technology", blank=True, related_name="+")
    # Weighted title (A), body (B) and keywords (C); written on PostgreSQL only.
    search_vector = SearchVectorField(null=True, editable=False)
    # Title and keywords alone: what a document is about, searched first.
    title_vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
