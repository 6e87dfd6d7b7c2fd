"""Posting, editing and deleting challenges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import Challenge, ChallengeRevision
from nexus.challenges.services.common import BODY_MAX, clean_id, follow, locked_challenge
from nexus.core.cache import invalidates
from nexus.core.errors import Conflict, PermissionDenied, ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.permissions import is_staff
from nexus.core.validation import clean_text, raise_if, unknown_fields
from nexus.knowledge import services as knowledge_services
from nexus.notifications import events
from nexus.search.indexing import index_on_commit

TITLE_MIN, TITLE_MAX = 10, 200
MESSAGE_MAX = 200

CHALLENGE_FIELDS = {"title", "body", "technologies", "concepts", "tags", "message", "base_revision"}


def _challenge_fields(
    data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors = unknown_fields(data, CHALLENGE_FIELDS)
    scalars: dict[str, Any] = {}
    if "title" in data or not partial:
        scalars["title"] = clean_text(
            errors, "title", data.get("title"), max_length=TITLE_MAX, min_length=TITLE_MIN
        )
    if "body" in data or not partial:
        scalars["body"] = clean_text(errors, "body", data.get("body"), max_length=BODY_MAX)
    if data.get("message") is not None:
        scalars["message"] = clean_text(
            errors, "message", data["message"], max_length=MESSAGE_MAX, min_length=0
        )
    # Technologies, concepts and tags are resolved by the reference guide's rules.
    related: dict[str, list[Any]] = {}
    links = {key: data[key] for key in ("technologies", "concepts", "tags") if key in data}
    if links:
        try:
            related = knowledge_services.resolve_links(links)
        except ValidationError as exc:
            errors.update(exc.errors)
    raise_if(errors)
    return scalars, related


def _write_revision(challenge: Challenge, *, editor: User, message: str) -> None:
    revision = ChallengeRevision.objects.create(
        challenge=challenge,
        number=challenge.revision_count + 1,
        title=challenge.title,
        body=challenge.body,
        message=message,
        editor=editor,
    )
    challenge.current_revision = revision
    challenge.revision_count = revision.number


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_create(*, actor: User, data: Mapping[str, Any]) -> Challenge:
    """Post a challenge; its author follows it. Raises ValidationError."""
    if "base_revision" in data:
        raise ValidationError(errors={"base_revision": ["Only edits send a base revision."]})
    scalars, related = _challenge_fields(data, partial=False)
    message = scalars.pop("message", "") or "First version"
    now = timezone.now()
    challenge = Challenge.objects.create(
        author=actor,
        title=scalars["title"],
        body=scalars["body"],
        body_html=render_markdown(scalars["body"]),
        last_activity_at=now,
    )
    for field, objects in related.items():
        getattr(challenge, field).set(objects)
    _write_revision(challenge, editor=actor, message=message)
    challenge.save(update_fields=["current_revision", "revision_count"])
    follow(actor, challenge)
    events.record("challenge.created", challenge_id=challenge.pk, actor_id=actor.pk)
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_update(*, actor: User, challenge_id: int, data: Mapping[str, Any]) -> Challenge:
    """Edit a challenge (author or staff). A new title or body writes a revision and
    needs `base_revision`; a stale one raises Conflict with the current revision.
    Raises NotFound, PermissionDenied, ValidationError, Conflict."""
    challenge = locked_challenge(challenge_id)
    permissions.check_can_view(actor, challenge, "challenge")
    permissions.check_is_author_or_staff(actor, challenge, "edit a challenge")
    scalars, related = _challenge_fields(data, partial=True)
    message = scalars.pop("message", "")
    changes_content = any(
        field in scalars and scalars[field] != getattr(challenge, field)
        for field in ("title", "body")
    )
    base = data.get("base_revision")
    if changes_content and base is None:
        raise ValidationError(
            "Send `base_revision`, the id of the revision your edit started from.",
            errors={"base_revision": ["Required when the title or body changes."]},
        )
    if base is not None and clean_id(base, "base_revision") != challenge.current_revision_id:
        current = challenge.current_revision
        raise Conflict(
            "This challenge was edited since your base revision; merge your changes "
            "into the current revision and send its id.",
            extra={
                "current_revision": current
                and {
                    "id": current.pk,
                    "number": current.number,
                    "title": current.title,
                    "body": current.body,
                }
            },
        )
    if changes_content:
        challenge.title = scalars.get("title", challenge.title)
        challenge.body = scalars.get("body", challenge.body)
        challenge.body_html = render_markdown(challenge.body)
        _write_revision(challenge, editor=actor, message=message)
    challenge.last_activity_at = timezone.now()
    challenge.save()
    for field, objects in related.items():
        getattr(challenge, field).set(objects)
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_delete(*, actor: User, challenge_id: int) -> None:
    """Soft-delete a challenge. Its author may while nobody has answered; staff always."""
    challenge = locked_challenge(challenge_id)
    permissions.check_can_view(actor, challenge, "challenge")
    permissions.check_is_author_or_staff(actor, challenge, "delete a challenge")
    if challenge.solution_count and not is_staff(actor):
        raise PermissionDenied("A challenge with solutions stays; ask staff to close it.")
    challenge.deleted_at = timezone.now()
    challenge.save(update_fields=["deleted_at", "updated_at"])
    index_on_commit("challenge", challenge.pk)
