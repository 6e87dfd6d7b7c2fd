"""Reads of learning journeys: goals, journals, the journey itself and the cohort dashboard.

Every read takes the viewer, so what each person sees is decided here: a
learner sees everything of theirs; others see public journal entries (cohort
entries when they share the cohort), published guides, challenges and
solutions they may see, public channels, and mentorships only when they are
in them. Each read costs a fixed number of queries, whatever the amount of data.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from nexus.accounts import selectors as account_selectors
from nexus.accounts.models import Cohort, Profile, User
from nexus.challenges import permissions as challenge_permissions
from nexus.challenges.models import Challenge, Solution
from nexus.collaboration import permissions as channel_permissions
from nexus.collaboration.models import (
    Channel,
    MentorProfile,
    Mentorship,
    Message,
    ReviewClaim,
    ReviewFeedback,
    ReviewRequest,
)
from nexus.core.errors import NotFound, ValidationError
from nexus.core.filters import apply_filters
from nexus.core.markdown import plain_text
from nexus.journeys import permissions
from nexus.journeys.filters import GoalFilter, JournalFilter
from nexus.journeys.models import Evidence, Goal, JournalEntry
from nexus.knowledge import permissions as knowledge_permissions
from nexus.knowledge.models import Concept, Guide, Technology

EXCERPT_LENGTH = 240
DASHBOARD_WEEKS_DEFAULT, DASHBOARD_WEEKS_MAX = 8, 26
UNANSWERED_SHOWN = 50
# Collaborators are grouped as the journey document names them.
TRACK_GROUPS: dict[str, str] = {
    Profile.Track.BACKEND: "Backend learners",
    Profile.Track.FRONTEND: "Frontend learners",
    Profile.Track.FULLSTACK: "Full-stack learners",
}


def nexus_url(name: str, **kwargs: Any) -> str:
    """The absolute URL of a Nexus resource, on the site's own address (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _refs() -> dict[str, Prefetch[Any]]:
    return {
        "technologies": Prefetch(
            "technologies", queryset=Technology.objects.only("id", "slug", "name", "category")
        ),
        "concepts": Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name")),
    }


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
    refs = _refs()
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


# --- Journal ----------------------------------------------------------------------------


