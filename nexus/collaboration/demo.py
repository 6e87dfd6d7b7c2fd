"""Demo collaboration: the cohort's channels, a conversation, a review request, a mentor.

The journey document's "Collaboration" section names who worked together
(backend learners, through peer reviews) and where: the Discord channel
#ProDevProjectNexus, for sharing ideas, solving blockers and keeping up with
staff announcements. `load_demo_collaboration` gives the hub the same shape:
an announcement channel with staff's pinned welcome, #prodev-project-nexus
where the frontend learner asks the backend learner for help, an open review
request by the backend learner and the demo mentor's offer of mentoring.

Everything is written through the services, so counters, read markers,
rendered markdown and outbox events are what real use would leave behind.
Once the transaction commits the events notify people: everyone hears of the
announcement (in the daily digest), and the mention emails the frontend
learner at once, through EMAIL_URL (the console in the embedded default).
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent

from django.db import transaction
from django.db.models import Q

from nexus.accounts.demo import DEMO_COHORT_SLUG
from nexus.accounts.models import Cohort, User
from nexus.collaboration.models import Channel, MentorProfile, Message, Reaction, ReviewRequest
from nexus.collaboration.services import channels as channel_services
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.collaboration.services import reviews as review_services
from nexus.knowledge.demo import CONCEPTS, TECHNOLOGIES
from nexus.knowledge.models import Concept, Technology

Emoji = Reaction.Emoji

# People are named by their key in `load_demo_accounts`' result.
BACKEND, FRONTEND, MENTOR, STAFF = "learner", "frontend", "mentor", "staff"


def _text(markdown: str) -> str:
    # The services store bodies stripped; specs are stored the same way so they match.
    return dedent(markdown).strip()


@dataclass(frozen=True)
class MessageSpec:
    author: str
    body: str
    pinned: bool = False
    reactions: tuple[tuple[str, str], ...] = ()
    replies: tuple[MessageSpec, ...] = ()


@dataclass(frozen=True)
class ChannelSpec:
    slug: str
    name: str
    kind: str
    topic: str
    owner: str
    members: tuple[str, ...]
    messages: tuple[MessageSpec, ...]


ANNOUNCEMENTS = ChannelSpec(
    slug="announcements",
    name="Announcements",
    kind=Channel.Kind.ANNOUNCEMENT,
    topic="Staff announcements for the ProDev Backend cohort: sessions, deadlines, changes.",
    owner=STAFF,
    members=(BACKEND, FRONTEND, MENTOR),
    messages=(
        MessageSpec(
            author=STAFF,
            pinned=True,
            body=_text(
                """
                ## Welcome to the ProDev Backend 2026 cohort 🎉

                Nexus is our hub for the months ahead. Everything you need is here:

                - **Reference guide**: the technologies and concepts we learn, with
                  best practices and takeaways at `/api/v1/guides/`.
                - **Challenges & solutions**: stuck on something? Ask it at
                  `/api/v1/challenges/`; answer others' and accept what solved yours.
                - **#prodev-project-nexus**: share ideas, solve blockers together,
                  backend and frontend learners side by side.
                - **Peer reviews** at `/api/v1/reviews/` and **mentors** at
                  `/api/v1/mentors/`: ask early, review generously.

                Frontend learners: every endpoint is documented at
                [/api/docs/](/api/docs/), and GraphQL lives at [/graphql/](/graphql/).

                Announcements from staff are posted here. Have a great cohort!
                """
            ),
        ),
    ),
)

# The frontend learner's question, its thread and the reactions on each.
QUESTION = MessageSpec(
    author=FRONTEND,
    body=_text(
        """
        Hi backend folks 👋 I'm building the challenges page of the Nexus client.
        Is there a way to get the challenges **with their authors** in one request?
        Right now I call `/api/v1/challenges/` and then `/api/v1/users/{username}/`
        for every author, so the page makes 20+ requests before it renders.
        """
    ),
    reactions=((BACKEND, Emoji.EYES), (MENTOR, Emoji.THINKING)),
    replies=(
        MessageSpec(
            author=BACKEND,
            body=_text(
                """
                @demo-frontend no extra calls needed: every challenge in
                `GET /api/v1/challenges/` already nests its author as
                `{"username", "display_name"}`, fetched in the same query on our side.
                Filters (`?technology=`, `?status=`), `?ordering=` and the cursor
                pagination are all in the API docs at [/api/docs/](/api/docs/).

                If you want only the fields you render, GraphQL does it in one query too:

                ```graphql
                { challenges(limit: 20) { id title author { username displayName } } }
                ```
                """
            ),
            reactions=((FRONTEND, Emoji.CHECK), (MENTOR, Emoji.THUMBS_UP)),
        ),
        MessageSpec(
            author=FRONTEND,
            body=_text(
                """
                That did it: one request and the page renders straight away. I had
                missed the nested author in the docs. Thank you!
                """
            ),
            reactions=((BACKEND, Emoji.TADA),),
        ),
    ),
)

PRODEV_PROJECT_NEXUS = ChannelSpec(
    slug="prodev-project-nexus",
    name="ProDev Project Nexus",
    kind=Channel.Kind.PUBLIC,
    topic=(
        "For sharing ideas, solving blockers and keeping up with staff announcements: "
        "backend and frontend learners of the cohort together."
    ),
    owner=STAFF,
    members=(BACKEND, FRONTEND, MENTOR),
    messages=(
        MessageSpec(
            author=STAFF,
            body=_text(
                """
                This is the cohort's channel, as #ProDevProjectNexus was on Discord:
                share ideas, post blockers early (with what you tried) and help each
                other across the backend and frontend tracks. Staff announcements are
                pinned in #announcements.
                """
            ),
            reactions=((BACKEND, Emoji.THUMBS_UP), (FRONTEND, Emoji.ROCKET)),
        ),
        QUESTION,
    ),
)

CHANNELS = (ANNOUNCEMENTS, PRODEV_PROJECT_NEXUS)


@dataclass(frozen=True)
class ReviewSpec:
    title: str
    url: str
    focus: str
    technologies: tuple[str, ...]
    reviewer_track: str = ReviewRequest.ReviewerTrack.ANY
    max_reviewers: int = 2


REVIEW = ReviewSpec(
    title="Challenges list: nested authors and cursor pagination",
    url="https://github.com/prodev-demo/nexus-client/pull/1",
    focus=_text(
        """
        This PR nests each challenge's author in the list (one `select_related`,
        no query per row) and moves the list to cursor pagination.

        What I'd like eyes on:

        - **Backend reviewers:** the serializer and the query-count test: does the
          count stay the same with three times the rows?
        - **Frontend reviewers:** is the response easy to render, and is anything
          missing from the OpenAPI docs?
        """
    ),
    technologies=("django", "django-rest-framework", "postgresql"),
)


@dataclass(frozen=True)
class MentorSpec:
    technologies: tuple[str, ...]
    concepts: tuple[str, ...]
    capacity: int
    about: str


MENTORING = MentorSpec(
    technologies=("celery", "rabbitmq", "redis", "docker", "docker-compose"),
    concepts=("system-design", "message-queues", "caching-strategies"),
    capacity=3,
    about=_text(
        """
        Backend engineer mentoring the ProDev cohort. Happy to help with background
        work (Celery on RabbitMQ, retries, idempotent tasks), caching with Redis,
        Docker and Compose setups, and how the pieces fit together in a system
        design. Come with a goal for the next few weeks and a repo to look at.
        """
    ),
)


# --- Loading ------------------------------------------------------------------------------


def _existing_slugs(
    model: type[Technology] | type[Concept], names: dict[str, str], wanted: tuple[str, ...]
) -> list[str]:
    """The database slugs of the wanted demo slugs, matched by slug or name as the
    knowledge demo matches them; those missing are left out."""
    slugs: list[str] = []
    for slug in wanted:
        found = model.objects.filter(Q(slug=slug) | Q(name__iexact=names.get(slug, slug))).first()
        if found is not None:
            slugs.append(found.slug)
    return slugs


def _technologies(wanted: tuple[str, ...]) -> list[str]:
    return _existing_slugs(Technology, {t.slug: t.name for t in TECHNOLOGIES}, wanted)


def _concepts(wanted: tuple[str, ...]) -> list[str]:
    return _existing_slugs(Concept, {c.slug: c.name for c in CONCEPTS}, wanted)


def _find_or_open(people: dict[str, User], spec: ChannelSpec) -> Channel:
    channel = Channel.objects.filter(slug=spec.slug).first()
    if channel is None:
        data = {"slug": spec.slug, "name": spec.name, "kind": spec.kind, "topic": spec.topic}
        if Cohort.objects.filter(slug=DEMO_COHORT_SLUG).exists():
            data["cohort"] = DEMO_COHORT_SLUG
        channel = channel_services.channel_create(actor=people[spec.owner], data=data)
    return channel


def _find_or_post(
    people: dict[str, User], channel: Channel, spec: MessageSpec, parent: Message | None
) -> Message | None:
    """The message, posted if missing (with its reactions); None if it was deleted
    since or cannot be posted (an archived channel), so its thread is left alone.
    A message edited since is found by the text it had."""
    author = people[spec.author]
    # Its author may have edited it since: the text it was posted with is in its history.
    found = (
        Message.objects.filter(channel=channel, author=author, parent=parent)
        .filter(Q(body=spec.body) | Q(revisions__body=spec.body))
        .order_by("pk")
        .first()
    )
    if found is not None:
        # Reactions are added with the message only: one someone took back stays taken back.
        return None if found.is_deleted else found
    if channel.is_archived:
        return None
    data: dict[str, object] = {"body": spec.body}
    if parent is not None:
        data["parent"] = parent.pk
    if spec.pinned:
        data["pinned"] = True
    message = channel_services.message_post(actor=author, slug=channel.slug, data=data)
    for reactor, emoji in spec.reactions:
        channel_services.reaction_set(
            actor=people[reactor], message_id=message.pk, emoji=emoji, present=True
        )
    return message


def _load_channel(people: dict[str, User], spec: ChannelSpec) -> None:
    channel = _find_or_open(people, spec)
    # Members join before anything is posted, so the messages are unread for them.
    for key in spec.members:
        channel_services.channel_join(actor=people[key], slug=channel.slug)
    for message_spec in spec.messages:
        message = _find_or_post(people, channel, message_spec, parent=None)
        if message is None:
            continue
        for reply in message_spec.replies:
            _find_or_post(people, channel, reply, parent=message)


def _load_review(author: User, spec: ReviewSpec) -> None:
    if ReviewRequest.objects.filter(author=author, url=spec.url).exists():
        return
    review_services.review_request_create(
        actor=author,
        data={
            "title": spec.title,
            "url": spec.url,
            "focus": spec.focus,
            "technologies": _technologies(spec.technologies),
            "reviewer_track": spec.reviewer_track,
            "max_reviewers": spec.max_reviewers,
        },
    )


def _load_mentor_profile(mentor: User, spec: MentorSpec) -> None:
    if MentorProfile.objects.filter(user=mentor).exists():
        return
    mentoring_services.mentor_profile_update(
        actor=mentor,
        data={
            "technologies": _technologies(spec.technologies),
            "concepts": _concepts(spec.concepts),
            "capacity": spec.capacity,
            "is_accepting": True,
            "about": spec.about,
        },
    )


@transaction.atomic
def load_demo_collaboration(people: dict[str, User]) -> None:
    """Open the demo channels with their conversation, ask for a review and set up
    the mentor's offer, where missing.

    `people` are the demo users by key ("learner" the backend learner,
    "frontend", "mentor", "staff"); the knowledge demo should have run, as the
    review request and the mentor profile link its technologies and concepts
    (those missing are left out). Channels are found by slug, messages by
    channel, author, thread and text (as posted, should it have been edited
    since), the review request by author and URL, the mentor profile by mentor;
    only what is missing is created, so running it again creates and changes
    nothing. A message deleted since is not posted again (nor its replies), and
    nothing is posted in an archived channel.
    """
    for spec in CHANNELS:
        _load_channel(people, spec)
    _load_review(people[BACKEND], REVIEW)
    _load_mentor_profile(people[MENTOR], MENTORING)
