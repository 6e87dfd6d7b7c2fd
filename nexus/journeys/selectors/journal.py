"""Reads of journal entries: the author's own, and others' as their visibility allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from nexus.accounts import selectors as account_selectors
from nexus.accounts.models import User
from nexus.challenges.models import Challenge
from nexus.core.errors import NotFound
from nexus.core.filters import apply_filters
from nexus.journeys import permissions
from nexus.journeys.filters import JournalFilter
from nexus.journeys.models import JournalEntry
from nexus.journeys.selectors.refs import nexus_url, ref_prefetches

# --- Journal ----------------------------------------------------------------------------


def journal_queryset() -> QuerySet[JournalEntry]:
    return JournalEntry.objects.select_related("author__profile").prefetch_related(
        ref_prefetches()["technologies"],
        Prefetch("challenges", queryset=Challenge.objects.only("id", "title")),
    )


def journal_entry_list(
    *, viewer: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[JournalEntry]:
    """The viewer's own journal, newest day first, filtered by visibility, technology,
    challenge and dates (`since`, `until`). Raises ValidationError."""
    entries = journal_queryset().filter(author_id=viewer.pk)
    return apply_filters(JournalFilter, entries, filters)


def journal_entry_get(*, viewer: User, entry_id: int) -> JournalEntry:
    """One of the viewer's own entries. Raises NotFound, for someone else's too."""
    entry = journal_queryset().filter(author_id=viewer.pk, pk=entry_id).first()
    if entry is None:
        raise NotFound(f"No journal entry {entry_id}.")
    return entry


def user_journal_list(
    *, viewer: Any, username: str, filters: Mapping[str, Any] | None = None
) -> QuerySet[JournalEntry]:
    """A learner's journal as the viewer may read it: all of it for its author,
    public entries for everyone, cohort entries for the same cohort. Raises NotFound,
    ValidationError."""
    learner = account_selectors.user_get_public(username=username)
    entries = permissions.readable_entries(journal_queryset(), viewer, learner)
    return apply_filters(JournalFilter, entries, filters)


def user_journal_entry_get(*, viewer: Any, username: str, entry_id: int) -> JournalEntry:
    """One entry of a learner's journal, if the viewer may read it. A private entry
    of someone else's is answered as missing. Raises NotFound."""
    entry = (
        journal_queryset().filter(pk=entry_id, author__username=username, author__is_active=True)
    ).first()
    if entry is None:
        raise NotFound(f"No journal entry {entry_id}.")
    permissions.check_can_read_entry(viewer, entry)
    return entry


def journal_entry_url(entry: JournalEntry) -> str:
    return nexus_url("user-journal-entry", username=entry.author.username, entry_id=entry.pk)
