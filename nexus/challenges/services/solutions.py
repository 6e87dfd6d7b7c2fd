"""Answering challenges, and accepting, editing, deleting and promoting answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from nexus.accounts import services as account_services
from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import Challenge, ReputationEvent, Solution
from nexus.challenges.services.common import (
    BODY_MAX,
    follow,
    locked_challenge,
    touch,
    visible_challenge,
    visible_solution,
)
from nexus.challenges.services.reputation import (
    POINTS_ACCEPTED_A_SOLUTION,
    POINTS_SOLUTION_ACCEPTED,
)
from nexus.core.cache import invalidates
from nexus.core.errors import ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.validation import clean_text, raise_if, unknown_fields
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Guide
from nexus.notifications import events
from nexus.search.indexing import index_on_commit


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_create(*, actor: User, challenge_id: int, data: Mapping[str, Any]) -> Solution:
    """Answer a challenge; the answerer follows it.

    Locks the challenge. Not on hidden, closed or duplicate challenges. Counts the
    solution on the challenge and records `solution.created` in the outbox.
    Raises NotFound, ValidationError.
    """
    challenge = visible_challenge(actor, challenge_id, lock=True)
    if challenge.is_hidden:
        raise ValidationError(
            "This challenge is hidden by staff.", errors={"challenge": ["Hidden."]}
        )
    permissions.check_accepts_answers(challenge)
    errors = unknown_fields(data, {"body"})
    body = clean_text(errors, "body", data.get("body"), max_length=BODY_MAX)
    raise_if(errors)
    solution = Solution.objects.create(
        challenge=challenge, author=actor, body=body, body_html=render_markdown(body)
    )
    touch(challenge, solution_count=1)
    follow(actor, challenge)
    events.record(
        "solution.created", solution_id=solution.pk, challenge_id=challenge.pk, actor_id=actor.pk
    )
    index_on_commit("solution", solution.pk)
    return solution


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_update(*, actor: User, solution_id: int, data: Mapping[str, Any]) -> Solution:
    """Edit a solution's body (author or staff)."""
    solution = visible_solution(actor, solution_id, lock=True)
    permissions.check_is_author_or_staff(actor, solution, "edit a solution")
    errors = unknown_fields(data, {"body"})
    body = clean_text(errors, "body", data.get("body"), max_length=BODY_MAX)
    raise_if(errors)
    solution.body = body
    solution.body_html = render_markdown(body)
    solution.save(update_fields=["body", "body_html", "updated_at"])
    touch(solution.challenge)
    index_on_commit("solution", solution.pk)
    return solution


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_delete(*, actor: User, solution_id: int) -> None:
    """Soft-delete a solution (author or staff); an accepted one is un-accepted first."""
    solution = visible_solution(actor, solution_id)
    permissions.check_is_author_or_staff(actor, solution, "delete a solution")
    challenge = locked_challenge(solution.challenge_id)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.is_accepted:
        unaccept(challenge, solution)
    solution.deleted_at = timezone.now()
    solution.save(update_fields=["deleted_at", "updated_at"])
    if not solution.is_hidden:
        touch(challenge, solution_count=-1)
    index_on_commit("challenge", challenge.pk)


def _accept_events(challenge: Challenge, solution: Solution, acceptor: User) -> None:
    """The acceptance's points: to the answerer, and to the asker for accepting,
    unless they answered their own challenge."""
    if solution.author_id == challenge.author_id:
        return
    now = timezone.now()
    for user_id, reason, points in (
        (solution.author_id, ReputationEvent.Reason.SOLUTION_ACCEPTED, POINTS_SOLUTION_ACCEPTED),
        (
            challenge.author_id,
            ReputationEvent.Reason.ACCEPTED_A_SOLUTION,
            POINTS_ACCEPTED_A_SOLUTION,
        ),
    ):
        ReputationEvent.objects.create(
            user_id=user_id,
            reason=reason,
            points=points,
            challenge=challenge,
            solution=solution,
            created_at=now,
        )
        account_services.reputation_adjust(user_id=user_id, delta=points)


