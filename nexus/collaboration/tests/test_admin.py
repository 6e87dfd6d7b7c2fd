from __future__ import annotations

import pytest

from nexus.accounts.demo import load_demo_accounts
from nexus.accounts.models import User
from nexus.collaboration.demo import load_demo_collaboration
from nexus.collaboration.models import (
    Channel,
    MentorProfile,
    Mentorship,
    Message,
    MessageRevision,
    ReviewRequest,
)
from nexus.collaboration.services import channels as channel_services
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.collaboration.services import reviews as review_services
from nexus.knowledge.demo import load_demo_knowledge

pytestmark = pytest.mark.django_db

ADMIN = "/admin/collaboration"


@pytest.fixture
def people() -> dict[str, User]:
    """The demo hub, with a claimed and reviewed request, an edit and a mentorship."""
    people = load_demo_accounts()
    load_demo_knowledge(people)
    load_demo_collaboration(people)
    review = ReviewRequest.objects.get()
    review_services.review_request_claim(actor=people["mentor"], request_id=review.pk)
    review_services.review_feedback_create(
        actor=people["mentor"],
        request_id=review.pk,
        data={"verdict": "approve", "body": "Constant query count: nice.", "rating": 5},
    )
    reply = Message.objects.filter(author=people["frontend"], parent__isnull=False).get()
    channel_services.message_edit(
        actor=people["frontend"], message_id=reply.pk, data={"body": "That did it, thanks!"}
    )
    mentoring_services.mentorship_request(
        actor=people["frontend"], data={"mentor": "demo-mentor", "goals": "Learn Celery."}
    )
    return people


@pytest.fixture
def admin_client_(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


def test_every_collaboration_admin_page_loads_for_a_superuser(admin_client_, people):
    channel = Channel.objects.get(slug="prodev-project-nexus")
    message = MessageRevision.objects.get().message
    review = ReviewRequest.objects.get()
    profile = MentorProfile.objects.get()
    mentorship = Mentorship.objects.get()

    for url in (
        f"{ADMIN}/",
        f"{ADMIN}/channel/",
        f"{ADMIN}/channel/?kind__exact=announcement&is_archived__exact=0",
        f"{ADMIN}/channel/?q=nexus",
        f"{ADMIN}/channel/{channel.pk}/change/",
        f"{ADMIN}/message/",
        f"{ADMIN}/message/?channel__id__exact={channel.pk}&deleted_at__isempty=1",
        f"{ADMIN}/message/?q=request",
        f"{ADMIN}/message/{message.pk}/change/",
        f"{ADMIN}/reviewrequest/",
        f"{ADMIN}/reviewrequest/?status__exact=in_review&reviewer_track__exact=any",
        f"{ADMIN}/reviewrequest/{review.pk}/change/",
        f"{ADMIN}/mentorprofile/",
        f"{ADMIN}/mentorprofile/{profile.pk}/change/",
        f"{ADMIN}/mentorship/",
        f"{ADMIN}/mentorship/?status__exact=requested",
        f"{ADMIN}/mentorship/{mentorship.pk}/change/",
    ):
        response = admin_client_.get(url)
        assert response.status_code == 200, url


def test_the_change_pages_show_their_inlines(admin_client_, people):
    channel = Channel.objects.get(slug="prodev-project-nexus")
    review = ReviewRequest.objects.get()

    channel_page = admin_client_.get(f"{ADMIN}/channel/{channel.pk}/change/").content.decode()
    review_page = admin_client_.get(f"{ADMIN}/reviewrequest/{review.pk}/change/").content.decode()

    assert "demo-frontend" in channel_page
    assert "Constant query count: nice." in review_page


def test_what_services_write_cannot_be_added_edited_or_deleted_in_the_admin(admin_client_, people):
    message = Message.objects.first()
    review = ReviewRequest.objects.get()
    channel = Channel.objects.get(slug="announcements")
    assert message is not None

    for url in (
        f"{ADMIN}/channel/add/",
        f"{ADMIN}/channel/{channel.pk}/delete/",
        f"{ADMIN}/message/add/",
        f"{ADMIN}/message/{message.pk}/delete/",
        f"{ADMIN}/reviewrequest/add/",
        f"{ADMIN}/reviewrequest/{review.pk}/delete/",
        f"{ADMIN}/mentorprofile/add/",
        f"{ADMIN}/mentorship/add/",
    ):
        assert admin_client_.get(url).status_code == 403, url
    before = Message.objects.get(pk=message.pk).body
    admin_client_.post(f"{ADMIN}/message/{message.pk}/change/", {"body": "Rewritten."})
    assert Message.objects.get(pk=message.pk).body == before


def test_staff_rename_and_archive_a_channel_through_the_service(admin_client_, people):
    channel = Channel.objects.get(slug="prodev-project-nexus")

    response = admin_client_.post(
        f"{ADMIN}/channel/{channel.pk}/change/",
        {
            "name": "Project Nexus",
            "topic": channel.topic,
            "is_archived": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.is_archived, channel.slug) == (
        "Project Nexus",
        True,
        "prodev-project-nexus",
    )


def test_the_archive_action_archives_and_reopens_channels(admin_client_, people):
    channel = Channel.objects.get(slug="prodev-project-nexus")

    for action, archived in (("archive", True), ("unarchive", False)):
        response = admin_client_.post(
            f"{ADMIN}/channel/", {"action": action, "_selected_action": [channel.pk]}
        )
        assert response.status_code == 302
        channel.refresh_from_db()
        assert channel.is_archived is archived


def test_the_remove_action_soft_deletes_messages_and_keeps_their_replies(admin_client_, people):
    question = Message.objects.get(author=people["frontend"], parent__isnull=True)

    response = admin_client_.post(
        f"{ADMIN}/message/", {"action": "remove", "_selected_action": [question.pk]}
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.is_deleted
    assert question.replies.count() == 2
