"""Writes of mentoring: mentors say what they offer and how many mentees they
take at once; learners ask; mentors accept or decline; either side ends it.

A mentor's `active_count` counts their active mentorships. It changes only
under a lock on the MentorProfile row, and the database refuses a count above
`capacity`, so concurrent accepts never take a mentor over capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from nexus.accounts.models import User
from nexus.collaboration.models import MentorProfile, Mentorship, MentorshipNote
from nexus.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from nexus.core.markdown import plain_text, render_markdown
from nexus.core.permissions import is_mentor_or_staff
from nexus.core.validation import Errors, clean_text, raise_if, unknown_fields
from nexus.knowledge import services as knowledge_services
from nexus.notifications import events

CAPACITY_MIN, CAPACITY_MAX = 0, 20
CAPACITY_DEFAULT = 3
ABOUT_MAX = 2_000
GOALS_MAX = 5_000
NOTE_MAX = 10_000

PROFILE_FIELDS = {"technologies", "concepts", "capacity", "is_accepting", "about"}
REQUEST_FIELDS = {"mentor", "goals"}
OPEN_STATUSES = (Mentorship.Status.REQUESTED, Mentorship.Status.ACTIVE)


# --- Mentor profiles ----------------------------------------------------------------


@transaction.atomic
def mentor_profile_update(
    *, actor: User, data: Mapping[str, Any], partial: bool = True
) -> MentorProfile:
    """Create or edit the actor's mentor profile (mentors and staff).

    `partial=False` (PUT) resets the fields left out to their defaults. The
    capacity (0-20) may not go below the mentor's active mentorships. Locks
    the profile row. Raises PermissionDenied, ValidationError.
    """
    if not is_mentor_or_staff(actor):
        raise PermissionDenied("Only mentors and staff offer mentoring.")
    profile, _created = MentorProfile.objects.get_or_create(user=actor)
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    defaults: dict[str, Any] = {
        "technologies": [],
        "concepts": [],
        "capacity": CAPACITY_DEFAULT,
        "is_accepting": True,
        "about": "",
    }
    given = dict(data) if partial else {**defaults, **data}
    errors: Errors = unknown_fields(given, PROFILE_FIELDS)
    if "capacity" in given:
        capacity = given["capacity"]
        in_range = isinstance(capacity, int) and CAPACITY_MIN <= capacity <= CAPACITY_MAX
        if isinstance(capacity, bool) or not in_range:
            errors["capacity"] = [f"A whole number from {CAPACITY_MIN} to {CAPACITY_MAX}."]
        elif capacity < profile.active_count:
            errors["capacity"] = [
                f"You mentor {profile.active_count} people now; end a mentorship before "
                f"going below that."
            ]
        else:
            profile.capacity = capacity
    if "is_accepting" in given:
        if not isinstance(given["is_accepting"], bool):
            errors["is_accepting"] = ["true or false."]
        else:
            profile.is_accepting = given["is_accepting"]
    if "about" in given:
        profile.about = clean_text(
            errors, "about", given["about"], max_length=ABOUT_MAX, min_length=0
        )
    links = {key: given[key] for key in ("technologies", "concepts") if key in given}
    related: dict[str, list[Any]] = {}
    if links:
        try:
            related = knowledge_services.resolve_links(links)
        except ValidationError as exc:
            errors.update(exc.errors)
    raise_if(errors)
    profile.save()
    for field, objects in related.items():
        getattr(profile, field).set(objects)
    return profile


# --- Mentorships --------------------------------------------------------------------


def _url(mentorship: Mentorship) -> str:
    return f"/api/v1/mentorships/{mentorship.pk}/"


def _locked_mentorship(actor: User, mentorship_id: int) -> Mentorship:
    """The mentorship, locked; NotFound unless the actor is its mentor or mentee."""
    mentorship = Mentorship.objects.select_for_update().filter(pk=mentorship_id).first()
    if mentorship is None or actor.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        raise NotFound(f"No mentorship {mentorship_id}.")
    return mentorship


def _check_is_mentor(actor: User, mentorship: Mentorship, verb: str) -> None:
    if mentorship.mentor_id != actor.pk:
        raise PermissionDenied(f"Only the mentor {verb} a mentorship request.")


def _check_requested(mentorship: Mentorship) -> None:
    if mentorship.status != Mentorship.Status.REQUESTED:
        raise Conflict(f"This mentorship request was already answered: it is {mentorship.status}.")


@transaction.atomic
def mentorship_request(*, actor: User, data: Mapping[str, Any]) -> Mentorship:
    """Ask a mentor (by username) for mentoring, with goals. Any signed-in user may
    ask a mentor who has a mentor profile and accepts mentees; not themselves, and
    not again while a request or mentorship with that mentor is open.

    Records `mentorship.requested` for the mentor. Raises ValidationError, Conflict.
    """
    errors: Errors = unknown_fields(data, REQUEST_FIELDS)
    username = clean_text(errors, "mentor", data.get("mentor"), max_length=150)
    goals = clean_text(errors, "goals", data.get("goals"), max_length=GOALS_MAX)
    mentor = None
    if "mentor" not in errors:
        mentor = (
            User.objects.select_related("profile", "mentor_profile")
            .filter(username__iexact=username, is_active=True)
            .first()
        )
        profile = getattr(mentor, "mentor_profile", None) if mentor is not None else None
        if mentor is None:
            errors["mentor"] = [f"No user {username}."]
        elif mentor.pk == actor.pk:
            errors["mentor"] = ["You cannot mentor yourself."]
        elif profile is None or not is_mentor_or_staff(mentor):
            errors["mentor"] = [f"{mentor.username} is not a mentor."]
        elif not profile.is_accepting:
            errors["mentor"] = [f"{mentor.username} is not taking new mentees now."]
    raise_if(errors)
    assert mentor is not None
    if Mentorship.objects.filter(mentor=mentor, mentee=actor, status__in=OPEN_STATUSES).exists():
        raise Conflict(f"You already have an open request or mentorship with {mentor.username}.")
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(mentor=mentor, mentee=actor, goals=goals)
    except IntegrityError as exc:  # the same request sent twice at once
        raise Conflict(
            f"You already have an open request or mentorship with {mentor.username}."
        ) from exc
    events.record(
        "mentorship.requested",
        user_ids=[mentor.pk],
        title=f"{actor.username} asks you to mentor them",
        url=_url(mentorship),
        target_type="mentorship",
        target_id=mentorship.pk,
        actor_id=actor.pk,
        excerpt=plain_text(goals, 200),
    )
    return mentorship


def _answered(mentorship: Mentorship, actor: User, verb: str) -> None:
    events.record(
        "mentorship.answered",
        user_ids=[mentorship.mentee_id],
        title=f"{actor.username} {verb} your mentorship request",
        url=_url(mentorship),
        target_type="mentorship",
        target_id=mentorship.pk,
        actor_id=actor.pk,
    )


@transaction.atomic
def mentorship_accept(*, actor: User, mentorship_id: int) -> Mentorship:
    """The mentor accepts a request: it becomes active and counts against capacity.

    Locks the mentorship, then the mentor's profile; a mentor at capacity gets
    Conflict. Records `mentorship.answered` for the mentee. Raises NotFound,
    PermissionDenied, Conflict.
    """
    mentorship = _locked_mentorship(actor, mentorship_id)
    _check_is_mentor(actor, mentorship, "accepts")
    _check_requested(mentorship)
    profile = MentorProfile.objects.select_for_update().filter(user_id=actor.pk).first()
    if profile is None:
        raise Conflict("Set up your mentor profile before accepting mentees.")
    if profile.active_count >= profile.capacity:
        raise Conflict(
            f"You are at capacity: {profile.active_count} active of {profile.capacity}. "
            "End a mentorship or raise your capacity before accepting another."
        )
    profile.active_count += 1
    profile.save(update_fields=["active_count", "updated_at"])
    mentorship.status = Mentorship.Status.ACTIVE
    mentorship.accepted_at = timezone.now()
    mentorship.save(update_fields=["status", "accepted_at", "updated_at"])
    _answered(mentorship, actor, "accepted")
    return mentorship


@transaction.atomic
def mentorship_decline(*, actor: User, mentorship_id: int) -> Mentorship:
    """The mentor declines a request. Records `mentorship.answered` for the mentee.
    Raises NotFound, PermissionDenied, Conflict."""
    mentorship = _locked_mentorship(actor, mentorship_id)
    _check_is_mentor(actor, mentorship, "declines")
    _check_requested(mentorship)
    mentorship.status = Mentorship.Status.DECLINED
    mentorship.save(update_fields=["status", "updated_at"])
    _answered(mentorship, actor, "declined")
    return mentorship


@transaction.atomic
def mentorship_end(*, actor: User, mentorship_id: int) -> Mentorship:
    """Either side ends an active mentorship, freeing a place with the mentor; a
    mentee may also withdraw a request not yet answered.

    Locks the mentorship, then the mentor's profile. Raises NotFound, Conflict
    (declined or already ended).
    """
    mentorship = _locked_mentorship(actor, mentorship_id)
    if mentorship.status not in OPEN_STATUSES:
        raise Conflict(f"This mentorship is {mentorship.status}; there is nothing to end.")
    if mentorship.status == Mentorship.Status.REQUESTED and actor.pk != mentorship.mentee_id:
        raise PermissionDenied("Accept or decline the request; only the mentee withdraws it.")
    if mentorship.status == Mentorship.Status.ACTIVE:
        profile = MentorProfile.objects.select_for_update().filter(user_id=mentorship.mentor_id)
        locked = profile.first()
        if locked is not None and locked.active_count > 0:
            locked.active_count -= 1
            locked.save(update_fields=["active_count", "updated_at"])
    mentorship.status = Mentorship.Status.ENDED
    mentorship.ended_at = timezone.now()
    mentorship.save(update_fields=["status", "ended_at", "updated_at"])
    return mentorship


@transaction.atomic
def mentorship_note_create(
    *, actor: User, mentorship_id: int, data: Mapping[str, Any]
) -> MentorshipNote:
    """Either side writes a note (markdown) on a requested or active mentorship.
    Raises NotFound, ValidationError."""
    mentorship = _locked_mentorship(actor, mentorship_id)
    if mentorship.status not in OPEN_STATUSES:
        raise ValidationError(
            f"This mentorship is {mentorship.status}; its notes are read-only.",
            errors={"status": [f"The mentorship is {mentorship.status}."]},
        )
    errors: Errors = unknown_fields(data, {"body"})
    body = clean_text(errors, "body", data.get("body"), max_length=NOTE_MAX)
    raise_if(errors)
    return MentorshipNote.objects.create(
        mentorship=mentorship, author=actor, body=body, body_html=render_markdown(body)
    )