def unaccept(challenge: Challenge, solution: Solution) -> None:
    ledger = ReputationEvent.objects.filter(
        solution=solution,
        reason__in=[
            ReputationEvent.Reason.SOLUTION_ACCEPTED,
            ReputationEvent.Reason.ACCEPTED_A_SOLUTION,
        ],
    )
    for event in ledger:
        account_services.reputation_adjust(user_id=event.user_id, delta=-event.points)
    ledger.delete()
    Solution.objects.filter(pk=solution.pk).update(is_accepted=False, accepted_at=None)
    solution.is_accepted = False
    challenge.accepted_solution = None
    if challenge.status == Challenge.Status.SOLVED:
        challenge.status = Challenge.Status.OPEN
    challenge.save(update_fields=["accepted_solution", "status", "updated_at"])


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_accept(*, actor: User, solution_id: int) -> Solution:
    """Mark a solution accepted and its challenge solved.

    Locks the challenge. Moves the mark if another solution held it. The
    challenge's author or staff only; not on closed or duplicate challenges,
    nor for hidden solutions. Raises NotFound, PermissionDenied, ValidationError.
    """
    solution = visible_solution(actor, solution_id)
    challenge = locked_challenge(solution.challenge_id)
    permissions.check_can_accept(actor, challenge)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.is_hidden or solution.deleted_at is not None:
        raise ValidationError(
            "A hidden solution cannot be accepted.", errors={"solution": ["Hidden."]}
        )
    if solution.is_accepted:
        return solution
    if challenge.accepted_solution_id:
        previous = Solution.objects.select_for_update().get(pk=challenge.accepted_solution_id)
        unaccept(challenge, previous)
    now = timezone.now()
    solution.is_accepted = True
    solution.accepted_at = now
    solution.save(update_fields=["is_accepted", "accepted_at", "updated_at"])
    challenge.accepted_solution = solution
    challenge.status = Challenge.Status.SOLVED
    challenge.last_activity_at = now
    challenge.save(update_fields=["accepted_solution", "status", "last_activity_at", "updated_at"])
    _accept_events(challenge, solution, actor)
    events.record(
        "solution.accepted", solution_id=solution.pk, challenge_id=challenge.pk, actor_id=actor.pk
    )
    index_on_commit("challenge", challenge.pk)
    return solution


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_unaccept(*, actor: User, solution_id: int) -> Solution:
    """Withdraw acceptance: the challenge is open again. Same rules as accepting."""
    solution = visible_solution(actor, solution_id)
    challenge = locked_challenge(solution.challenge_id)
    permissions.check_can_accept(actor, challenge)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if not solution.is_accepted:
        raise ValidationError(
            "This solution is not accepted.", errors={"solution": ["Not accepted."]}
        )
    unaccept(challenge, solution)
    index_on_commit("challenge", challenge.pk)
    return solution


@invalidates("challenges", "guides", "reference", "leaderboard")
@transaction.atomic
def solution_promote_to_guide(*, actor: User, solution_id: int) -> Guide:
    """Turn an accepted solution into a published takeaway guide, linked both ways.

    The solution's author or staff. The guide is the solution author's, with
    the challenge and the solution as its sections and the challenge's links.
    Raises NotFound, PermissionDenied, ValidationError.
    """
    solution = visible_solution(actor, solution_id, lock=True)
    permissions.check_is_author_or_staff(actor, solution, "promote a solution")
    if not solution.is_accepted:
        raise ValidationError(
            "Only an accepted solution becomes a guide.", errors={"solution": ["Not accepted."]}
        )
    if solution.promoted_guide_id:
        raise ValidationError(
            "This solution is already a guide.",
            errors={"solution": ["Already promoted."]},
            extra={"guide": Guide.objects.get(pk=solution.promoted_guide_id).slug},
        )
    challenge = Challenge.objects.prefetch_related("technologies", "concepts", "tags").get(
        pk=solution.challenge_id
    )
    body = (
        f"## Challenge\n\n{challenge.body}\n\n## Solution\n\n{solution.body}\n\n"
        f"*From challenge [#{challenge.pk}](/api/v1/challenges/{challenge.pk}/), "
        f"solved by @{solution.author.username}.*\n"
    )
    guide = knowledge_services.guide_create(
        actor=solution.author,
        data={
            "title": challenge.title,
            "body": body,
            "kind": Guide.Kind.TAKEAWAY,
            "status": Guide.Status.PUBLISHED,
            "technologies": [t.slug for t in challenge.technologies.all()],
            "concepts": [c.slug for c in challenge.concepts.all()],
            "tags": [t.name for t in challenge.tags.all()],
            "message": f"Promoted from challenge {challenge.pk} by {actor.username}",
        },
    )
    solution.promoted_guide = guide
    solution.save(update_fields=["promoted_guide", "updated_at"])
    return guide
