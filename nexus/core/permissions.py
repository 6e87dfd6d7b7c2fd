"""Role rules shared by every app: who counts as staff or mentor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from nexus.accounts.models import User


def is_staff(user: User | AnonymousUser | Any) -> bool:
    """Django superusers and `is_staff` users count as staff, as does the staff role."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return getattr(user, "role", None) == "staff"


def is_mentor_or_staff(user: User | AnonymousUser | Any) -> bool:
    if is_staff(user):
        return True
    return (
        bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) == "mentor"
    )
