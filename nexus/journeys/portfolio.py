"""The portfolio README: a journey rendered as markdown, in the shape of the
programme's journey document.

Its sections are the document's own: project objective, key technologies
learned, important backend development concepts, challenges & solutions,
best practices & personal takeaways, collaboration (who with, where) and next
steps. Every item links back to Nexus with an absolute URL. Text users wrote
is escaped, so a title cannot turn into markup or a link of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from nexus.accounts.models import User
from nexus.journeys.models import Goal
from nexus.journeys.selectors import Journey, Link, Topic, nexus_url

SECTIONS = (
    "Project Objective",
    "Key Technologies Learned",
    "Important Backend Development Concepts",
    "Challenges & Solutions",
    "Best Practices & Personal Takeaways",
    "Collaboration",
    "Next Steps",
)
EMPTY = "_Nothing here yet._"
# The journey document sets a term off from its explanation with an en dash.
DASH = "\N{EN DASH}"
EVIDENCE_SHOWN = 3

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_WHITESPACE = re.compile(r"\s+")
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def text(value: str) -> str:
    """User-written text as literal markdown: one line, special characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _WHITESPACE.sub(" ", value).strip())


def url(value: str) -> str:
    for character, encoded in _URL_UNSAFE.items():
        value = value.replace(character, encoded)
    return value


def link(title: str, target: str | None) -> str:
    return f"[{text(title)}]({url(target)})" if target else text(title)


def person(user: User) -> str:
    return link(user.display_name, nexus_url("user-detail", username=user.username))


def plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _evidence(links: list[Link]) -> str:
    """Goals done and skills in a few words, then the first pieces of work, linked."""
    goals = sum(1 for item in links if item.kind == "goal")
    notes = [plural(goals, "goal done", "goals done")] if goals else []
    if any(item.kind == "skill" for item in links):
        notes.append("in my skills")
    work = [item for item in links if item.kind not in ("goal", "skill")]
    shown = [link(item.title, item.url) for item in work[:EVIDENCE_SHOWN]]
    if len(work) > EVIDENCE_SHOWN:
        shown.append(f"and {len(work) - EVIDENCE_SHOWN} more")
    return "; ".join(notes + shown)


def _topic(topic: Topic) -> str:
    name = f"**{link(topic.name, topic.url)}**"
    return f"{name} {DASH} {_evidence(topic.evidence)}" if topic.evidence else name


def _section(title: str, lines: Iterable[str]) -> list[str]:
    body = list(lines)
    return [f"## {title}", "", *(body or [EMPTY]), ""]


def _objective(journey: Journey) -> list[str]:
    stats = journey.stats
    return [
        text(journey.objective),
        "",
        "This journey, kept in Nexus as it happened, serves as:",
        "",
        f"* A **reference guide**: {plural(stats.technologies, 'technology', 'technologies')} "
        f"and {plural(stats.concepts, 'concept')} learnt, {plural(stats.guides, 'guide')} written.",
        f"* A **record of challenges and solutions**: "
        f"{plural(stats.challenges_faced, 'challenge')} faced, "
        f"{stats.challenges_solved} solved for others.",
        f"* A **collaboration hub**: {plural(stats.collaborators, 'person', 'people')} worked "
        f"with, in {plural(stats.channels, 'channel')}.",
        "* A way to **consolidate learnings**: "
        f"{plural(stats.journal_entries, 'journal entry', 'journal entries')}, "
        f"{plural(stats.goals_done, 'goal')} done and {stats.goals_open} ahead.",
    ]


def _challenges(journey: Journey) -> list[str]:
    lines: list[str] = []
    for number, challenge in enumerate(journey.challenges_faced, start=1):
        lines += [
            f"### {number}. {text(challenge.title)}",
            "",
            f"* **Challenge:** {text(challenge.excerpt)} ({link('the challenge', challenge.url)})",
        ]
        solution = challenge.solution
        if solution is None:
            lines.append("* **Solution:** still open.")
        else:
            lines.append(
                f"* **Solution:** {text(solution.excerpt)} (accepted answer by "
                f"{person(solution.author)}, {link('the solution', solution.url)})"
            )
        lines.append("")
    if journey.challenges_solved:
        lines += ["### Solved for others", ""]
        for solved in journey.challenges_solved:
            lines.append(
                f"* {link(solved.challenge_title, solved.challenge_url)}, asked by "
                f"{person(solved.challenge_author)}: {text(solved.excerpt)} "
                f"({link('my accepted solution', solved.url)})"
            )
        lines.append("")
    return lines[:-1] if lines else lines


