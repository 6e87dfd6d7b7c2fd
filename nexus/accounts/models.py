"""People: users (email login, unique handle), their profiles and cohorts."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from nexus.core.models import TimeStampedModel

USERNAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{1,28})[A-Za-z0-9]$"
username_validator = RegexValidator(
    USERNAME_PATTERN,
    "3 to 30 letters, digits, '-' or '_', starting and ending with a letter or digit.",
)


class UserManager(BaseUserManager["User"]):
    # The profile travels with its user: role checks never cost a query.
    def get_queryset(self) -> models.QuerySet[User]:
        return super().get_queryset().select_related("profile", "profile__cohort")

    def create_user(
        self, email: str, username: str, password: str | None = None, **extra: Any
    ) -> User:
        user = self.model(email=self.normalize_email(email).lower(), username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.create(user=user)
        return user

    def create_superuser(
        self, email: str, username: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.update(is_staff=True, is_superuser=True)
        user = self.create_user(email, username, password, **extra)
        Profile.objects.filter(user=user).update(role=Profile.Role.STAFF)
        user.profile.role = Profile.Role.STAFF
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    username = models.CharField(max_length=30, unique=True, validators=[username_validator])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the admin site.")
    is_email_verified = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def role(self) -> str:
        """The profile's role; a Django staff user or superuser is staff whatever it says."""
        if self.is_staff or self.is_superuser:
            return Profile.Role.STAFF
        return self.profile.role

    @property
    def display_name(self) -> str:
        return self.profile.display_name or self.username


class Cohort(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-starts_on", "name")

    def __str__(self) -> str:
        return self.name


class Profile(TimeStampedModel):
    class Track(models.TextChoices):
        BACKEND = "backend", "Backend"
        FRONTEND = "frontend", "Frontend"
        FULLSTACK = "fullstack", "Full stack"

    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        MENTOR = "mentor", "Mentor"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    track = models.CharField(max_length=10, choices=Track.choices, default=Track.BACKEND)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEARNER)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="profiles"
    )
    skills = models.JSONField(default=list, blank=True)
    github_handle = models.CharField(max_length=39, blank=True)
    discord_handle = models.CharField(max_length=37, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # Kept by the challenges app's services from its reputation ledger.
    reputation = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"
