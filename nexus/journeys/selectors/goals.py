"""Reads of goals and their evidence, each item shown only to who may see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from nexus.accounts.models import User
from nexus.challenges import permissions as challenge_permissions
from nexus.core.errors import NotFound
from nexus.core.filters import apply_filters
from nexus.journeys import permissions
from nexus.journeys.filters import GoalFilter
from nexus.journeys.models import Evidence, Goal
from nexus.journeys.selectors.refs import nexus_url, ref_prefetches
from nexus.knowledge.models import Guide

# --- Goals ------------------------------------------------------------------------------


def evidence_queryset() -> QuerySet[Evidence]:
    return Evidence.objects.select_related(
        "guide",
        "challenge",
        "solution__challenge",
        "review",
        "mentorship__mentor__profile",
        "mentorship__mentee__profile",
    )


def goal_queryset() -> QuerySet[Goal]:
    """Goals with their technologies, concepts and evidence (targets joined)."""
    refs = ref_prefetches()
    return Goal.objects.prefetch_related(
        refs["technologies"],
        refs["concepts"],
        Prefetch("evidence", queryset=evidence_queryset()),
    )


def goal_list(*, viewer: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Goal]:
    """The viewer's own goals, filtered by status, kind, `open`, technology and concept.
    Raises ValidationError."""
    return apply_filters(GoalFilter, goal_queryset().filter(owner_id=viewer.pk), filters)


def goal_get(*, viewer: User, goal_id: int) -> Goal:
    """One of the viewer's goals. Raises NotFound, for someone else's goal too."""
    goal = goal_queryset().filter(owner_id=viewer.pk, pk=goal_id).first()
    if goal is None:
        raise NotFound(f"No goal {goal_id}.")
    return goal


@dataclass(frozen=True)
class Link:
    """A line of evidence: what it is, its title and where it lives in Nexus (or outside)."""

    kind: str
    title: str
    url: str | None
    note: str = ""


def evidence_link(evidence: Evidence, *, owner_id: int) -> Link:
    """What an evidence row shows: its target's title and absolute URL."""
    note = evidence.note
    if evidence.guide is not None:
        guide = evidence.guide
        return Link("guide", guide.title, nexus_url("guide-detail", slug=guide.slug), note)
    if evidence.challenge is not None:
        challenge = evidence.challenge
        url = nexus_url("challenge-detail", challenge_id=challenge.pk)
        return Link("challenge", challenge.title, url, note)
    if evidence.solution is not None:
        solution = evidence.solution
        title = f"Solution to “{solution.challenge.title}”"
        return Link("solution", title, nexus_url("solution-detail", solution_id=solution.pk), note)
    if evidence.review is not None:
        review = evidence.review
        return Link("review", review.title, nexus_url("review-detail", request_id=review.pk), note)
    if evidence.mentorship is not None:
        mentorship = evidence.mentorship
        if mentorship.mentee_id == owner_id:
            title = f"Mentored by {mentorship.mentor.display_name}"
        else:
            title = f"Mentoring {mentorship.mentee.display_name}"
        url = nexus_url("mentorship-detail", mentorship_id=mentorship.pk)
        return Link("mentorship", title, url, note)
    return Link("url", note or evidence.url, evidence.url, note)


def _can_see_evidence(viewer: Any, evidence: Evidence, owner_id: int) -> bool:
    """Evidence of a goal as another person may see it: nothing they could not open."""
    if permissions.viewer_id(viewer) == owner_id:
        return True
    if evidence.guide is not None:
        guide = evidence.guide
        return guide.status == Guide.Status.PUBLISHED and guide.deleted_at is None
    if evidence.challenge is not None:
        return challenge_permissions.can_view(viewer, evidence.challenge)
    if evidence.solution is not None:
        return challenge_permissions.can_view(
            viewer, evidence.solution
        ) and challenge_permissions.can_view(viewer, evidence.solution.challenge)
    if evidence.mentorship is not None:
        return permissions.viewer_id(viewer) in (
            evidence.mentorship.mentor_id,
            evidence.mentorship.mentee_id,
        )
    return True


def goal_evidence_links(viewer: Any, goal: Goal) -> list[Link]:
    """The goal's evidence the viewer may see, in order."""
    return [
        evidence_link(evidence, owner_id=goal.owner_id)
        for evidence in goal.evidence.all()
        if _can_see_evidence(viewer, evidence, goal.owner_id)
    ]
