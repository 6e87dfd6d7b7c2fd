"""Challenges met, the solutions found, and how the cohort rated them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from nexus.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Moderated(models.Model):
    """Content staff can hide: gone for others, kept for its author with the reason."""

    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Challenge(TimeStampedModel, Moderated):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"
        DUPLICATE = "duplicate", "Duplicate"

    title = models.CharField(max_length=200)
    body = models.TextField()
    body_html = models.TextField()
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="challenges")
    technologies = models.ManyToManyField(
        "knowledge.Technology", blank=True, related_name="challenges"
    )
    concepts = models.ManyToManyField("knowledge.Concept", blank=True, related_name="challenges")
    tags = models.ManyToManyField("knowledge.Tag", blank=True, related_name="challenges")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    accepted_solution = models.OneToOneField(
        "Solution", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Counters kept by the services, so lists never count per row.
    score = models.IntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    solution_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Indexed by challenge_active_keyset (scanned backwards for the oldest first): an
    # index of its own would be one more written by every answer and comment.
    last_activity_at = models.DateTimeField()
    current_revision = models.ForeignKey(
        "ChallengeRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision_count = models.PositiveIntegerField(default=0)
    # When mentors were told it was waiting for an answer; they are told once.
    unanswered_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [
            models.Index(fields=["status", "-created_at"], name="challenge_status_new"),
            # In the keyset's order (the field, then id, both descending), so a
            # page is read off the index instead of sorting every visible row.
            models.Index(fields=["-last_activity_at", "-id"], name="challenge_active_keyset"),
            models.Index(fields=["-score", "-id"], name="challenge_score_keyset"),
            models.Index(
                fields=["-created_at"],
                name="challenge_unanswered",
                condition=Q(solution_count=0),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def accepts_answers(self) -> bool:
        """Closed and duplicate challenges take no new solutions or comments."""
        return self.status in (self.Status.OPEN, self.Status.SOLVED)


class ChallengeRevision(models.Model):
    """One saved state of a challenge's title and body. Never changed once written."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    message = models.CharField(max_length=200, blank=True)
    editor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-number",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["challenge", "number"], name="challenge_revision_no"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id} r{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Challenge revisions are immutable; write a new one instead.")
        super().save(*args, **kwargs)


class Solution(TimeStampedModel, Moderated):
    # Indexed by solution_order, which leads with it.
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="solutions", db_index=False
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="solutions")
    body = models.TextField()
    body_html = models.TextField()
    score = models.IntegerField(default=0)
    is_accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    comment_count = models.PositiveIntegerField(default=0)
    promoted_guide = models.OneToOneField(
        "knowledge.Guide",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoted_from_solution",
    )

    class Meta:
        ordering = ("-is_accepted", "-score", "created_at")
        indexes: ClassVar = [
            models.Index(fields=["challenge", "-is_accepted", "-score"], name="solution_order"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["challenge"], condition=Q(is_accepted=True), name="one_accepted_solution"
            ),
        ]

    def __str__(self) -> str:
        return f"Solution {self.pk} to {self.challenge_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Comment(TimeStampedModel, Moderated):
    """A short remark on a challenge or on a solution (exactly one of them)."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    body_html = models.TextField()

    class Meta:
        ordering = ("created_at", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(challenge__isnull=False, solution__isnull=True)
                | Q(challenge__isnull=True, solution__isnull=False),
                name="comment_has_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk}"


class Vote(TimeStampedModel):
    """One user's +1 or -1 on a challenge or a solution (exactly one of them)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField()

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(challenge__isnull=False, solution__isnull=True)
                | Q(challenge__isnull=True, solution__isnull=False),
                name="vote_has_one_target",
            ),
            models.CheckConstraint(condition=Q(value__in=[-1, 1]), name="vote_value_is_one"),
            models.UniqueConstraint(
                fields=["user", "challenge"],
                condition=Q(challenge__isnull=False),
                name="one_vote_per_challenge",
            ),
            models.UniqueConstraint(
                fields=["user", "solution"],
                condition=Q(solution__isnull=False),
                name="one_vote_per_solution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} by {self.user_id}"


class ReputationEvent(models.Model):
    """A line of the reputation ledger: who gained or lost points, why and when.

    One line per vote received (updated when the vote changes, deleted when
    it is withdrawn) and one per accepted solution, so totals over any period
    and any slice (cohort, technology) are sums of this table.
    """

    class Reason(models.TextChoices):
        CHALLENGE_VOTED = "challenge_voted", "Vote on a challenge"
        SOLUTION_VOTED = "solution_voted", "Vote on a solution"
        SOLUTION_ACCEPTED = "solution_accepted", "Solution accepted"
        ACCEPTED_A_SOLUTION = "accepted_a_solution", "Accepted a solution"
        REVIEW_HELPFUL = "review_helpful", "Review feedback marked helpful"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reputation_events")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    points = models.IntegerField()
    # The challenge the points came from, if any: per-technology boards follow it.
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # For points from elsewhere (peer reviews): what earned them, unique per line.
    source_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    vote = models.OneToOneField(
        Vote, on_delete=models.CASCADE, null=True, blank=True, related_name="reputation_event"
    )
    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["user", "created_at"], name="reputation_user")]

    def __str__(self) -> str:
        return f"{self.points:+d} to {self.user_id} ({self.reason})"


class Follow(models.Model):
    # Indexed by one_follow_per_user, which leads with it.
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", db_index=False)
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "challenge"], name="one_follow_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.challenge_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "challenge"], name="one_bookmark_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} bookmarked {self.challenge_id}"


class ModerationAction(models.Model):
    """The moderation log: every staff action on challenges, solutions and comments."""

    class Action(models.TextChoices):
        CLOSE = "close", "Closed"
        REOPEN = "reopen", "Reopened"
        MARK_DUPLICATE = "mark_duplicate", "Marked duplicate"
        HIDE = "hide", "Hidden"
        UNHIDE = "unhide", "Unhidden"

    class Target(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        SOLUTION = "solution", "Solution"
        COMMENT = "comment", "Comment"

    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id}"
