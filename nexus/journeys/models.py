"""Learning journeys: each learner's goals and journal, from which the journey is built."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from nexus.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL

# What an evidence line may point at inside Nexus: one of these, or an outside URL.
EVIDENCE_TARGETS = ("guide", "challenge", "solution", "review", "mentorship")


class Goal(TimeStampedModel):
    """Something a learner sets out to do, with how far they are and what proves it."""

    class Kind(models.TextChoices):
        LEARN = "learn", "Learn a technology"
        BUILD = "build", "Build a project"
        CONTRIBUTE = "contribute", "Contribute to open source"
        DEEPEN = "deepen", "Deepen a concept"
        MENTOR = "mentor", "Mentor others"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (Status.PLANNED, Status.ACTIVE)

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True)
    description_html = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100 (percent).")
    target_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    technologies = models.ManyToManyField("knowledge.Technology", blank=True, related_name="+")
    concepts = models.ManyToManyField("knowledge.Concept", blank=True, related_name="+")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=["owner", "status"], name="goal_owner_status")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="goal_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


def _one_target(kind: str) -> Q:
    empty = {f"{other}__isnull": True for other in EVIDENCE_TARGETS if other != kind}
    return Q(kind=kind, url="", **{f"{kind}__isnull": False}, **empty)


class Evidence(models.Model):
    """What shows progress on a goal: one Nexus object of the learner's, or an outside URL."""

    class Kind(models.TextChoices):
        GUIDE = "guide", "Guide written"
        CHALLENGE = "challenge", "Challenge met"
        SOLUTION = "solution", "Solution given"
        REVIEW = "review", "Peer review"
        MENTORSHIP = "mentorship", "Mentorship"
        URL = "url", "Outside link"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    guide = models.ForeignKey(
        "knowledge.Guide", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    solution = models.ForeignKey(
        "challenges.Solution", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    review = models.ForeignKey(
        "collaboration.ReviewRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    mentorship = models.ForeignKey(
        "collaboration.Mentorship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    url = models.URLField(max_length=500, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("position", "id")
        verbose_name_plural = "evidence"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=reduce(
                    or_,
                    [_one_target(kind) for kind in EVIDENCE_TARGETS],
                    Q(
                        Q(kind="url") & ~Q(url=""),
                        **{f"{target}__isnull": True for target in EVIDENCE_TARGETS},
                    ),
                ),
                name="evidence_has_its_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} evidence on goal {self.goal_id}"


class JournalEntry(TimeStampedModel):
    """A dated markdown note of what the learner learnt, shared as they choose."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only me"
        COHORT = "cohort", "My cohort"
        PUBLIC = "public", "Everyone"

    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="journal_entries")
    date = models.DateField(help_text="The day the entry is about.")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50_000)
    body_html = models.TextField()
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    technologies = models.ManyToManyField("knowledge.Technology", blank=True, related_name="+")
    challenges = models.ManyToManyField("challenges.Challenge", blank=True, related_name="+")

    class Meta:
        ordering = ("-date", "-id")
        verbose_name_plural = "journal entries"
        indexes: ClassVar = [
            models.Index(fields=["author", "-date", "-id"], name="journal_author_date"),
        ]

    def __str__(self) -> str:
        return self.title
