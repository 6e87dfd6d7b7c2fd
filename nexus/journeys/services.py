"""Writes of learning journeys: goals with their evidence, and journal entries.

Both belong to one learner: only they write them, and another learner's goal
or entry is answered as missing. Evidence points at the learner's own work in
Nexus (a guide they wrote, a challenge they asked or solved, a solution they
gave, a review they asked for or gave, a mentorship they are in) or at an outside
http(s) URL; anything else is refused before a row is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions as challenge_permissions
from nexus.challenges.models import Challenge, Solution
from nexus.collaboration.models import Mentorship, ReviewRequest
from nexus.core.errors import NotFound, ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.validation import Errors, clean_choice, clean_text, raise_if, unknown_fields
from nexus.journeys.models import EVIDENCE_TARGETS, Evidence, Goal, JournalEntry
from nexus.knowledge import permissions as knowledge_permissions
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Guide

TITLE_MIN, TITLE_MAX = 3, 200
DESCRIPTION_MAX = 10_000
BODY_MAX = 50_000
NOTE_MAX = 200
URL_MAX = 500
MAX_EVIDENCE = 20
MAX_LINKED_CHALLENGES = 10
# Entries may be dated up to a day ahead: the learner's today may be UTC's tomorrow.
JOURNAL_DAYS_AHEAD = 1

GOAL_FIELDS = {
    "title",
    "description",
    "kind",
    "status",
    "progress",
    "target_date",
    "technologies",
    "concepts",
    "evidence",
}
ENTRY_FIELDS = {"title", "body", "date", "visibility", "technologies", "challenges"}
EVIDENCE_FIELDS = {*EVIDENCE_TARGETS, "url", "note"}

ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_HINT = "A date as YYYY-MM-DD, e.g. 2026-06-30."


# --- Input cleaning ---------------------------------------------------------------


def _date(errors: Errors, field: str, value: Any) -> date | None:
    """A calendar date written YYYY-MM-DD; `2026-02-30` or `30/06/2026` are refused."""
    if not isinstance(value, str) or not ISO_DATE_RE.fullmatch(value.strip()):
        errors[field] = [DATE_HINT]
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = [f"No such date: {value.strip()}. {DATE_HINT}"]
        return None


def _progress(errors: Errors, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        errors["progress"] = ["A whole number from 0 to 100 (percent)."]
        return 0
    return int(value)


def _links(
    errors: Errors, data: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, list[Any]]:
    """Technologies and concepts by slug, by the reference guide's rules."""
    wanted = {key: data[key] for key in fields if key in data}
    if not wanted:
        return {}
    try:
        return knowledge_services.resolve_links(wanted)
    except ValidationError as exc:
        errors.update(exc.errors)
        return {}


# --- Evidence -------------------------------------------------------------------------


def _evidence_items(errors: Errors, value: Any) -> list[tuple[str, Any, str]]:
    """The shape of each evidence item: (kind, reference, note)."""
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        errors["evidence"] = [
            "A list of objects, each with one of: " + ", ".join((*EVIDENCE_TARGETS, "url")) + "."
        ]
        return []
    if len(value) > MAX_EVIDENCE:
        errors["evidence"] = [f"At most {MAX_EVIDENCE}."]
        return []
    items: list[tuple[str, Any, str]] = []
    for index, item in enumerate(value):
        field = f"evidence.{index}"
        unknown = sorted(set(item) - EVIDENCE_FIELDS)
        targets = [key for key in (*EVIDENCE_TARGETS, "url") if key in item]
        if unknown:
            errors[field] = [f"Unknown field: {', '.join(unknown)}."]
            continue
        if len(targets) != 1:
            errors[field] = ["Exactly one of: " + ", ".join((*EVIDENCE_TARGETS, "url")) + "."]
            continue
        kind = targets[0]
        note_errors: Errors = {}
        note = clean_text(
            note_errors, field, item.get("note", ""), max_length=NOTE_MAX, min_length=0
        )
        if note_errors:
            errors[field] = [f"note: {note_errors[field][0]}"]
            continue
        reference = item[kind]
        if kind == "guide":
            valid = isinstance(reference, str) and bool(reference.strip())
            reference = reference.strip() if valid else reference
            hint = "A guide slug."
        elif kind == "url":
            valid = _is_web_url(reference)
            hint = f"An http(s) URL of at most {URL_MAX} characters."
        else:
            valid = not isinstance(reference, bool) and isinstance(reference, int) and reference > 0
            hint = f"A {kind} id (a positive integer)."
        if not valid:
            errors[field] = [hint]
            continue
        items.append((kind, reference, note))
    return items