def _takeaways(journey: Journey) -> list[str]:
    lines = []
    for takeaway in journey.takeaways:
        marker = ""
        if takeaway.visibility in ("private", "cohort", "draft"):
            marker = f" _({takeaway.visibility})_"
        lines.append(
            f"* **{link(takeaway.title, takeaway.url)}**{marker} {DASH} {text(takeaway.excerpt)}"
        )
    return lines


def _collaboration(journey: Journey) -> list[str]:
    collaboration = journey.collaboration
    if collaboration.is_empty:
        return []
    lines = ["### Who I Collaborated With", ""]
    groups: dict[str, list[User]] = defaultdict(list)
    hows: dict[str, list[str]] = defaultdict(list)
    for collaborator in collaboration.collaborators:
        groups[collaborator.group].append(collaborator.user)
        for how in collaborator.how:
            if how not in hows[collaborator.group]:
                hows[collaborator.group].append(how)
    for group, users in groups.items():
        how = ", ".join(hows[group])
        lines.append(
            f"* **{text(group)}** {DASH} {text(how[:1].upper() + how[1:])}: "
            + ", ".join(person(user) for user in users)
            + "."
        )
    if not groups:
        lines.append(EMPTY)
    lines += ["", "### Where We Collaborated", ""]
    where = []
    for channel in collaboration.channels:
        where.append(
            f"* **{link('#' + channel.slug, channel.url)}** ({text(channel.name)}) {DASH} "
            f"{plural(channel.messages, 'message')}."
        )
    if collaboration.reviews_received:
        asked = []
        for review in collaboration.reviews_received:
            reviewers = ", ".join(person(user) for user in review.reviewers)
            asked.append(
                link(review.title, review.url)
                + (f" (reviewed by {reviewers})" if reviewers else "")
            )
        where.append("* **Peer reviews asked for:** " + "; ".join(asked) + ".")
    if collaboration.reviews_given:
        given = [
            f"{link(review.title, review.url)} by {person(review.author)}"
            for review in collaboration.reviews_given
        ]
        where.append("* **Peer reviews given:** " + "; ".join(given) + ".")
    for mentorship in collaboration.mentoring:
        verb = "Mentored by" if mentorship.role == "mentee" else "Mentoring"
        where.append(
            f"* **Mentoring:** {verb} {person(mentorship.partner)} since "
            f"{mentorship.since.date().isoformat()} ({link(mentorship.status, mentorship.url)})."
        )
    discord = journey.learner.profile.discord_handle
    if discord:
        where.append(f"* **Discord:** {text(discord)}")
    return lines + (where or [EMPTY])


def _next_steps(journey: Journey) -> list[str]:
    lines = []
    for number, step in enumerate(journey.next_steps, start=1):
        details = [Goal.Kind(step.kind).label.lower(), f"{step.status}, {step.progress}%"]
        if step.target_date:
            details.append(f"by {step.target_date.isoformat()}")
        topics = [
            link(item.name, nexus_url("technology-detail", slug=item.slug))
            for item in step.technologies
        ] + [link(item.name, nexus_url("concept-detail", slug=item.slug)) for item in step.concepts]
        line = f"{number}. **{text(step.title)}** ({'; '.join(details)})"
        if topics:
            line += f" {DASH} " + ", ".join(topics)
        if step.evidence:
            line += ". So far: " + _evidence(step.evidence)
        lines.append(line + ".")
    return lines


def render_journey(journey: Journey) -> str:
    """The journey as a portfolio README, every section present, empty ones saying so."""
    learner = journey.learner
    cohort = learner.profile.cohort
    heading = f"{cohort.name} journey" if cohort else "learning journey"
    lines = [
        f"# {text(learner.display_name)}: {text(heading)}",
        "",
        f"_Kept in Nexus by {person(learner)}; generated "
        f"{journey.generated_at.date().isoformat()} from {link('the journey', journey.url)}._",
        "",
    ]
    lines += _section(SECTIONS[0], _objective(journey))
    lines += _section(SECTIONS[1], (f"* {_topic(topic)}" for topic in journey.technologies))
    lines += _section(
        SECTIONS[2],
        (f"{number}. {_topic(topic)}" for number, topic in enumerate(journey.concepts, start=1)),
    )
    lines += _section(SECTIONS[3], _challenges(journey))
    lines += _section(SECTIONS[4], _takeaways(journey))
    lines += _section(SECTIONS[5], _collaboration(journey))
    lines += _section(SECTIONS[6], _next_steps(journey))
    return "\n".join(lines).rstrip() + "\n"
