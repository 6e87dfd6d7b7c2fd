"""Events, the notifications they produce, and their deliveries by email and webhook."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class OutboxEvent(models.Model):
    """Something others should hear about, written in the transaction that caused it.

    The relay publishes it to the broker after commit; until then (broker down,
    process killed) it waits here, and the periodic relay tries again.
    """

    name = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    publish_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("id",)
        indexes: ClassVar = [
            models.Index(
                fields=["id"], name="outbox_unpublished", condition=Q(published_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        SOLUTION_POSTED = "solution_posted", "A solution on my challenge"
        SOLUTION_ACCEPTED = "solution_accepted", "My solution accepted"
        VOTE_MILESTONE = "vote_milestone", "A vote milestone on my post"
        COMMENT_POSTED = "comment_posted", "A comment on my post"
        MENTIONED = "mentioned", "A mention of me"
        FOLLOWED_ACTIVITY = "followed_activity", "Activity on a challenge I follow"
        CHALLENGE_UNANSWERED = "challenge_unanswered", "An unanswered challenge in my skills"

    class EmailPlan(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"
        NEVER = "never", "Never"

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_type = models.CharField(max_length=32)
    target_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    excerpt = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, help_text="API path of the target.")
    # One notification per recipient and cause, however often an event is processed.
    dedupe_key = models.CharField(max_length=120)
    email_plan = models.CharField(max_length=10, choices=EmailPlan.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="one_notification_per_cause"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(
                fields=["email_plan", "recipient"],
                name="notification_digest_due",
                condition=Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user hears of one kind of notification by email (in app always)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    email = models.CharField(max_length=10, choices=Notification.EmailPlan.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} by email {self.email}"


class Webhook(models.Model):
    """An outgoing Discord webhook and the events (and technologies) it carries."""

    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    technologies = models.ManyToManyField("knowledge.Technology", blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One email or webhook message, keyed so that it is sent at most once.

    The key is written before anything is sent; a task claims the row before
    sending, so a retried or duplicated task finds it sent and stops.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        RETRY = "retry", "Waiting to retry"
        SENT = "sent", "Sent"
        DEAD = "dead", "Dead-lettered"

    key = models.CharField(max_length=160, unique=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "deliveries"
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_retry_due",
                condition=Q(status="retry"),
            ),
            models.Index(fields=["status", "channel"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return self.key
