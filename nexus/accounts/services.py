"""Writes of the accounts app: registration, tokens, profile edits."""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.models import Cohort, Profile, User, username_validator
from nexus.core.cache import bump_on_commit, invalidates
from nexus.core.errors import AuthenticationFailed, ValidationError
from nexus.search.indexing import index_on_commit

PROFILE_EDITABLE_FIELDS = (
    "display_name",
    "bio",
    "track",
    "cohort",
    "skills",
    "github_handle",
    "discord_handle",
    "timezone",
)
# The admin's group for the programme's staff. A staff flag alone opens an
# admin with nothing in it; a superuser adds staff to this group instead.
PROGRAMME_STAFF = "Programme staff"
MAX_SKILLS = 30
MAX_SKILL_LENGTH = 40


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def user_register(*, email: str, username: str, password: str) -> User:
    """Create a learner account with an empty profile.

    Checks email, handle and password strength before writing anything; a
    race on the same email or handle ends as the same field error.
    Raises ValidationError with field errors.
    """
    email = _normalize_email(email)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = ["Enter a valid email address."]
    try:
        username_validator(username)
    except DjangoValidationError as exc:
        errors["username"] = list(exc.messages)
    if "email" not in errors and User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email already exists."]
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    try:
        validate_password(password, user=User(email=email, username=username))
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors=errors)

    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, username=username, password=password)
            index_on_commit("user", user.pk)
    except IntegrityError as exc:
        taken = "username" if "username" in str(exc).lower() else "email"
        message = (
            "This username is taken."
            if taken == "username"
            else ("An account with this email already exists.")
        )
        raise ValidationError(errors={taken: [message]}) from exc
    return user


def token_obtain(*, email: str, password: str) -> TokenPair:
    """Exchange credentials for a JWT pair. Raises AuthenticationFailed."""
    user = authenticate(username=_normalize_email(email), password=password)
    if user is None:
        raise AuthenticationFailed("No active account matches these credentials.")
    refresh = RefreshToken.for_user(user)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def token_refresh(*, refresh: str) -> TokenPair:
    """Rotate a refresh token: the old one is blacklisted, a new pair returned.

    Raises AuthenticationFailed for an expired, tampered or blacklisted token,
    or one whose user is gone or inactive.
    """
    try:
        old = RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise AuthenticationFailed("The refresh token is invalid, expired or revoked.") from exc
    user_id = str(old.payload.get("user_id", ""))
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id.isdigit() else None
    if user is None:
        raise AuthenticationFailed("The account of this token no longer exists or is inactive.")
    with transaction.atomic():
        try:
            old.blacklist()
        except IntegrityError as exc:  # refreshed twice at once: only the first wins
            raise AuthenticationFailed("The refresh token was already used.") from exc
        new = RefreshToken.for_user(user)
    return TokenPair(access=str(new.access_token), refresh=str(new))


def token_revoke(*, refresh: str, actor: User | None = None) -> None:
    """Log out: blacklist the refresh token so it can never be used again.

    With an actor, the token must be theirs. Raises AuthenticationFailed.
    """
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise AuthenticationFailed("The refresh token is invalid, expired or revoked.") from exc
    if actor is not None and str(token.payload.get("user_id")) != str(actor.pk):
        raise AuthenticationFailed("This refresh token belongs to another account.")
    with contextlib.suppress(IntegrityError):  # logging out twice is not an error
        token.blacklist()


def tokens_flush_expired() -> int:
    """Delete outstanding and blacklisted tokens past their expiry. Returns how many."""
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    BlacklistedToken.objects.filter(token__isnull=True).delete()
    return deleted


def reputation_adjust(*, user_id: int, delta: int) -> None:
    """Add `delta` (may be negative) to a user's reputation, atomically in SQL."""
    if delta:
        Profile.objects.filter(user_id=user_id).update(reputation=F("reputation") + delta)


# The cached pages that show people: authors, mentors, the leaderboard.
PEOPLE_NAMESPACES = ("challenges", "guides", "reference", "leaderboard")


def user_changed(user_id: int) -> None:
    """After staff edit or remove a person outside the API (the admin), in that
    transaction: their search document is rewritten (or dropped), and the
    cached pages that show people move on once it commits."""
    index_on_commit("user", user_id)
    bump_on_commit(*PEOPLE_NAMESPACES)


@invalidates(*PEOPLE_NAMESPACES)
def profile_update(*, user: User, data: Mapping[str, Any]) -> User:
    """Edit the user's own profile fields.

    Role, staff flag, email and verification are not editable here: unknown
    keys are refused. Raises ValidationError with field errors.
    """
    unknown = sorted(set(data) - set(PROFILE_EDITABLE_FIELDS))
    errors: dict[str, list[str]] = {key: ["This field cannot be changed here."] for key in unknown}
    changes: dict[str, Any] = {}
    for field, value in data.items():
        if field in unknown:
            continue
        try:
            changes[field] = _clean_profile_field(field, value)
        except DjangoValidationError as exc:
            errors[field] = list(exc.messages)
    if errors:
        raise ValidationError(errors=errors)

    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=user)
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.full_clean(exclude=["user"])
        profile.save()
        index_on_commit("user", user.pk)
    user.profile = profile
    return user


def _clean_profile_field(field: str, value: Any) -> Any:
    text_limits = {
        "display_name": 80,
        "bio": 2000,
        "github_handle": 39,
        "discord_handle": 37,
        "timezone": 64,
    }
    if field in text_limits:
        if not isinstance(value, str):
            raise DjangoValidationError("Must be a string.")
        value = value.strip()
        if len(value) > text_limits[field]:
            raise DjangoValidationError(f"At most {text_limits[field]} characters.")
        if field == "timezone" and value not in zoneinfo.available_timezones():
            raise DjangoValidationError("Not a known IANA time zone, e.g. 'Africa/Lagos'.")
        return value
    if field == "track":
        if value not in Profile.Track.values:
            raise DjangoValidationError(f"One of: {', '.join(Profile.Track.values)}.")
        return value
    if field == "cohort":
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise DjangoValidationError("A cohort slug, or null.")
        cohort = Cohort.objects.filter(slug=value).first()
        if cohort is None:
            raise DjangoValidationError(f"No cohort with slug '{value}'.")
        return cohort
    if field == "skills":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise DjangoValidationError("A list of strings.")
        skills = list(dict.fromkeys(item.strip() for item in value if item.strip()))
        if len(skills) > MAX_SKILLS:
            raise DjangoValidationError(f"At most {MAX_SKILLS} skills.")
        if any(len(skill) > MAX_SKILL_LENGTH for skill in skills):
            raise DjangoValidationError(f"Each skill at most {MAX_SKILL_LENGTH} characters.")
        return skills
    raise DjangoValidationError("This field cannot be changed here.")  # pragma: no cover


def sync_programme_staff_group(using: str = "default") -> Group:
    """The "Programme staff" group holds every permission on the hub's own apps,
    but only viewing on accounts: changing a user can make anyone a superuser.
    Set after every migrate, so new models' permissions join it (and edits made
    to it in the admin are undone: narrower rights belong in another group)."""
    group, _ = Group.objects.using(using).get_or_create(name=PROGRAMME_STAFF)
    content = [
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("nexus.") and config.label != "accounts"
    ]
    group.permissions.set(
        Permission.objects.using(using).filter(
            Q(content_type__app_label__in=content)
            | Q(content_type__app_label="accounts", codename__startswith="view_")
        )
    )
    return group
