"""A learner's journey as the viewer may see it: topics, challenges, takeaways,
collaboration and next steps, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from nexus.accounts import selectors as account_selectors
from nexus.accounts.models import Profile, User
from nexus.challenges import permissions as challenge_permissions
from nexus.challenges import selectors as challenge_selectors
from nexus.collaboration.selectors import channels as channel_selectors
from nexus.collaboration.selectors import mentoring as mentoring_selectors
from nexus.collaboration.selectors import reviews as review_selectors
from nexus.core.markdown import plain_text
from nexus.journeys import permissions
from nexus.journeys.models import Goal, JournalEntry
from nexus.journeys.selectors.goals import Link, goal_evidence_links, goal_queryset
from nexus.journeys.selectors.refs import nexus_url, ref_prefetches
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Concept, Guide, Technology

EXCERPT_LENGTH = 240
# Collaborators are grouped as the journey document names them.
TRACK_GROUPS: dict[str, str] = {
    Profile.Track.BACKEND: "Backend learners",
    Profile.Track.FRONTEND: "Frontend learners",
    Profile.Track.FULLSTACK: "Full-stack learners",
}


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
        users = account_selectors.active_users_by_id(self.how)
        people = [
            Collaborator(user=users[user_id], group=_group(users[user_id]), how=how)
            for user_id, how in self.how.items()
            if user_id in users
        ]
        return sorted(people, key=lambda c: (c.group, c.user.display_name.casefold()))


def _objective(learner: User) -> str:
    profile = learner.profile
    track = Profile.Track(profile.track).label.lower()
    cohort = f" in {profile.cohort.name}" if profile.cohort else ""
    opening = f"{learner.display_name} is a {track} {learner.role}{cohort}."
    return f"{opening} {profile.bio.strip()}".strip()


def _journal(viewer: Any, learner: User) -> list[JournalEntry]:
    entries = permissions.readable_entries(JournalEntry.objects.all(), viewer, learner)
    return list(entries.prefetch_related(ref_prefetches()["technologies"]).order_by("date", "id"))


def _goals(learner: User) -> list[Goal]:
    return list(
        goal_queryset()
        .filter(owner=learner)
        .exclude(status=Goal.Status.DROPPED)
        .order_by("created_at", "id")
    )


def _reviews_given(learner: User) -> list[ReviewGiven]:
    seen: dict[int, ReviewGiven] = {}
    for item in review_selectors.feedback_given_by(user=learner):
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
    matched = knowledge_selectors.technologies_matching(skills)
    for skill in skills:
        link = Link("skill", "Profile skills", None)
        if skill in matched:
            technologies.add(matched[skill], link)
        elif isinstance(skill, str) and skill.strip():
            technologies.add_bare(skill.strip(), link)

    guides = knowledge_selectors.guides_written_by(viewer=viewer, author=learner)
    for guide in guides:
        link = Link("guide", guide.title, nexus_url("guide-detail", slug=guide.slug))
        for technology in guide.technologies.all():
            technologies.add(technology, link)
        for concept in guide.concepts.all():
            concepts.add(concept, link)

    faced: list[ChallengeFaced] = []
    for challenge in challenge_selectors.challenges_asked_by(viewer=viewer, author=learner):
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
    for solution in challenge_selectors.solutions_accepted_of(viewer=viewer, author=learner):
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
    for review in review_selectors.review_requests_of(user=learner):
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
    for mentorship in mentoring_selectors.mentorships_shown(
        viewer_id=permissions.viewer_id(viewer), user=learner
    ):
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

    channels = [
        ChannelActivity(
            slug=row["channel__slug"],
            name=row["channel__name"],
            kind=row["channel__kind"],
            messages=row["messages"],
            url=nexus_url("channel-detail", slug=row["channel__slug"]),
        )
        for row in channel_selectors.channel_activity(viewer=viewer, author=learner)
    ]
    # People whose threads the learner replied in, and who replied in theirs.
    for author_id, parent_author_id in channel_selectors.thread_partners(
        viewer=viewer, user=learner
    ):
        people.add(parent_author_id if author_id == learner.pk else author_id, "channel threads")
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
