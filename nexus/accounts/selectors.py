"""Reads of the accounts app."""

from __future__ import annotations

import functools
from collections.abc import Collection

from django.db import connections, router
from django.db.models import Q, QuerySet

from nexus.accounts.models import Cohort, Profile, User
from nexus.core import rows
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


@functools.cache
def _user_signed_in_sql(alias: str) -> str:
    connection = connections[alias]
    user_table, profile_table, cohort_table = (
        connection.ops.quote_name(model._meta.db_table) for model in (User, Profile, Cohort)
    )
    return (
        f"SELECT {rows.columns(User, 'u', connection)}, "  # noqa: S608 -- names from the models
        f"{rows.columns(Profile, 'p', connection)}, {rows.columns(Cohort, 'c', connection)} "
        f"FROM {user_table} u LEFT JOIN {profile_table} p ON p.user_id = u.id "
        f"LEFT JOIN {cohort_table} c ON c.id = p.cohort_id WHERE u.id = %s"
    )


def user_signed_in(*, user_id: int) -> User | None:
    """The user of an access token, active or not, with profile and cohort as
    `User.objects` loads them, or None.

    One hand-written query: every authenticated request reads its user, and
    composing the three-table read with the ORM took several times as long as
    the database took to answer it.
    """
    alias = router.db_for_read(User)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_user_signed_in_sql(alias), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user_end = len(User._meta.concrete_fields)
    profile_end = user_end + len(Profile._meta.concrete_fields)
    user = rows.instance(User, connection, row[:user_end])
    profile = (
        rows.instance(Profile, connection, row[user_end:profile_end])
        if row[user_end] is not None
        else None
    )
    # Linked both ways, as select_related leaves them: no query to go from one to the other.
    Profile._meta.get_field("user").remote_field.set_cached_value(user, profile)
    if profile is not None:
        Profile._meta.get_field("user").set_cached_value(profile, user)
        cohort = (
            rows.instance(Cohort, connection, row[profile_end:])
            if row[profile_end] is not None
            else None
        )
        Profile._meta.get_field("cohort").set_cached_value(profile, cohort)
    return user


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