def _is_web_url(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > URL_MAX:
        return False
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        return False
    return True


def _owned_targets(owner: User, items: list[tuple[str, Any, str]]) -> dict[str, dict[Any, Any]]:
    """The evidence targets that exist and are the owner's, one query per kind used."""
    wanted: dict[str, set[Any]] = {kind: set() for kind in EVIDENCE_TARGETS}
    for kind, reference, _note in items:
        if kind in wanted:
            wanted[kind].add(reference)
    found: dict[str, dict[Any, Any]] = {kind: {} for kind in EVIDENCE_TARGETS}
    if wanted["guide"]:
        # Written or co-edited by the learner, and not deleted.
        guides = knowledge_permissions.visible_guides(
            Guide.objects.filter(slug__in=wanted["guide"]), owner
        ).filter(Q(author_id=owner.pk) | Q(co_editors=owner))
        found["guide"] = {guide.slug: guide for guide in guides.distinct()}
    if wanted["challenge"]:
        # Asked by the learner, or solved by them (their solution accepted).
        challenges = challenge_permissions.visible(
            Challenge.objects.filter(pk__in=wanted["challenge"]).filter(
                Q(author_id=owner.pk) | Q(accepted_solution__author_id=owner.pk)
            ),
            owner,
        )
        found["challenge"] = {challenge.pk: challenge for challenge in challenges}
    if wanted["solution"]:
        solutions = challenge_permissions.visible(
            Solution.objects.filter(pk__in=wanted["solution"], author_id=owner.pk), owner
        ).filter(challenge__deleted_at__isnull=True)
        found["solution"] = {solution.pk: solution for solution in solutions}
    if wanted["review"]:
        # Asked for by the learner, or reviewed by them.
        reviews = ReviewRequest.objects.filter(pk__in=wanted["review"]).filter(
            Q(author_id=owner.pk) | Q(claims__reviewer_id=owner.pk) | Q(feedback__reviewer=owner)
        )
        found["review"] = {review.pk: review for review in reviews.distinct()}
    if wanted["mentorship"]:
        mentorships = Mentorship.objects.filter(pk__in=wanted["mentorship"]).filter(
            Q(mentor_id=owner.pk) | Q(mentee_id=owner.pk)
        )
        found["mentorship"] = {mentorship.pk: mentorship for mentorship in mentorships}
    return found


def _evidence(errors: Errors, owner: User, value: Any) -> list[Evidence]:
    """Unsaved evidence rows for `value`; an item pointing at something missing or
    not the owner's is an error on that item (the same error either way, so
    nobody learns what others have)."""
    items = _evidence_items(errors, value)
    if any(key == "evidence" or key.startswith("evidence.") for key in errors):
        return []
    found = _owned_targets(owner, items)
    rows: list[Evidence] = []
    for index, (kind, reference, note) in enumerate(items):
        if kind == "url":
            rows.append(Evidence(kind=kind, url=reference, note=note, position=index))
            continue
        target = found[kind].get(reference)
        if target is None:
            shown = f"'{reference}'" if kind == "guide" else str(reference)
            errors[f"evidence.{index}"] = [f"No {kind} {shown} of yours."]
            continue
        rows.append(Evidence(kind=kind, note=note, position=index, **{kind: target}))
    return rows


# --- Goals ------------------------------------------------------------------------------


def _goal_fields(
    data: Mapping[str, Any], *, owner: User, partial: bool
) -> tuple[dict[str, Any], dict[str, list[Any]], list[Evidence] | None]:
    errors = unknown_fields(data, GOAL_FIELDS)
    scalars: dict[str, Any] = {}
    if "title" in data or not partial:
        scalars["title"] = clean_text(
            errors, "title", data.get("title"), max_length=TITLE_MAX, min_length=TITLE_MIN
        )
    if "description" in data:
        scalars["description"] = clean_text(
            errors,
            "description",
            data["description"] if data["description"] is not None else "",
            max_length=DESCRIPTION_MAX,
            min_length=0,
        )
    if "kind" in data or not partial:
        scalars["kind"] = clean_choice(errors, "kind", data.get("kind"), Goal.Kind.values)
    if "status" in data:
        scalars["status"] = clean_choice(errors, "status", data["status"], Goal.Status.values)
    if "progress" in data:
        scalars["progress"] = _progress(errors, data["progress"])
    if "target_date" in data:
        value = data["target_date"]
        scalars["target_date"] = None if value is None else _date(errors, "target_date", value)
    related = _links(errors, data, ("technologies", "concepts"))
    evidence = _evidence(errors, owner, data["evidence"]) if "evidence" in data else None
    raise_if(errors)
    return scalars, related, evidence


def _apply_status(goal: Goal, scalars: dict[str, Any]) -> None:
    """A done goal is at 100% and remembers when it was done; reopening forgets it.
    Raises ValidationError for a done goal sent with less than 100%."""
    if goal.status == Goal.Status.DONE:
        if scalars.get("progress", 100) != 100:
            raise ValidationError(
                errors={"progress": ["A done goal is at 100: leave progress out or send 100."]}
            )
        goal.progress = 100
        if goal.completed_at is None:
            goal.completed_at = timezone.now()
    else:
        goal.completed_at = None


def _save_links(goal: Goal, related: dict[str, list[Any]], evidence: list[Evidence] | None) -> None:
    for field, objects in related.items():
        getattr(goal, field).set(objects)
    if evidence is not None:
        Evidence.objects.filter(goal=goal).delete()
        for row in evidence:
            row.goal = goal
        Evidence.objects.bulk_create(evidence)


@transaction.atomic
def goal_create(*, actor: User, data: Mapping[str, Any]) -> Goal:
    """Set a goal: `title` and `kind`, optionally `description` (markdown), `status`
    (planned by default), `progress` (0-100), `target_date` (YYYY-MM-DD),
    `technologies` and `concepts` (slugs) and `evidence`. A goal created done is
    at 100%. Raises ValidationError, with nothing written."""
    scalars, related, evidence = _goal_fields(data, owner=actor, partial=False)
    goal = Goal(owner=actor, **scalars)
    goal.description_html = render_markdown(goal.description) if goal.description else ""
    _apply_status(goal, scalars)
    goal.save()
    _save_links(goal, related, evidence)
    return goal


def _own_goal(actor: User, goal_id: int) -> Goal:
    goal = Goal.objects.select_for_update().filter(pk=goal_id, owner_id=actor.pk).first()
    if goal is None:
        raise NotFound(f"No goal {goal_id}.")
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal_id: int, data: Mapping[str, Any]) -> Goal:
    """Change a goal of the actor's; fields left out stay. `technologies`, `concepts`
    and `evidence` replace what was there. Marking it done sets progress to 100.
    Locks the goal. Raises NotFound (someone else's goal too), ValidationError."""
    goal = _own_goal(actor, goal_id)
    scalars, related, evidence = _goal_fields(data, owner=actor, partial=True)
    for field, value in scalars.items():
        setattr(goal, field, value)
    if "description" in scalars:
        goal.description_html = render_markdown(goal.description) if goal.description else ""
    _apply_status(goal, scalars)
    goal.save()
    _save_links(goal, related, evidence)
    return goal


