"""GraphQL door of learning journeys: the same services and selectors as REST.

Goal and journal lists are cursor pages of the selectors' querysets, which the
optimizer completes with whatever the query selects. `journey(username)` and
`cohortDashboard(slug)` return what their selectors assembled in a fixed
number of queries; their types only read it. Dates and choices come in as
strings so that a bad one gets the same `validation_error` as over REST.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
import strawberry_django
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from strawberry.types import Info

from nexus.accounts.api.graphql import CohortType, UserType
from nexus.challenges.api.graphql import ChallengeType
from nexus.core.graphql import (
    PAGED,
    After,
    First,
    Page,
    given_filters,
    page,
    request_user,
    sent_fields,
    signed_in,
)
from nexus.core.pagination import PAGE_SIZE
from nexus.journeys import selectors, services
from nexus.journeys.models import Evidence, Goal, JournalEntry
from nexus.journeys.portfolio import render_journey
from nexus.knowledge.api.graphql import ConceptRefType, TechnologyRefType

# --- Goals and journal --------------------------------------------------------------------


@strawberry.type(name="Evidence", description="What shows progress on a goal.")
class EvidenceType:
    kind: str = strawberry.field(
        description="guide, challenge, solution, review, mentorship or url."
    )
    guide: str | None = strawberry.field(description="The guide's slug.")
    challenge: int | None
    solution: int | None
    review: int | None
    mentorship: int | None
    url: str = strawberry.field(description="The outside URL; empty otherwise.")
    note: str
    title: str = strawberry.field(description="What it points at.")
    link: str | None = strawberry.field(description="Where it lives: an absolute URL.")


def _evidence(evidence: Evidence, owner_id: int) -> EvidenceType:
    shown = selectors.evidence_link(evidence, owner_id=owner_id)
    return EvidenceType(
        kind=evidence.kind,
        guide=evidence.guide.slug if evidence.guide is not None else None,
        challenge=evidence.challenge_id,
        solution=evidence.solution_id,
        review=evidence.review_id,
        mentorship=evidence.mentorship_id,
        url=evidence.url,
        note=evidence.note,
        title=shown.title,
        link=shown.url,
    )


@strawberry_django.type(Goal, name="Goal", description="Something a learner sets out to do.")
class GoalType:
    id: int
    title: str
    description: str = strawberry_django.field(description="Markdown, as written.")
    description_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    kind: str = strawberry_django.field(description="learn, build, contribute, deepen or mentor.")
    status: str = strawberry_django.field(description="planned, active, done or dropped.")
    progress: int = strawberry_django.field(description="0 to 100 (percent).")
    target_date: date | None
    completed_at: datetime | None
    technologies: list[TechnologyRefType]
    concepts: list[ConceptRefType]
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(
        only=["owner_id"],
        prefetch_related=[Prefetch("evidence", queryset=selectors.evidence_queryset())],
        description="Its evidence, in the order given.",
    )
    def evidence(self, root: strawberry.Parent[Goal]) -> list[EvidenceType]:
        return [_evidence(item, root.owner_id) for item in root.evidence.all()]


@strawberry_django.type(
    JournalEntry, name="JournalEntry", description="A dated note of what a learner learnt."
)
class JournalEntryType:
    id: int
    date: date = strawberry_django.field(description="The day it is about.")
    title: str
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    visibility: str = strawberry_django.field(description="private, cohort or public.")
    author: UserType
    technologies: list[TechnologyRefType]
    challenges: list[ChallengeType] = strawberry_django.field(
        description="Challenges it links to (those you may see)."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(
        only=["author__username"],
        select_related=["author"],
        description="Its address for those who may read it.",
    )
    def url(self, root: strawberry.Parent[JournalEntry]) -> str:
        return selectors.journal_entry_url(root)


@strawberry.input(description="Exactly one of guide, challenge, solution, review, mentorship, url.")
class EvidenceInput:
    guide: str | None = strawberry.field(
        default=strawberry.UNSET, description="A guide you wrote or co-edit (slug)."
    )
    challenge: int | None = strawberry.field(
        default=strawberry.UNSET, description="A challenge you asked or solved."
    )
    solution: int | None = strawberry.field(
        default=strawberry.UNSET, description="A solution you gave."
    )
    review: int | None = strawberry.field(
        default=strawberry.UNSET, description="A review request you asked for or reviewed."
    )
    mentorship: int | None = strawberry.field(
        default=strawberry.UNSET, description="A mentorship you are in."
    )
    url: str | None = strawberry.field(
        default=strawberry.UNSET, description="An outside http(s) URL."
    )
    note: str | None = strawberry.UNSET


@strawberry.input
class CreateGoalInput:
    title: str = strawberry.field(description="3 to 200 characters.")
    kind: str = strawberry.field(description="learn, build, contribute, deepen or mentor.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Markdown.")
    status: str | None = strawberry.field(
        default=strawberry.UNSET, description="planned (the default), active, done or dropped."
    )
    progress: int | None = strawberry.field(default=strawberry.UNSET, description="0 to 100.")
    target_date: str | None = strawberry.field(default=strawberry.UNSET, description="YYYY-MM-DD.")
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs."
    )
    concepts: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Concept slugs."
    )
    evidence: list[EvidenceInput] | None = strawberry.UNSET


@strawberry.input(description="Fields left out are not changed; lists sent replace.")
class UpdateGoalInput:
    title: str | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: str | None = strawberry.field(
        default=strawberry.UNSET, description="`done` sets progress to 100."
    )
    progress: int | None = strawberry.UNSET
    target_date: str | None = strawberry.field(
        default=strawberry.UNSET, description="YYYY-MM-DD, or null to clear."
    )
    technologies: list[str] | None = strawberry.UNSET
    concepts: list[str] | None = strawberry.UNSET
    evidence: list[EvidenceInput] | None = strawberry.UNSET


@strawberry.input
class CreateJournalEntryInput:
    title: str
    body: str = strawberry.field(description="Markdown.")
    date: str | None = strawberry.field(
        default=strawberry.UNSET, description="YYYY-MM-DD; today by default."
    )
    visibility: str | None = strawberry.field(
        default=strawberry.UNSET, description="private (the default), cohort or public."
    )
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs."
    )
    challenges: list[int] | None = strawberry.field(
        default=strawberry.UNSET, description="Challenge ids."
    )


@strawberry.input(description="Fields left out are not changed; lists sent replace.")
class UpdateJournalEntryInput:
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    date: str | None = strawberry.UNSET
    visibility: str | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.UNSET
    challenges: list[int] | None = strawberry.UNSET


def _goal_data(input: CreateGoalInput | UpdateGoalInput) -> dict[str, Any]:
    data = sent_fields(input)
    if isinstance(data.get("evidence"), list):
        data["evidence"] = [sent_fields(item) for item in data["evidence"]]
    return data


# --- Journey ------------------------------------------------------------------------------


@strawberry.type(name="JourneyLink", description="A line of evidence, with where it lives.")
class LinkType:
    kind: str = strawberry.field(
        description="goal, skill, guide, challenge, solution, journal, review, mentorship or url."
    )
    title: str
    url: str | None = strawberry.field(description="Absolute; null when nowhere to go.")
    note: str


@strawberry.type(name="JourneyTopic", description="A technology or concept learnt.")
class TopicType:
    name: str
    slug: str | None = strawberry.field(description="Null for a skill not in the guide.")
    url: str | None
    category: str = strawberry.field(description="A technology's category; empty for concepts.")
    evidence: list[LinkType]


@strawberry.type(name="JourneyAcceptedSolution")
class AcceptedSolutionType:
    id: int
    author: UserType
    excerpt: str
    url: str


@strawberry.type(name="JourneyChallengeFaced")
class ChallengeFacedType:
    id: int
    title: str
    status: str
    excerpt: str
    url: str
    created_at: datetime
    technologies: list[TechnologyRefType]
    solution: AcceptedSolutionType | None = strawberry.field(description="The accepted one.")


@strawberry.type(name="JourneyChallengeSolved")
class ChallengeSolvedType:
    solution_id: int
    excerpt: str
    url: str
    accepted_at: datetime | None
    challenge_id: int
    challenge_title: str
    challenge_url: str
    challenge_author: UserType


@strawberry.type(name="JourneyTakeaway")
class TakeawayType:
    origin: str = strawberry.field(description="Where it comes from: guide or journal.")
    kind: str = strawberry.field(description="best_practice, takeaway or journal.")
    title: str
    excerpt: str
    url: str
    date: date
    visibility: str = strawberry.field(description="public, cohort, private, or draft.")


@strawberry.type(name="JourneyCollaborator")
class CollaboratorType:
    user: UserType
    group: str = strawberry.field(description="e.g. Backend learners, Mentors.")
    how: list[str]


@strawberry.type(name="JourneyChannel")
class ChannelActivityType:
    slug: str
    name: str
    kind: str
    messages: int = strawberry.field(description="Messages the learner posted there.")
    url: str


@strawberry.type(name="JourneyReviewGiven")
class ReviewGivenType:
    review_id: int
    title: str
    url: str
    author: UserType
    verdict: str
    given_at: datetime


@strawberry.type(name="JourneyReviewReceived")
class ReviewReceivedType:
    review_id: int
    title: str
    url: str
    status: str
    reviewers: list[UserType]
    feedback_count: int


@strawberry.type(name="JourneyMentoring")
class MentoringLinkType:
    mentorship_id: int
    role: str = strawberry.field(description="The learner's role: mentee or mentor.")
    partner: UserType
    status: str
    since: datetime
    url: str


@strawberry.type(name="JourneyCollaboration")
class CollaborationType:
    collaborators: list[CollaboratorType]
    channels: list[ChannelActivityType]
    reviews_given: list[ReviewGivenType]
    reviews_received: list[ReviewReceivedType]
    mentoring: list[MentoringLinkType] = strawberry.field(description="Only those you are in.")


@strawberry.type(name="JourneyNextStep", description="An open goal.")
class NextStepType:
    goal_id: int
    title: str
    kind: str
    status: str
    progress: int
    target_date: date | None
    technologies: list[TechnologyRefType]
    concepts: list[ConceptRefType]
    evidence: list[LinkType]


@strawberry.type(name="JourneyStats")
class JourneyStatsType:
    technologies: int
    concepts: int
    guides: int
    challenges_faced: int
    challenges_solved: int
    journal_entries: int
    goals_done: int
    goals_open: int
    collaborators: int
    channels: int


@strawberry.type(name="Journey", description="A learner's journey, built from their real work.")
class JourneyType:
    learner: UserType
    is_own: bool = strawberry.field(description="You are this learner and see all of it.")
    objective: str
    stats: JourneyStatsType
    technologies: list[TopicType]
    concepts: list[TopicType]
    challenges_faced: list[ChallengeFacedType]
    challenges_solved: list[ChallengeSolvedType]
    takeaways: list[TakeawayType]
    collaboration: CollaborationType
    next_steps: list[NextStepType] = strawberry.field(description="Open goals, soonest first.")
    url: str
    markdown_url: str
    generated_at: datetime

    @strawberry.field(description="The same journey as a portfolio README (markdown).")
    def markdown(self, root: strawberry.Parent[selectors.Journey]) -> str:
        return render_journey(root)


# --- Cohort dashboard ------------------------------------------------------------------


@strawberry.type(name="WeekActivity")
class WeekActivityType:
    week: date = strawberry.field(description="The Monday it starts on.")
    challenges: int
    solutions: int
    guides: int
    messages: int
    reviews: int = strawberry.field(description="Review feedback given.")
    journal_entries: int
    total: int


@strawberry.type(name="LearnerActivity")
class LearnerActivityType:
    user: UserType
    weeks: list[WeekActivityType]
    total: int
    goals_open: int
    goals_done: int
    mentor: UserType | None = strawberry.field(description="Their active mentor, if any.")


@strawberry.type(name="UnansweredChallenge")
class UnansweredChallengeType:
    id: int
    title: str
    author: UserType
    created_at: datetime


@strawberry.type(name="ReviewTurnaround", description="From a claim to its first feedback.")
class ReviewTurnaroundType:
    claims: int
    answered: int
    waiting: int
    median_hours: float | None
    average_hours: float | None
    longest_waiting_hours: float | None


@strawberry.type(name="MentorLoad")
class MentorLoadType:
    mentor: UserType
    active: int
    requested: int
    capacity: int | None
    mentees: list[UserType]


@strawberry.type(name="CohortDashboard")
class CohortDashboardType:
    cohort: CohortType
    weeks: list[date]
    since: datetime
    learners: list[LearnerActivityType]
    unanswered_count: int
    unanswered: list[UnansweredChallengeType] = strawberry.field(description="Oldest first.")
    review_turnaround: ReviewTurnaroundType
    mentoring: list[MentorLoadType]


# --- Queries ----------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(
        description=f"My goals, newest first. `open: true` keeps planned and active ones. {PAGED}"
    )
    def my_goals(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        kind: str | None = None,
        open: bool | None = None,
        technology: str | None = None,
        concept: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[GoalType]:
        filters = given_filters(
            status=status, kind=kind, open=open, technology=technology, concept=concept
        )
        goals = selectors.goal_list(viewer=signed_in(info), filters=filters)
        return page(goals, ordering=("-created_at",), first=first, after=after)

    @strawberry.field(description="One of my goals.")
    def goal(self, info: Info[Any, Any], id: int) -> GoalType:
        return selectors.goal_get(viewer=signed_in(info), goal_id=id)  # type: ignore[return-value]

    @strawberry.field(
        description=f"My journal, newest day first; `since` and `until` are YYYY-MM-DD. {PAGED}"
    )
    def my_journal(
        self,
        info: Info[Any, Any],
        visibility: str | None = None,
        technology: str | None = None,
        challenge: int | None = None,
        since: str | None = None,
        until: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[JournalEntryType]:
        filters = given_filters(
            visibility=visibility,
            technology=technology,
            challenge=challenge,
            since=since,
            until=until,
        )
        entries = selectors.journal_entry_list(viewer=signed_in(info), filters=filters)
        return page(entries, ordering=("-date", "-id"), first=first, after=after)

    @strawberry.field(
        description="A learner's journal as you may read it: public entries, cohort entries "
        f"if you share the cohort, all of it if it is yours. {PAGED}"
    )
    def journal(
        self,
        info: Info[Any, Any],
        username: str,
        visibility: str | None = None,
        technology: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[JournalEntryType]:
        entries = selectors.user_journal_list(
            viewer=request_user(info),
            username=username,
            filters=given_filters(visibility=visibility, technology=technology),
        )
        return page(entries, ordering=("-date", "-id"), first=first, after=after)

    @strawberry.field(description="A journal entry, if you may read it (else `not_found`).")
    def journal_entry(self, info: Info[Any, Any], username: str, id: int) -> JournalEntryType:
        entry = selectors.user_journal_entry_get(
            viewer=request_user(info), username=username, entry_id=id
        )
        return entry  # type: ignore[return-value]

    @strawberry.field(
        description="A learner's journey: others see what is public, the learner all of it. "
        "`public: true` shows it as someone signed out would."
    )
    def journey(self, info: Info[Any, Any], username: str, public: bool = False) -> JourneyType:
        viewer = AnonymousUser() if public else request_user(info)
        return selectors.journey_get(viewer=viewer, username=username)  # type: ignore[return-value]

    @strawberry.field(
        description="A cohort's dashboard, for mentors and staff (`permission_denied` for "
        "learners). `weeks` is 1 to 26, 8 by default."
    )
    def cohort_dashboard(
        self, info: Info[Any, Any], slug: str, weeks: int | None = None
    ) -> CohortDashboardType:
        dashboard = selectors.cohort_dashboard(viewer=signed_in(info), slug=slug, weeks=weeks)
        return dashboard  # type: ignore[return-value]


# --- Mutations --------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Set a goal. Evidence points at your own work in Nexus or an outside URL."
    )
    def create_goal(self, info: Info[Any, Any], input: CreateGoalInput) -> GoalType:
        user = signed_in(info)
        goal = services.goal_create(actor=user, data=_goal_data(input))
        return selectors.goal_get(viewer=user, goal_id=goal.pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Update one of my goals; `done` sets progress to 100.")
    def update_goal(self, info: Info[Any, Any], id: int, input: UpdateGoalInput) -> GoalType:
        user = signed_in(info)
        services.goal_update(actor=user, goal_id=id, data=_goal_data(input))
        return selectors.goal_get(viewer=user, goal_id=id)  # type: ignore[return-value]

    @strawberry.mutation(description="Remove one of my goals.")
    def delete_goal(self, info: Info[Any, Any], id: int) -> bool:
        services.goal_delete(actor=signed_in(info), goal_id=id)
        return True

    @strawberry.mutation(description="Write a journal entry (private unless you say otherwise).")
    def create_journal_entry(
        self, info: Info[Any, Any], input: CreateJournalEntryInput
    ) -> JournalEntryType:
        user = signed_in(info)
        entry = services.journal_entry_create(actor=user, data=sent_fields(input))
        return selectors.journal_entry_get(viewer=user, entry_id=entry.pk)  # type: ignore[return-value]

    @strawberry.mutation(description="Edit one of my journal entries.")
    def update_journal_entry(
        self, info: Info[Any, Any], id: int, input: UpdateJournalEntryInput
    ) -> JournalEntryType:
        user = signed_in(info)
        services.journal_entry_update(actor=user, entry_id=id, data=sent_fields(input))
        return selectors.journal_entry_get(viewer=user, entry_id=id)  # type: ignore[return-value]

    @strawberry.mutation(description="Remove one of my journal entries.")
    def delete_journal_entry(self, info: Info[Any, Any], id: int) -> bool:
        services.journal_entry_delete(actor=signed_in(info), entry_id=id)
        return True
