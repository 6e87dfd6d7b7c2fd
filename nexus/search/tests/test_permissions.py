"""Search finds only what its reader may read, whoever the reader is."""

from __future__ import annotations

import pytest

from nexus.accounts.models import User
from nexus.challenges import services as challenge_services
from nexus.collaboration.services import channels as channel_services
from nexus.knowledge import services as knowledge_services
from nexus.search import services
from nexus.search.tests.conftest import SEARCH_URL, SUGGEST_URL, found

pytestmark = pytest.mark.django_db

# Each piece of content carries one made-up word, so a search for it finds it or not.
EVERYONE = {"published", "visiblechallenge", "visiblesolution", "person"}
SIGNED_IN = EVERYONE | {"publicmessage"}


@pytest.fixture
def answerer(user_factory):
    return user_factory(username="answerer")


@pytest.fixture
def content(
    learner,
    answerer,
    mentor,
    staff,
    user_factory,
    write_guide,
    write_challenge,
    open_channel,
    post,
    django_capture_on_commit_callbacks,
):
    """Content of every visibility, written through the services.

    `learner` wrote the draft (co-edited by `mentor`), the hidden challenge and
    the private channel, whose other member is `mentor`; `answerer` wrote the
    hidden solution, `mentor` a solution to the hidden challenge. `other` is a
    signed-in stranger to all of it.
    """
    with django_capture_on_commit_callbacks(execute=True):
        write_guide(title="Published zebra guide", body="published", status="published")
        draft = write_guide(title="Draft zebra guide", body="draft")
        knowledge_services.guide_update(
            actor=learner, slug=draft.slug, data={"co_editors": [mentor.username]}
        )
        gone = write_guide(title="Deleted zebra guide", body="deletedguide", status="published")
        knowledge_services.guide_delete(actor=learner, slug=gone.slug)

        visible = write_challenge(title="Visible zebra challenge", body="visiblechallenge")
        challenge_services.solution_create(
            actor=answerer, challenge_id=visible.pk, data={"body": "zebra visiblesolution"}
        )
        hidden_solution = challenge_services.solution_create(
            actor=answerer, challenge_id=visible.pk, data={"body": "zebra hiddensolution"}
        )
        challenge_services.content_hide(
            actor=staff, target="solution", target_id=hidden_solution.pk, reason="Off topic."
        )
        hidden = write_challenge(title="Hidden zebra challenge", body="hiddenchallenge")
        challenge_services.solution_create(
            actor=mentor, challenge_id=hidden.pk, data={"body": "zebra solutionofhidden"}
        )
        challenge_services.content_hide(
            actor=staff, target="challenge", target_id=hidden.pk, reason="Spam."
        )
        deleted = write_challenge(title="Deleted zebra challenge", body="deletedchallenge")
        challenge_services.challenge_delete(actor=learner, challenge_id=deleted.pk)

        open_channel("zebra-public")
        post("zebra-public", "zebra publicmessage")
        open_channel("zebra-private", kind="private")
        channel_services.member_invite(
            actor=learner, slug="zebra-private", username=mentor.username
        )
        post("zebra-private", "zebra privatemessage")
        removed = post("zebra-public", "zebra deletedmessage")
        channel_services.message_delete(actor=learner, message_id=removed.pk)

        user_factory(username="zebra-person", display_name="Zebra person", bio="person")
        user_factory(
            username="zebra-gone", display_name="Zebra gone", bio="inactiveperson", is_active=False
        )
        services.reindex(kinds=["user"])  # the factory writes people without the services


