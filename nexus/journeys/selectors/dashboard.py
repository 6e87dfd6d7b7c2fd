"""The cohort dashboard: weekly activity, review turnaround and mentor load, for staff
and mentors of the cohort."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from nexus.accounts import selectors as account_selectors
from nexus.accounts.models import Cohort, User
from nexus.challenges import selectors as challenge_selectors
from nexus.challenges.models import Challenge
from nexus.collaboration.models import (
    Mentorship,
)
from nexus.collaboration.selectors import channels as channel_selectors
from nexus.collaboration.selectors import mentoring as mentoring_selectors
from nexus.collaboration.selectors import reviews as review_selectors
from nexus.core.errors import ValidationError
from nexus.journeys import permissions
from nexus.journeys.models import Goal, JournalEntry
from nexus.knowledge import selectors as knowledge_selectors

DASHBOARD_WEEKS_DEFAULT, DASHBOARD_WEEKS_MAX = 8, 26
UNANSWERED_SHOWN = 50


# --- The cohort dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class WeekActivity:
    week: date  # the Monday it starts on
    challenges: int = 0
    solutions: int = 0
    guides: int = 0
    messages: int = 0
    reviews: int = 0
    journal_entries: int = 0

    @property
    def total(self) -> int:
        return (
            self.challenges
            + self.solutions
            + self.guides
            + self.messages
            + self.reviews
            + self.journal_entries
        )


@dataclass(frozen=True)
class LearnerActivity:
    user: User
    weeks: list[WeekActivity]
    total: int
    goals_open: int
    goals_done: int
    mentor: User | None


@dataclass(frozen=True)
class ReviewTurnaround:
    """From a reviewer claiming a cohort learner's request to their first feedback."""

    claims: int
    answered: int
    waiting: int
    median_hours: float | None
    average_hours: float | None
    longest_waiting_hours: float | None


@dataclass(frozen=True)
class MentorLoad:
    mentor: User
    active: int
    requested: int
    capacity: int | None
    mentees: list[User]


@dataclass(frozen=True)
class CohortDashboard:
    cohort: Cohort
    weeks: list[date]
    since: datetime
    learners: list[LearnerActivity]
    unanswered_count: int
    unanswered: list[Challenge]
    review_turnaround: ReviewTurnaround
    mentoring: list[MentorLoad]


ACTIVITY_FIELDS = ("challenges", "solutions", "guides", "messages", "reviews", "journal_entries")


def _weeks_param(value: Any) -> int:
    if value in (None, ""):
        return DASHBOARD_WEEKS_DEFAULT
    try:
        weeks = int(value)
    except (TypeError, ValueError):
        weeks = 0
    if isinstance(value, bool) or not 1 <= weeks <= DASHBOARD_WEEKS_MAX:
        raise ValidationError(
            "Some filters are not valid.",
            errors={"weeks": [f"A whole number from 1 to {DASHBOARD_WEEKS_MAX}."]},
        )
    return weeks


