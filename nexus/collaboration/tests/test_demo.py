from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from nexus.accounts.demo import load_demo_accounts
from nexus.accounts.models import User
from nexus.collaboration.demo import load_demo_collaboration
from nexus.collaboration.models import (
    Channel,
    Membership,
    MentorProfile,
    Mentorship,
    Message,
    Reaction,
    ReviewRequest,
)
from nexus.collaboration.services import channels as channel_services
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.core.markdown import extract_mentions
from nexus.knowledge.demo import load_demo_knowledge
from nexus.notifications.models import Delivery, Notification, OutboxEvent

pytestmark = pytest.mark.django_db

NEXUS = "prodev-project-nexus"


@pytest.fixture
def people() -> dict[str, User]:
    people = load_demo_accounts()
    load_demo_knowledge(people)
    return people


@pytest.fixture
def load(people: dict[str, User], django_capture_on_commit_callbacks: Any) -> Callable[[], None]:
    """Load the demo as `load_demo` does: committed, so its events notify people."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            load_demo_collaboration(people)

    return run


@pytest.fixture
def loaded(people: dict[str, User], load: Callable[[], None]) -> dict[str, User]:
    load()
    return people


def counts() -> dict[str, int]:
    return {
        "channels": Channel.objects.count(),
        "memberships": Membership.objects.count(),
        "messages": Message.objects.count(),
        "reactions": Reaction.objects.count(),
        "review requests": ReviewRequest.objects.count(),
        "mentor profiles": MentorProfile.objects.count(),
        "notifications": Notification.objects.count(),
        "events": OutboxEvent.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def snapshot() -> list[Any]:
    """Every row the loader writes, with its counters, links and timestamps."""
    return [
        list(Channel.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Message.objects.order_by("pk").values()),
        list(Reaction.objects.order_by("pk").values()),
        list(ReviewRequest.objects.order_by("pk").values()),
        list(ReviewRequest.technologies.through.objects.order_by("pk").values()),
        list(MentorProfile.objects.order_by("pk").values()),
        list(MentorProfile.technologies.through.objects.order_by("pk").values()),
        list(MentorProfile.concepts.through.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values()),
    ]


def conversation(people: dict[str, User]) -> tuple[Message, list[Message]]:
    question = Message.objects.get(
        channel__slug=NEXUS, author=people["frontend"], parent__isnull=True
    )
    return question, list(question.replies.order_by("pk"))


# --- Idempotence ----------------------------------------------------------------------------


def test_loading_the_demo_collaboration_twice_creates_nothing_twice(load):
    load()
    first = counts()
    emails = len(mail.outbox)

    load()

    assert counts() == first
    assert len(mail.outbox) == emails
    assert first["channels"] == 2
    assert first["messages"] == 5
    assert first["reactions"] >= 2
    assert first["review requests"] == first["mentor profiles"] == 1
    assert first["notifications"] > 0


def test_loading_the_demo_collaboration_again_changes_nothing(loaded, load):
    before = snapshot()

    load()

    assert snapshot() == before


def test_the_load_demo_command_run_twice_loads_the_collaboration_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())
    first = counts()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())

    assert counts() == first
    assert Channel.objects.filter(slug__in=["announcements", NEXUS]).count() == 2


def test_a_message_deleted_since_is_not_posted_again_nor_its_thread(loaded, load):
    question, replies = conversation(loaded)
    channel_services.message_delete(actor=loaded["frontend"], message_id=question.pk)
    before = counts()

    load()

    assert counts() == before
    assert Message.objects.filter(channel__slug=NEXUS, author=loaded["frontend"]).count() == 2
    assert len(replies) == 2


def test_a_message_edited_since_is_kept_as_edited(loaded, load):
    _, replies = conversation(loaded)
    thanks = replies[1]
    channel_services.message_edit(
        actor=loaded["frontend"], message_id=thanks.pk, data={"body": "Works now, thanks!"}
    )
    before = counts()

    load()

    assert counts() == before
    thanks.refresh_from_db()
    assert thanks.body == "Works now, thanks!"


def test_nothing_is_posted_in_a_channel_staff_archived(people, load):
    channel_services.channel_create(
        actor=people["staff"], data={"name": "ProDev Project Nexus", "slug": NEXUS}
    )
    channel_services.channel_update(actor=people["staff"], slug=NEXUS, data={"is_archived": True})

    load()

    assert not Message.objects.filter(channel__slug=NEXUS).exists()
    assert Message.objects.filter(channel__slug="announcements").count() == 1


# --- The channels and the conversation ------------------------------------------------------


def test_the_announcement_channel_is_staffs_with_a_pinned_welcome(loaded):
    channel = Channel.objects.get(slug="announcements")
    announcement = Message.objects.get(channel=channel)

    assert channel.kind == Channel.Kind.ANNOUNCEMENT
    assert channel.created_by == loaded["staff"]
    assert announcement.author == loaded["staff"]
    assert announcement.is_pinned
    assert "Welcome" in announcement.body
    assert 'href="/api/docs/"' in announcement.body_html
    assert channel.message_count == 1


def test_every_demo_person_reads_the_pinned_announcement_first(loaded, as_user):
    for key in ("learner", "frontend", "mentor"):
        response = as_user(loaded[key]).get("/api/v1/announcements/")

        assert response.status_code == 200
        first = response.json()[0]
        assert first["is_pinned"]
        assert first["author"]["username"] == "demo-staff"


def test_everyone_but_staff_hears_of_the_announcement(loaded):
    told = set(
        Notification.objects.filter(kind="announcement").values_list(
            "recipient__username", flat=True
        )
    )

    assert told == {"demo-learner", "demo-frontend", "demo-mentor"}


def test_the_project_channel_is_public_with_the_journeys_topic(loaded):
    channel = Channel.objects.get(slug=NEXUS)
    members = set(channel.memberships.values_list("user__username", flat=True))

    assert channel.kind == Channel.Kind.PUBLIC
    assert not channel.is_archived
    for purpose in ("sharing ideas", "solving blockers", "staff announcements"):
        assert purpose in channel.topic
    assert members == {"demo-staff", "demo-learner", "demo-frontend", "demo-mentor"}
    assert channel.cohort is not None
    assert channel.cohort.slug == "prodev-backend-2026"


def test_the_frontend_learner_asks_for_challenges_with_their_authors_in_one_request(loaded):
    question, _ = conversation(loaded)

    assert "one request" in question.body
    assert "authors" in question.body
    assert "/api/v1/challenges/" in question.body
    assert question.reply_count == 2


def test_the_backend_learner_answers_in_the_thread_mentioning_and_linking_the_docs(loaded):
    question, replies = conversation(loaded)
    answer = replies[0]

    assert answer.author == loaded["learner"]
    assert answer.parent_id == question.pk
    assert extract_mentions(answer.body) == ["demo-frontend"]
    assert 'href="/api/docs/"' in answer.body_html
    assert replies[1].author == loaded["frontend"]


def test_the_mention_notifies_and_emails_the_frontend_learner_once(people, load):
    load()
    load()

    mention = Notification.objects.get(kind="mentioned")
    assert mention.recipient == people["frontend"]
    assert [message.to for message in mail.outbox] == [["frontend@demo.nexus"]]


def test_the_conversation_has_reactions_and_a_staff_message(loaded):
    question, replies = conversation(loaded)
    answer = replies[0]

    assert answer.reactions.filter(user=loaded["frontend"]).exists()
    assert question.reactions.exists()
    assert Message.objects.filter(
        channel__slug=NEXUS, author=loaded["staff"], parent__isnull=True
    ).exists()


def test_counters_and_read_markers_match_the_messages(loaded):
    for channel in Channel.objects.all():
        messages = Message.objects.filter(channel=channel)
        assert channel.message_count == messages.count()
        assert channel.last_message_id == messages.order_by("-pk").first().pk  # type: ignore[union-attr]
    for message in Message.objects.filter(parent__isnull=True):
        assert message.reply_count == message.replies.count()
    for membership in Membership.objects.select_related("user"):
        own = Message.objects.filter(channel=membership.channel_id, author=membership.user)
        if own.exists():
            assert membership.last_read_id >= own.order_by("-pk").first().pk  # type: ignore[union-attr]


# --- The review request and the mentor ------------------------------------------------------


def test_the_backend_learner_has_an_open_review_request_for_any_track(loaded):
    review = ReviewRequest.objects.get()
    technologies = set(review.technologies.values_list("slug", flat=True))

    assert review.author == loaded["learner"]
    assert review.status == ReviewRequest.Status.OPEN
    assert review.reviewer_track == ReviewRequest.ReviewerTrack.ANY
    assert review.url.startswith("https://github.com/")
    assert "/pull/" in review.url
    assert {"django", "django-rest-framework"} <= technologies
    assert review.focus_html.strip()


def test_the_mentor_offers_mentoring_with_room_for_mentees(loaded):
    profile = MentorProfile.objects.get(user=loaded["mentor"])
    technologies = set(profile.technologies.values_list("slug", flat=True))
    concepts = set(profile.concepts.values_list("slug", flat=True))

    assert profile.capacity == 3
    assert profile.active_count < profile.capacity
    assert profile.is_accepting
    assert profile.about.strip()
    assert {"celery", "redis", "docker"} <= technologies
    assert "system-design" in concepts


def test_a_demo_learner_can_ask_the_demo_mentor_and_be_taken_on(loaded):
    asked = mentoring_services.mentorship_request(
        actor=loaded["frontend"],
        data={"mentor": "demo-mentor", "goals": "Understand background jobs end to end."},
    )

    accepted = mentoring_services.mentorship_accept(actor=loaded["mentor"], mentorship_id=asked.pk)

    assert accepted.status == Mentorship.Status.ACTIVE
    assert MentorProfile.objects.get(user=loaded["mentor"]).active_count == 1


def test_a_mentor_profile_changed_since_is_kept(loaded, load):
    mentoring_services.mentor_profile_update(
        actor=loaded["mentor"], data={"capacity": 1, "is_accepting": False}
    )

    load()

    profile = MentorProfile.objects.get(user=loaded["mentor"])
    assert (profile.capacity, profile.is_accepting) == (1, False)