def words_found(client):
    """The made-up words of what a search for 'zebra' finds."""
    results = client.get(SEARCH_URL, {"q": "zebra", "limit": 50}).json()["results"]
    words = set()
    for result in results:
        if result["type"] == "user":
            words.add(User.objects.get(pk=result["id"]).profile.bio)
        else:
            text = result["snippet"].replace("<mark>", "").replace("</mark>", "")
            words.update(word for word in text.split() if word != "zebra")
    return words


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("anonymous", EVERYONE),
        ("other", SIGNED_IN),
        # The author of the draft, the hidden challenge (with its visible
        # solution) and the private channel.
        ("learner", SIGNED_IN | {"draft", "hiddenchallenge", "solutionofhidden", "privatemessage"}),
        # The author of the hidden solution.
        ("answerer", SIGNED_IN | {"hiddensolution"}),
        # A co-editor of the draft, a member of the private channel, and the
        # author of a solution to a hidden challenge, which they no longer see.
        ("mentor", SIGNED_IN | {"draft", "privatemessage"}),
        (
            "staff",
            SIGNED_IN
            | {"draft", "hiddenchallenge", "hiddensolution", "solutionofhidden", "privatemessage"},
        ),
    ],
)
def test_each_reader_finds_exactly_what_they_may_read(
    request, api_client, as_user, content, reader, expected
):
    client = api_client if reader == "anonymous" else as_user(request.getfixturevalue(reader))

    assert words_found(client) == expected


def test_a_hidden_solution_is_its_authors_not_the_challenge_authors(
    as_user, content, answerer, learner
):
    mine = as_user(answerer).get(SEARCH_URL, {"q": "hiddensolution"})
    theirs = as_user(learner).get(SEARCH_URL, {"q": "hiddensolution"})

    assert [kind for kind, _ in found(mine)] == ["solution"]
    assert found(theirs) == []


def test_deleted_content_and_inactive_people_are_found_by_nobody(
    as_user, api_client, content, staff
):
    for word in ("deletedguide", "deletedchallenge", "deletedmessage", "inactiveperson"):
        assert found(as_user(staff).get(SEARCH_URL, {"q": word})) == []
        assert found(api_client.get(SEARCH_URL, {"q": word})) == []


def test_filtering_by_type_never_widens_what_a_reader_sees(api_client, as_user, content, other):
    for client in (api_client, as_user(other)):
        everything = set(found(client.get(SEARCH_URL, {"q": "zebra", "limit": 50})))
        by_type = set()
        for kind in ("guide", "challenge", "solution", "message", "user"):
            results = found(client.get(SEARCH_URL, {"q": "zebra", "type": kind}))
            assert {found_kind for found_kind, _ in results} <= {kind}
            by_type.update(results)
        assert by_type == everything
    assert found(api_client.get(SEARCH_URL, {"q": "zebra", "type": "message"})) == []


def test_suggestions_keep_drafts_and_hidden_titles_to_those_allowed(
    api_client, as_user, content, learner, staff
):
    def titles(client):
        return {s["title"] for s in client.get(SUGGEST_URL, {"q": "zebra"}).json()["results"]}

    public = {"Published zebra guide", "Visible zebra challenge"}
    assert titles(api_client) == public
    assert titles(as_user(learner)) == public | {"Draft zebra guide", "Hidden zebra challenge"}
    assert titles(as_user(staff)) == public | {"Draft zebra guide", "Hidden zebra challenge"}


def test_what_becomes_visible_is_found_at_once_and_what_is_hidden_is_gone_at_once(
    api_client, as_user, content, learner, other, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = knowledge_services.guide_update(
            actor=learner,
            slug="draft-zebra-guide",
            data={"status": "published"},
        )
        hidden = found(as_user(staff).get(SEARCH_URL, {"q": "hiddenchallenge"}))[0][1]
        challenge_services.content_hide(
            actor=staff, target="challenge", target_id=hidden, reason=None, hidden=False
        )
        channel_services.member_invite(actor=learner, slug="zebra-private", username=other.username)
        visible = found(api_client.get(SEARCH_URL, {"q": "visiblechallenge"}))[0][1]
        challenge_services.content_hide(
            actor=staff, target="challenge", target_id=visible, reason="Moderated."
        )

    assert draft.status == "published"
    assert found(api_client.get(SEARCH_URL, {"q": "draft"}))
    assert found(api_client.get(SEARCH_URL, {"q": "hiddenchallenge"}))
    assert found(api_client.get(SEARCH_URL, {"q": "solutionofhidden"}))
    assert found(as_user(other).get(SEARCH_URL, {"q": "privatemessage"}))
    assert found(api_client.get(SEARCH_URL, {"q": "visiblechallenge"})) == []
    # Its solutions went with it: they are read only with their challenge.
    assert found(api_client.get(SEARCH_URL, {"q": "visiblesolution"})) == []
    assert found(as_user(learner).get(SEARCH_URL, {"q": "visiblesolution"}))
