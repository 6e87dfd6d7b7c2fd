"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet

from nexus.accounts.models import Cohort, User
from nexus.core.errors import NotFound


def user_get_public(*, username: str) -> User:
    """An active user by handle, with profile and cohort. Raises NotFound."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No user '{username}'.")
    return user


def cohort_list() -> QuerySet[Cohort]:
    return Cohort.objects.all()
