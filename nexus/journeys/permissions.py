"""Who may read a learner's journal and journey, and who sees a cohort's dashboard."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nexus.core.errors import NotFound, PermissionDenied
from nexus.core.permissions import is_mentor_or_staff
from nexus.journeys.models import JournalEntry

Visibility = JournalEntry.Visibility


def viewer_id(user: Any) -> int | None:
    return int(user.pk) if getattr(user, "is_authenticated", False) else None


def viewer_cohort_id(user: Any) -> int | None:
    """The viewer's cohort; None when signed out or in no cohort."""
    if viewer_id(user) is None:
        return None
    profile = getattr(user, "profile", None)
    return getattr(profile, "cohort_id", None)


def is_self(user: Any, learner: Any) -> bool:
    return bool(viewer_id(user) == learner.pk)


def shares_cohort(user: Any, learner: Any) -> bool:
    """Both in the same cohort: cohort-visible entries are meant for them."""
    mine = viewer_cohort_id(user)
    return mine is not None and mine == learner.profile.cohort_id


def can_read_entry(user: Any, entry: JournalEntry) -> bool:
    """Public entries are everyone's; cohort entries are their cohort's; private
    ones only their author's. Staff get no exception: a journal is personal."""
    if entry.author_id == viewer_id(user):
        return True
    if entry.visibility == Visibility.PUBLIC:
        return True
    return entry.visibility == Visibility.COHORT and shares_cohort(user, entry.author)


def check_can_read_entry(user: Any, entry: JournalEntry) -> None:
    # Not 403: whether a private entry exists is itself private.
    if not can_read_entry(user, entry):
        raise NotFound(f"No journal entry {entry.pk}.")


def readable_entries(
    queryset: QuerySet[JournalEntry], user: Any, learner: Any
) -> QuerySet[JournalEntry]:
    """The entries of `learner` in `queryset` that `user` may read."""
    queryset = queryset.filter(author_id=learner.pk)
    if is_self(user, learner):
        return queryset
    shared = Q(visibility=Visibility.PUBLIC)
    if shares_cohort(user, learner):
        shared |= Q(visibility=Visibility.COHORT)
    return queryset.filter(shared)


def can_view_dashboard(user: Any) -> bool:
    """Mentors and staff follow a cohort's progress; learners see their own journeys."""
    return is_mentor_or_staff(user)


def check_can_view_dashboard(user: Any) -> None:
    if not can_view_dashboard(user):
        raise PermissionDenied("Only mentors and staff see a cohort's dashboard.")
