"""Reads of the accounts app."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q, QuerySet

from nexus.accounts.models import Cohort, Profile, User
from nexus.core.errors import NotFound


def user_get_public(*, username: str) -> User:
    """An active user by handle, with profile and cohort. Raises NotFound."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No user '{username}'.")
    return user


def cohort_list() -> QuerySet[Cohort]:
    return Cohort.objects.all()


def mentor_ids_skilled_in(skills: Collection[str]) -> list[int]:
    """Ids of active mentors with any of `skills` (compared without case)."""
    wanted = {skill.lower() for skill in skills}
    return [
        profile.user_id
        for profile in Profile.objects.filter(role=Profile.Role.MENTOR, user__is_active=True).only(
            "user_id", "skills"
        )
        if wanted & {str(skill).lower() for skill in profile.skills}
    ]


def active_users_by_id(user_ids: Collection[int]) -> dict[int, User]:
    """Active users among `user_ids`, by id, in one query."""
    return User.objects.filter(pk__in=list(user_ids), is_active=True).in_bulk()


def cohort_get(*, slug: str) -> Cohort:
    """A cohort by slug. Raises NotFound."""
    cohort = Cohort.objects.filter(slug=slug).first()
    if cohort is None:
        raise NotFound(f"No cohort '{slug}'.")
    return cohort


def cohort_learners(cohort: Cohort) -> list[User]:
    """The cohort's active learners (staff left out), by username."""
    return list(
        User.objects.filter(
            profile__cohort=cohort, profile__role=Profile.Role.LEARNER, is_active=True
        )
        .exclude(Q(is_staff=True) | Q(is_superuser=True))
        .order_by("username")
    )
