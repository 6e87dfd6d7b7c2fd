"""The reference guide: technologies, concepts, tags and guides with revisions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from nexus.core.models import TimeStampedModel


class GuideCounted(models.Model):
    """A technology, concept or tag, with the number of published, live guides
    that link to it kept as a column, so lists read it rather than count."""

    # Kept by the guide services (`services.recount_guides`), never by a form.
    guide_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An edit of other fields must not write back a count read before a
        # concurrent guide write changed it.
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name != "guide_count"
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)


class Tag(GuideCounted, TimeStampedModel):
    """A free label, shared by every kind of content in Nexus."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.name


class Technology(GuideCounted, TimeStampedModel):
    class Category(models.TextChoices):
        LANGUAGE = "language", "Language"
        FRAMEWORK = "framework", "Framework"
        API = "api", "API"
        DATABASE = "database", "Database"
        CACHE = "cache", "Cache"
        MESSAGING = "messaging", "Messaging"
        CONTAINER = "container", "Container"
        CI_CD = "ci-cd", "CI/CD"
        TESTING = "testing", "Testing"
        TOOLING = "tooling", "Tooling"

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    category = models.CharField(max_length=12, choices=Category.choices)
    summary = models.TextField(max_length=2000, blank=True)
    docs_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "technologies"

    def __str__(self) -> str:
        return self.name


class Concept(GuideCounted, TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(max_length=2000, blank=True)
    technologies = models.ManyToManyField(Technology, blank=True, related_name="concepts")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Guide(TimeStampedModel):
    """A markdown article; its title and body live on in every revision."""

    class Kind(models.TextChoices):
        GUIDE = "guide", "Guide"
        BEST_PRACTICE = "best_practice", "Best practice"
        TAKEAWAY = "takeaway", "Takeaway"
        CHEAT_SHEET = "cheat_sheet", "Cheat sheet"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    body_html = models.TextField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GUIDE)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guides"
    )
    co_editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_edited_guides"
    )
    technologies = models.ManyToManyField(Technology, blank=True, related_name="guides")
    concepts = models.ManyToManyField(Concept, blank=True, related_name="guides")
    tags = models.ManyToManyField(Tag, blank=True, related_name="guides")
    current_revision = models.ForeignKey(
        "GuideRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [
            models.Index(fields=["status", "-created_at"], name="knowledge_guide_status_new"),
            models.Index(fields=["-updated_at"], name="knowledge_guide_updated"),
            models.Index(fields=["title"], name="knowledge_guide_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class GuideRevision(models.Model):
    """One saved state of a guide's title and body. Never changed once written."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    message = models.CharField(max_length=200, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guide_revisions"
    )
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-number",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["guide", "number"], name="knowledge_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.guide_id} r{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Guide revisions are immutable; write a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Guide revisions are never deleted.")
