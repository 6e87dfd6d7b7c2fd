"""The collaboration hub: channels and messages, peer reviews, mentoring."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from nexus.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Channel(TimeStampedModel):
    class Kind(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        ANNOUNCEMENT = "announcement", "Announcement"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PUBLIC)
    topic = models.CharField(max_length=300, blank=True)
    is_archived = models.BooleanField(default=False)
    cohort = models.ForeignKey(
        "accounts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    technology = models.ForeignKey(
        "knowledge.Technology", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept by the services, so channel lists never count messages per row.
    message_count = models.PositiveIntegerField(default=0)
    last_message_id = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.slug


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="channel_memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    can_invite = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Messages with an id above this are unread for the member.
    last_read_id = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["channel", "user"], name="one_membership_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.channel_id}"


class Message(TimeStampedModel):
    """A post in a channel; a reply when it has a parent (threads are one level deep)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField()
    body_html = models.TextField()
    is_pinned = models.BooleanField(default=False)
    reply_count = models.PositiveIntegerField(default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    challenge = models.OneToOneField(
        "challenges.Challenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_message",
        help_text="The challenge this thread became.",
    )

    class Meta:
        ordering = ("-id",)
        indexes: ClassVar = [
            models.Index(fields=["channel", "-id"], name="message_channel_page"),
            models.Index(fields=["parent", "id"], name="message_thread"),
            models.Index(
                fields=["channel", "-is_pinned", "-id"],
                name="message_top_level",
                condition=Q(parent__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.channel_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageRevision(models.Model):
    """The text a message had before an edit: its edit history."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"Revision of message {self.message_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Message history is never rewritten.")
        super().save(*args, **kwargs)


class Reaction(models.Model):
    class Emoji(models.TextChoices):
        THUMBS_UP = "👍", "thumbs up"
        HEART = "❤️", "heart"
        TADA = "🎉", "party"
        LAUGH = "😄", "laugh"
        EYES = "👀", "eyes"
        ROCKET = "🚀", "rocket"
        THINKING = "🤔", "thinking"
        CHECK = "✅", "done"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=Emoji.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="one_reaction_of_each_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id}"


class ReviewRequest(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        DONE = "done", "Done"

    class ReviewerTrack(models.TextChoices):
        BACKEND = "backend", "Backend"
        FRONTEND = "frontend", "Frontend"
        ANY = "any", "Any"

    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="review_requests")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, help_text="A GitHub or GitLab repository or PR.")
    focus = models.TextField(max_length=5000, blank=True)
    focus_html = models.TextField(blank=True)
    technologies = models.ManyToManyField("knowledge.Technology", blank=True, related_name="+")
    reviewer_track = models.CharField(
        max_length=8, choices=ReviewerTrack.choices, default=ReviewerTrack.ANY
    )
    max_reviewers = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    claim_count = models.PositiveSmallIntegerField(default=0)
    feedback_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=["status", "-created_at"], name="review_open")]

    def __str__(self) -> str:
        return self.title


class ReviewClaim(models.Model):
    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="claims")
    reviewer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="review_claims")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["request", "reviewer"], name="one_claim_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} reviews {self.request_id}"


class ReviewFeedback(models.Model):
    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        COMMENT = "comment", "Comment"

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="feedback")
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="review_feedback")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    body = models.TextField(max_length=20000)
    body_html = models.TextField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    is_helpful = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rating_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} on {self.request_id}"


class MentorProfile(TimeStampedModel):
    """What a mentor offers: topics and how many mentees at once."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="mentor_profile")
    technologies = models.ManyToManyField("knowledge.Technology", blank=True, related_name="+")
    concepts = models.ManyToManyField("knowledge.Concept", blank=True, related_name="+")
    capacity = models.PositiveSmallIntegerField(default=3)
    active_count = models.PositiveSmallIntegerField(default=0)
    is_accepting = models.BooleanField(default=True)
    about = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(active_count__lte=models.F("capacity")),
                name="mentor_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentor {self.user_id}"


class Mentorship(TimeStampedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    mentor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="mentees_as_mentor")
    mentee = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="mentorships")
    goals = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(status__in=["requested", "active"]),
                name="one_open_mentorship_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} mentors {self.mentee_id}"


class MentorshipNote(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=10000)
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"Note on {self.mentorship_id}"