def _weekly_counts(
    queryset: QuerySet[Any], person: str, since: datetime
) -> dict[tuple[int, date], int]:
    """Rows per (person, week) since `since`, in one grouped query."""
    rows = (
        queryset.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values(person, "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, date], int] = {}
    for row in rows:
        week = row["week"]
        day = week.date() if isinstance(week, datetime) else week
        counts[(row[person], day)] = counts.get((row[person], day), 0) + row["n"]
    return counts


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def _turnaround(cohort: Cohort, since: datetime, now: datetime) -> ReviewTurnaround:
    claims = review_selectors.claim_times_in_cohort(cohort, since=since)
    answered = [_hours(given - claimed) for claimed, given in claims if given is not None]
    waiting = [_hours(now - claimed) for claimed, given in claims if given is None]
    return ReviewTurnaround(
        claims=len(claims),
        answered=len(answered),
        waiting=len(waiting),
        median_hours=round(statistics.median(answered), 1) if answered else None,
        average_hours=round(statistics.fmean(answered), 1) if answered else None,
        longest_waiting_hours=max(waiting) if waiting else None,
    )


def _mentor_loads(cohort: Cohort) -> tuple[list[MentorLoad], dict[int, User]]:
    """Each mentor's open mentorships with the cohort's learners, and each learner's
    active mentor."""
    mentorships = mentoring_selectors.open_mentorships_in_cohort(cohort)
    if not mentorships:
        return [], {}
    capacities = mentoring_selectors.mentor_capacities({m.mentor_id for m in mentorships})
    by_mentor: dict[int, list[Mentorship]] = defaultdict(list)
    mentor_of: dict[int, User] = {}
    for mentorship in mentorships:
        by_mentor[mentorship.mentor_id].append(mentorship)
        if mentorship.status == Mentorship.Status.ACTIVE:
            mentor_of[mentorship.mentee_id] = mentorship.mentor
    loads = [
        MentorLoad(
            mentor=pairs[0].mentor,
            active=sum(1 for m in pairs if m.status == Mentorship.Status.ACTIVE),
            requested=sum(1 for m in pairs if m.status == Mentorship.Status.REQUESTED),
            capacity=capacities.get(mentor_id),
            mentees=[m.mentee for m in pairs if m.status == Mentorship.Status.ACTIVE],
        )
        for mentor_id, pairs in by_mentor.items()
    ]
    loads.sort(key=lambda load: (-load.active, -load.requested, load.mentor.username))
    return loads, mentor_of


def cohort_dashboard(*, viewer: Any, slug: str, weeks: Any = None) -> CohortDashboard:
    """How a cohort is doing, for its mentors and staff: each learner's activity
    per week (challenges, solutions, guides, messages, review feedback, journal
    entries) over the last `weeks` weeks (8 by default, at most 26), their
    goals open and done and active mentor; the cohort's unanswered challenges;
    review turnaround (claim to first feedback) on its learners' requests; and
    each mentor's load. A fixed number of queries whatever the cohort's size.
    Raises PermissionDenied, NotFound, ValidationError."""
    permissions.check_can_view_dashboard(viewer)
    count = _weeks_param(weeks)
    cohort = account_selectors.cohort_get(slug=slug)
    now = timezone.now()
    this_monday = now.date() - timedelta(days=now.weekday())
    week_starts = [this_monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    since = datetime.combine(week_starts[0], datetime.min.time(), tzinfo=now.tzinfo)

    learners = account_selectors.cohort_learners(cohort)
    sources: dict[str, tuple[QuerySet[Any], str]] = {
        "challenges": (challenge_selectors.challenges_written_in_cohort(cohort), "author_id"),
        "solutions": (challenge_selectors.solutions_written_in_cohort(cohort), "author_id"),
        "guides": (knowledge_selectors.guides_written_in_cohort(cohort), "author_id"),
        "messages": (channel_selectors.messages_written_in_cohort(cohort), "author_id"),
        "reviews": (review_selectors.feedback_given_in_cohort(cohort), "reviewer_id"),
        "journal_entries": (
            JournalEntry.objects.filter(author__profile__cohort=cohort),
            "author_id",
        ),
    }
    counts = {
        name: _weekly_counts(queryset, person, since)
        for name, (queryset, person) in sources.items()
    }
    goal_counts = {
        row["owner_id"]: row
        for row in Goal.objects.filter(owner__profile__cohort=cohort)
        .values("owner_id")
        .annotate(
            open=Count("id", filter=Q(status__in=Goal.OPEN_STATUSES)),
            done=Count("id", filter=Q(status=Goal.Status.DONE)),
        )
        .order_by()
    }
    mentoring, mentor_of = _mentor_loads(cohort)

    rows: list[LearnerActivity] = []
    for learner in learners:
        activity = [
            WeekActivity(
                week=week, **{name: counts[name].get((learner.pk, week), 0) for name in counts}
            )
            for week in week_starts
        ]
        goals = goal_counts.get(learner.pk, {})
        rows.append(
            LearnerActivity(
                user=learner,
                weeks=activity,
                total=sum(week.total for week in activity),
                goals_open=goals.get("open", 0),
                goals_done=goals.get("done", 0),
                mentor=mentor_of.get(learner.pk),
            )
        )

    unanswered = challenge_selectors.unanswered_in_cohort(cohort)
    return CohortDashboard(
        cohort=cohort,
        weeks=week_starts,
        since=since,
        learners=rows,
        unanswered_count=unanswered.count(),
        unanswered=list(unanswered.order_by("created_at", "id")[:UNANSWERED_SHOWN]),
        review_turnaround=_turnaround(cohort, since, now),
        mentoring=mentoring,
    )


def activity_totals(weeks: Iterable[WeekActivity]) -> dict[str, int]:
    """Each kind of activity summed over the weeks."""
    totals: Counter[str] = Counter()
    for week in weeks:
        for name in ACTIVITY_FIELDS:
            totals[name] += getattr(week, name)
    return dict(totals)