def journal_queryset() -> QuerySet[JournalEntry]:
    return JournalEntry.objects.select_related("author__profile").prefetch_related(
        _refs()["technologies"],
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


# --- The journey ----------------------------------------------------------------------------


@dataclass
class Topic:
    """A technology or concept of the journey, with what shows it was learnt."""

    name: str
    slug: str | None
    url: str | None
    category: str = ""
    evidence: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class AcceptedSolution:
    id: int
    author: User
    excerpt: str
    url: str


@dataclass(frozen=True)
class ChallengeFaced:
    id: int
    title: str
    status: str
    excerpt: str
    url: str
    created_at: datetime
    technologies: list[Technology]
    solution: AcceptedSolution | None


@dataclass(frozen=True)
class ChallengeSolved:
    solution_id: int
    excerpt: str
    url: str
    accepted_at: datetime | None
    challenge_id: int
    challenge_title: str
    challenge_url: str
    challenge_author: User


@dataclass(frozen=True)
class Takeaway:
    origin: str  # guide or journal
    kind: str  # best_practice, takeaway or journal
    title: str
    excerpt: str
    url: str
    date: date
    visibility: str  # public, cohort, private, or draft for an unpublished guide


@dataclass(frozen=True)
class Collaborator:
    user: User
    group: str
    how: list[str]


@dataclass(frozen=True)
class ChannelActivity:
    slug: str
    name: str
    kind: str
    messages: int
    url: str


@dataclass(frozen=True)
class ReviewGiven:
    review_id: int
    title: str
    url: str
    author: User
    verdict: str
    given_at: datetime


@dataclass(frozen=True)
class ReviewReceived:
    review_id: int
    title: str
    url: str
    status: str
    reviewers: list[User]
    feedback_count: int


@dataclass(frozen=True)
class MentoringLink:
    mentorship_id: int
    role: str  # the learner's role: mentee or mentor
    partner: User
    status: str
    since: datetime
    url: str


@dataclass(frozen=True)
class Collaboration:
    collaborators: list[Collaborator]
    channels: list[ChannelActivity]
    reviews_given: list[ReviewGiven]
    reviews_received: list[ReviewReceived]
    mentoring: list[MentoringLink]

    @property
    def is_empty(self) -> bool:
        return not (
            self.collaborators
            or self.channels
            or self.reviews_given
            or self.reviews_received
            or self.mentoring
        )


@dataclass(frozen=True)
class NextStep:
    goal_id: int
    title: str
    kind: str
    status: str
    progress: int
    target_date: date | None
    technologies: list[Technology]
    concepts: list[Concept]
    evidence: list[Link]


@dataclass(frozen=True)
class JourneyStats:
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


@dataclass(frozen=True)
class Journey:
    learner: User
    is_own: bool
    objective: str
    stats: JourneyStats
    technologies: list[Topic]
    concepts: list[Topic]
    challenges_faced: list[ChallengeFaced]
    challenges_solved: list[ChallengeSolved]
    takeaways: list[Takeaway]
    collaboration: Collaboration
    next_steps: list[NextStep]
    url: str
    markdown_url: str
    generated_at: datetime


class _Topics:
    """Technologies or concepts met along the journey, each with its evidence."""

    def __init__(self, *, with_category: bool) -> None:
        self.with_category = with_category
        self.by_key: dict[str, Topic] = {}

    def add(self, item: Technology | Concept, link: Link) -> None:
        url_name = "technology-detail" if self.with_category else "concept-detail"
        topic = self.by_key.get(item.slug)
        if topic is None:
            topic = Topic(
                name=item.name,
                slug=item.slug,
                url=nexus_url(url_name, slug=item.slug),
                category=getattr(item, "category", "") if self.with_category else "",
            )
            self.by_key[item.slug] = topic
        if link not in topic.evidence:
            topic.evidence.append(link)

    def add_bare(self, name: str, link: Link) -> None:
        """A skill with no technology of that name in the reference guide."""
        key = f"skill:{name.casefold()}"
        if key not in self.by_key:
            self.by_key[key] = Topic(name=name, slug=None, url=None, evidence=[link])

    def ranked(self) -> list[Topic]:
        """Most evidenced first, then by name."""
        return sorted(self.by_key.values(), key=lambda t: (-len(t.evidence), t.name.casefold()))


def _excerpt(markdown: str) -> str:
    return plain_text(markdown, limit=EXCERPT_LENGTH)


def _group(user: User) -> str:
    """How the journey document names collaborators: by role, and learners by track."""
    role = user.role
    if role == Profile.Role.MENTOR:
        return "Mentors"
    if role == Profile.Role.STAFF:
        return "Staff"
    return TRACK_GROUPS.get(user.profile.track, "Learners")


class _People:
    """Who the learner worked with, and how; users are loaded in one query at the end."""

    def __init__(self, learner_id: int) -> None:
        self.learner_id = learner_id
        self.how: dict[int, list[str]] = defaultdict(list)

    def add(self, user_id: int | None, how: str) -> None:
        if user_id is None or user_id == self.learner_id:
            return
        if how not in self.how[user_id]:
            self.how[user_id].append(how)

    def collaborators(self) -> list[Collaborator]:
        if not self.how:
            return []
        users = User.objects.filter(pk__in=list(self.how), is_active=True).in_bulk()
        people = [
            Collaborator(user=users[user_id], group=_group(users[user_id]), how=how)
            for user_id, how in self.how.items()
            if user_id in users
        ]
        return sorted(people, key=lambda c: (c.group, c.user.display_name.casefold()))


def _skill_technologies(skills: list[str]) -> dict[str, Technology]:
    """Each listed skill's technology, matched by name or slug, regardless of case."""
    names = [skill for skill in skills if isinstance(skill, str) and skill.strip()]
    if not names:
        return {}
    query = reduce(or_, (Q(name__iexact=name.strip()) | Q(slug=slugify(name)) for name in names))
    technologies = list(Technology.objects.filter(query).only("id", "slug", "name", "category"))
    matched: dict[str, Technology] = {}
    for name in names:
        for technology in technologies:
            if technology.name.casefold() == name.strip().casefold() or technology.slug == slugify(
                name
            ):
                matched[name] = technology
                break
    return matched


def _objective(learner: User) -> str:
    profile = learner.profile
    track = Profile.Track(profile.track).label.lower()
    cohort = f" in {profile.cohort.name}" if profile.cohort else ""
    opening = f"{learner.display_name} is a {track} {learner.role}{cohort}."
    return f"{opening} {profile.bio.strip()}".strip()


def _guides(viewer: Any, learner: User) -> list[Guide]:
    refs = _refs()
    guides = knowledge_permissions.visible_guides(Guide.objects.filter(author=learner), viewer)
    return list(
        guides.prefetch_related(refs["technologies"], refs["concepts"]).order_by("created_at", "id")
    )


def _challenges_faced(viewer: Any, learner: User) -> list[Challenge]:
    refs = _refs()
    challenges = challenge_permissions.visible(Challenge.objects.filter(author=learner), viewer)
    return list(
        challenges.select_related("accepted_solution__author__profile")
        .prefetch_related(refs["technologies"], refs["concepts"])
        .order_by("created_at", "id")
    )


def _solutions_given(viewer: Any, learner: User) -> list[Solution]:
    solutions = challenge_permissions.visible(
        Solution.objects.filter(author=learner, is_accepted=True), viewer
    ).exclude(challenge__author=learner)
    solutions = solutions.filter(challenge__deleted_at__isnull=True)
    refs = _refs()
    return [
        solution
        for solution in solutions.select_related("challenge__author__profile")
        .prefetch_related(
            Prefetch("challenge__technologies", queryset=refs["technologies"].queryset),
            Prefetch("challenge__concepts", queryset=refs["concepts"].queryset),
        )
        .order_by("accepted_at", "id")
        if challenge_permissions.can_view(viewer, solution.challenge)
    ]


def _journal(viewer: Any, learner: User) -> list[JournalEntry]:
    entries = permissions.readable_entries(JournalEntry.objects.all(), viewer, learner)
    return list(entries.prefetch_related(_refs()["technologies"]).order_by("date", "id"))


def _goals(learner: User) -> list[Goal]:
    return list(
        goal_queryset()
        .filter(owner=learner)
        .exclude(status=Goal.Status.DROPPED)
        .order_by("created_at", "id")
    )


def _readable_channels(viewer: Any) -> QuerySet[Channel]:
    if permissions.viewer_id(viewer) is None:
        # The channels a learner talks in are no secret; private ones stay private.
        return Channel.objects.exclude(kind=Channel.Kind.PRIVATE)
    return channel_permissions.readable_channels(Channel.objects.all(), viewer)


def _channels(viewer: Any, learner: User) -> list[ChannelActivity]:
    rows = (
        Message.objects.filter(
            author=learner,
            deleted_at__isnull=True,
            channel__in=_readable_channels(viewer).values("pk"),
        )
        .values("channel__slug", "channel__name", "channel__kind")
        .annotate(messages=Count("id"))
        .order_by("-messages", "channel__slug")
    )
    return [
        ChannelActivity(
            slug=row["channel__slug"],
            name=row["channel__name"],
            kind=row["channel__kind"],
            messages=row["messages"],
            url=nexus_url("channel-detail", slug=row["channel__slug"]),
        )
        for row in rows
    ]


def _thread_partners(viewer: Any, learner: User, people: _People) -> None:
    """People whose threads the learner replied in, and who replied in theirs."""
    replies = (
        Message.objects.filter(
            deleted_at__isnull=True,
            parent__isnull=False,
            channel__in=_readable_channels(viewer).values("pk"),
        )
        .filter(Q(author=learner) | Q(parent__author=learner))
        .values_list("author_id", "parent__author_id")
        .distinct()
    )
    for author_id, parent_author_id in replies:
        people.add(parent_author_id if author_id == learner.pk else author_id, "channel threads")


def _reviews_given(learner: User) -> list[ReviewGiven]:
    feedback = (
        ReviewFeedback.objects.filter(reviewer=learner)
        .exclude(request__author=learner)
        .select_related("request__author__profile")
        .order_by("created_at", "id")
    )
    seen: dict[int, ReviewGiven] = {}
    for item in feedback:
        review = item.request
        seen.setdefault(
            review.pk,
            ReviewGiven(
                review_id=review.pk,
                title=review.title,
                url=nexus_url("review-detail", request_id=review.pk),
                author=review.author,
                verdict=item.verdict,
                given_at=item.created_at,
            ),
        )
    return list(seen.values())


def _reviews_received(learner: User) -> list[ReviewRequest]:
    feedback = ReviewFeedback.objects.select_related("reviewer__profile").order_by("created_at")
    return list(
        ReviewRequest.objects.filter(author=learner)
        .prefetch_related(
            _refs()["technologies"], Prefetch("feedback", queryset=feedback, to_attr="all_feedback")
        )
        .order_by("created_at", "id")
    )


def _mentoring(viewer: Any, learner: User) -> list[Mentorship]:
    """The learner's mentorships the viewer is in (all of them for the learner)."""
    viewer_id = permissions.viewer_id(viewer)
    if viewer_id is None:
        return []
    mentorships = Mentorship.objects.filter(Q(mentor=learner) | Q(mentee=learner)).exclude(
        status=Mentorship.Status.DECLINED
    )
    if viewer_id != learner.pk:
        mentorships = mentorships.filter(Q(mentor_id=viewer_id) | Q(mentee_id=viewer_id))
    return list(
        mentorships.select_related("mentor__profile", "mentee__profile").order_by("created_at")
    )


def journey_get(*, viewer: Any, username: str) -> Journey:
    """A learner's journey as the viewer may see it, assembled from their real work.

    Technologies come from done goals, profile skills and what they produced
    (guides, challenges, accepted solutions, journal entries, review requests),
    each with its evidence; concepts from done goals, guides and challenges;
    challenges faced are theirs, with the accepted solution; challenges solved
    are their accepted solutions to others' challenges; takeaways are their
    best-practice and takeaway guides and readable journal entries;
    collaboration is who they worked with and where; next steps are open
    goals. A fixed number of queries whatever the amount of data. Raises NotFound.
    """
    learner = account_selectors.user_get_public(username=username)
    is_own = permissions.is_self(viewer, learner)
    technologies, concepts = _Topics(with_category=True), _Topics(with_category=False)
    people = _People(learner.pk)

    goals = _goals(learner)
    open_goals = [goal for goal in goals if goal.is_open]
    done_goals = [goal for goal in goals if goal.status == Goal.Status.DONE]
    for goal in done_goals:
        link = Link("goal", goal.title, None)
        for technology in goal.technologies.all():
            technologies.add(technology, link)
        for concept in goal.concepts.all():
            concepts.add(concept, link)

    skills = list(learner.profile.skills or [])
    matched = _skill_technologies(skills)
    for skill in skills:
        link = Link("skill", "Profile skills", None)
        if skill in matched:
            technologies.add(matched[skill], link)
        elif isinstance(skill, str) and skill.strip():
            technologies.add_bare(skill.strip(), link)

    guides = _guides(viewer, learner)
    for guide in guides:
        link = Link("guide", guide.title, nexus_url("guide-detail", slug=guide.slug))
        for technology in guide.technologies.all():
            technologies.add(technology, link)
        for concept in guide.concepts.all():
            concepts.add(concept, link)

    faced: list[ChallengeFaced] = []
    for challenge in _challenges_faced(viewer, learner):
        url = nexus_url("challenge-detail", challenge_id=challenge.pk)
        link = Link("challenge", challenge.title, url)
        for technology in challenge.technologies.all():
            technologies.add(technology, link)
        for concept in challenge.concepts.all():
            concepts.add(concept, link)
        accepted = challenge.accepted_solution
        shown = None
        if accepted is not None and challenge_permissions.can_view(viewer, accepted):
            shown = AcceptedSolution(
                id=accepted.pk,
                author=accepted.author,
                excerpt=_excerpt(accepted.body),
                url=nexus_url("solution-detail", solution_id=accepted.pk),
            )
            people.add(accepted.author_id, "answered my challenges")
        faced.append(
            ChallengeFaced(
                id=challenge.pk,
                title=challenge.title,
                status=challenge.status,
                excerpt=_excerpt(challenge.body),
                url=url,
                created_at=challenge.created_at,
                technologies=list(challenge.technologies.all()),
                solution=shown,
            )
        )

    solved: list[ChallengeSolved] = []
    for solution in _solutions_given(viewer, learner):
        challenge = solution.challenge
        url = nexus_url("solution-detail", solution_id=solution.pk)
        link = Link("solution", f"Solved: {challenge.title}", url)
        for technology in challenge.technologies.all():
            technologies.add(technology, link)
        for concept in challenge.concepts.all():
            concepts.add(concept, link)
        people.add(challenge.author_id, "I answered their challenges")
        solved.append(
            ChallengeSolved(
                solution_id=solution.pk,
                excerpt=_excerpt(solution.body),
                url=url,
                accepted_at=solution.accepted_at,
                challenge_id=challenge.pk,
                challenge_title=challenge.title,
                challenge_url=nexus_url("challenge-detail", challenge_id=challenge.pk),
                challenge_author=challenge.author,
            )
        )

    takeaways: list[Takeaway] = [
        Takeaway(
            origin="guide",
            kind=guide.kind,
            title=guide.title,
            excerpt=_excerpt(guide.body),
            url=nexus_url("guide-detail", slug=guide.slug),
            date=(guide.published_at or guide.created_at).date(),
            visibility="public" if guide.status == Guide.Status.PUBLISHED else "draft",
        )
        for guide in guides
        if guide.kind in (Guide.Kind.BEST_PRACTICE, Guide.Kind.TAKEAWAY)
    ]
    entries = _journal(viewer, learner)
    for entry in entries:
        url = nexus_url("user-journal-entry", username=learner.username, entry_id=entry.pk)
        link = Link("journal", entry.title, url)
        for technology in entry.technologies.all():
            technologies.add(technology, link)
        takeaways.append(
            Takeaway(
                origin="journal",
                kind="journal",
                title=entry.title,
                excerpt=_excerpt(entry.body),
                url=url,
                date=entry.date,
                visibility=entry.visibility,
            )
        )
    takeaways.sort(key=lambda t: (t.date, t.title))

    reviews_received: list[ReviewReceived] = []
    for review in _reviews_received(learner):
        url = nexus_url("review-detail", request_id=review.pk)
        for technology in review.technologies.all():
            technologies.add(technology, Link("review", review.title, url))
        reviewers: dict[int, User] = {}
        for feedback in review.all_feedback:  # type: ignore[attr-defined]
            reviewers.setdefault(feedback.reviewer_id, feedback.reviewer)
            people.add(feedback.reviewer_id, "peer reviews")
        reviews_received.append(
            ReviewReceived(
                review_id=review.pk,
                title=review.title,
                url=url,
                status=review.status,
                reviewers=list(reviewers.values()),
                feedback_count=len(review.all_feedback),  # type: ignore[attr-defined]
            )
        )
    reviews_given = _reviews_given(learner)
    for given in reviews_given:
        people.add(given.author.pk, "peer reviews")

    mentoring: list[MentoringLink] = []
    for mentorship in _mentoring(viewer, learner):
        is_mentee = mentorship.mentee_id == learner.pk
        partner = mentorship.mentor if is_mentee else mentorship.mentee
        people.add(partner.pk, "mentoring")
        mentoring.append(
            MentoringLink(
                mentorship_id=mentorship.pk,
                role="mentee" if is_mentee else "mentor",
                partner=partner,
                status=mentorship.status,
                since=mentorship.accepted_at or mentorship.created_at,
                url=nexus_url("mentorship-detail", mentorship_id=mentorship.pk),
            )
        )

    channels = _channels(viewer, learner)
    _thread_partners(viewer, learner, people)
    collaboration = Collaboration(
        collaborators=people.collaborators(),
        channels=channels,
        reviews_given=reviews_given,
        reviews_received=reviews_received,
        mentoring=mentoring,
    )

    next_steps = [
        NextStep(
            goal_id=goal.pk,
            title=goal.title,
            kind=goal.kind,
            status=goal.status,
            progress=goal.progress,
            target_date=goal.target_date,
            technologies=list(goal.technologies.all()),
            concepts=list(goal.concepts.all()),
            evidence=goal_evidence_links(viewer, goal),
        )
        for goal in sorted(
            open_goals, key=lambda g: (g.target_date is None, g.target_date or date.max, g.pk)
        )
    ]

    technology_list, concept_list = technologies.ranked(), concepts.ranked()
    stats = JourneyStats(
        technologies=len(technology_list),
        concepts=len(concept_list),
        guides=len(guides),
        challenges_faced=len(faced),
        challenges_solved=len(solved),
        journal_entries=len(entries),
        goals_done=len(done_goals),
        goals_open=len(open_goals),
        collaborators=len(collaboration.collaborators),
        channels=len(channels),
    )
    return Journey(
        learner=learner,
        is_own=is_own,
        objective=_objective(learner),
        stats=stats,
        technologies=technology_list,
        concepts=concept_list,
        challenges_faced=faced,
        challenges_solved=solved,
        takeaways=takeaways,
        collaboration=collaboration,
        next_steps=next_steps,
        url=nexus_url("journey", username=learner.username),
        markdown_url=nexus_url("journey-markdown", username=learner.username),
        generated_at=timezone.now(),
    )


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
    first_feedback = (
        ReviewFeedback.objects.filter(
            request_id=OuterRef("request_id"), reviewer_id=OuterRef("reviewer_id")
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    claims = list(
        ReviewClaim.objects.filter(request__author__profile__cohort=cohort, created_at__gte=since)
        .annotate(first_feedback_at=Subquery(first_feedback))
        .values_list("created_at", "first_feedback_at")
    )
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
    mentorships = list(
        Mentorship.objects.filter(
            mentee__profile__cohort=cohort,
            status__in=(Mentorship.Status.REQUESTED, Mentorship.Status.ACTIVE),
        )
        .select_related("mentor__profile", "mentee__profile")
        .order_by("created_at", "id")
    )
    if not mentorships:
        return [], {}
    capacities = dict(
        MentorProfile.objects.filter(user_id__in={m.mentor_id for m in mentorships}).values_list(
            "user_id", "capacity"
        )
    )
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
    cohort = Cohort.objects.filter(slug=slug).first()
    if cohort is None:
        raise NotFound(f"No cohort '{slug}'.")
    now = timezone.now()
    this_monday = now.date() - timedelta(days=now.weekday())
    week_starts = [this_monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    since = datetime.combine(week_starts[0], datetime.min.time(), tzinfo=now.tzinfo)

    learners = list(
        User.objects.filter(
            profile__cohort=cohort, profile__role=Profile.Role.LEARNER, is_active=True
        )
        .exclude(Q(is_staff=True) | Q(is_superuser=True))
        .order_by("username")
    )
    in_cohort = Q(author__profile__cohort=cohort)
    sources: dict[str, tuple[QuerySet[Any], str]] = {
        "challenges": (Challenge.objects.filter(in_cohort, deleted_at__isnull=True), "author_id"),
        "solutions": (Solution.objects.filter(in_cohort, deleted_at__isnull=True), "author_id"),
        "guides": (Guide.objects.filter(in_cohort, deleted_at__isnull=True), "author_id"),
        "messages": (Message.objects.filter(in_cohort, deleted_at__isnull=True), "author_id"),
        "reviews": (
            ReviewFeedback.objects.filter(reviewer__profile__cohort=cohort),
            "reviewer_id",
        ),
        "journal_entries": (JournalEntry.objects.filter(in_cohort), "author_id"),
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

    unanswered = challenge_permissions.visible(
        Challenge.objects.filter(
            author__profile__cohort=cohort, status=Challenge.Status.OPEN, solution_count=0
        ),
        None,
    )
    return CohortDashboard(
        cohort=cohort,
        weeks=week_starts,
        since=since,
        learners=rows,
        unanswered_count=unanswered.count(),
        unanswered=list(
            unanswered.select_related("author__profile").order_by("created_at", "id")[
                :UNANSWERED_SHOWN
            ]
        ),
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