@transaction.atomic
def goal_delete(*, actor: User, goal_id: int) -> None:
    """Remove a goal of the actor's and its evidence (a goal given up is better
    marked `dropped`, which keeps it). Raises NotFound."""
    _own_goal(actor, goal_id).delete()


# --- Journal ----------------------------------------------------------------------------


def _linked_challenges(errors: Errors, author: User, value: Any) -> list[Challenge]:
    """Challenges the author may see, by id: any challenge they learnt from."""
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        errors["challenges"] = ["A list of challenge ids."]
        return []
    ids = list(dict.fromkeys(value))
    if len(ids) > MAX_LINKED_CHALLENGES:
        errors["challenges"] = [f"At most {MAX_LINKED_CHALLENGES}."]
        return []
    visible = challenge_permissions.visible(Challenge.objects.filter(pk__in=ids), author)
    found = {challenge.pk: challenge for challenge in visible}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        errors["challenges"] = [f"Unknown challenges: {', '.join(missing)}."]
    return [found[pk] for pk in ids if pk in found]


def _entry_fields(
    data: Mapping[str, Any], *, author: User, partial: bool
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors = unknown_fields(data, ENTRY_FIELDS)
    scalars: dict[str, Any] = {}
    if "title" in data or not partial:
        scalars["title"] = clean_text(errors, "title", data.get("title"), max_length=TITLE_MAX)
    if "body" in data or not partial:
        scalars["body"] = clean_text(errors, "body", data.get("body"), max_length=BODY_MAX)
    if "visibility" in data:
        scalars["visibility"] = clean_choice(
            errors, "visibility", data["visibility"], JournalEntry.Visibility.values
        )
    if "date" in data:
        day = _date(errors, "date", data["date"])
        latest = timezone.now().date() + timedelta(days=JOURNAL_DAYS_AHEAD)
        if day is not None and day > latest:
            errors["date"] = ["Not in the future: a journal entry is about a day that was."]
        scalars["date"] = day
    related = _links(errors, data, ("technologies",))
    if "challenges" in data:
        related["challenges"] = _linked_challenges(errors, author, data["challenges"])
    raise_if(errors)
    return scalars, related


@transaction.atomic
def journal_entry_create(*, actor: User, data: Mapping[str, Any]) -> JournalEntry:
    """Write a journal entry: `title` and `body` (markdown), optionally `date`
    (YYYY-MM-DD, today by default), `visibility` (private by default, or
    cohort or public), `technologies` (slugs) and `challenges` (ids of challenges
    the author may see). Raises ValidationError, with nothing written."""
    scalars, related = _entry_fields(data, author=actor, partial=False)
    scalars.setdefault("date", timezone.now().date())
    entry = JournalEntry.objects.create(
        author=actor, body_html=render_markdown(scalars["body"]), **scalars
    )
    for field, objects in related.items():
        getattr(entry, field).set(objects)
    return entry


def _own_entry(actor: User, entry_id: int) -> JournalEntry:
    entry = JournalEntry.objects.select_for_update().filter(pk=entry_id, author_id=actor.pk).first()
    if entry is None:
        raise NotFound(f"No journal entry {entry_id}.")
    return entry


@transaction.atomic
def journal_entry_update(*, actor: User, entry_id: int, data: Mapping[str, Any]) -> JournalEntry:
    """Edit an entry of the actor's; fields left out stay, links sent replace the
    old ones. Raises NotFound (someone else's entry too), ValidationError."""
    entry = _own_entry(actor, entry_id)
    scalars, related = _entry_fields(data, author=actor, partial=True)
    for field, value in scalars.items():
        setattr(entry, field, value)
    if "body" in scalars:
        entry.body_html = render_markdown(entry.body)
    entry.save()
    for field, objects in related.items():
        getattr(entry, field).set(objects)
    return entry


@transaction.atomic
def journal_entry_delete(*, actor: User, entry_id: int) -> None:
    """Remove an entry of the actor's for good: a journal is the learner's own to
    keep or throw away. Raises NotFound."""
    _own_entry(actor, entry_id).delete()
