from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from nexus.accounts.models import Profile
from nexus.accounts.tests.factories import CohortFactory
from nexus.challenges import services
from nexus.challenges.models import (
    Challenge,
    Comment,
    Follow,
    ModerationAction,
    ReputationEvent,
    Solution,
    Vote,
)
from nexus.core import cache
from nexus.notifications import events
from nexus.notifications.models import OutboxEvent

pytestmark = pytest.mark.django_db

CHALLENGES = "/api/v1/challenges/"


def reputation(user):
    return Profile.objects.get(user=user).reputation


def challenge_url(challenge, suffix=""):
    return f"{CHALLENGES}{challenge.pk if hasattr(challenge, 'pk') else challenge}/{suffix}"


def solution_url(solution, suffix=""):
    return f"/api/v1/solutions/{solution.pk}/{suffix}"


def test_a_challenge_is_posted_solved_voted_accepted_and_shows_solved_everywhere(
    as_user, api_client, learner, peer, peer_two, user_factory, celery_tech
):
    posted = as_user(learner).post(
        CHALLENGES,
        {
            "title": "Celery tasks fail after ten minutes",
            "body": "My long task dies.\n\n```python\n@shared_task\ndef crunch(): ...\n```",
            "technologies": ["celery"],
            "tags": ["timeouts"],
        },
    )
    assert posted.status_code == 201, posted.json()
    challenge_id = posted.json()["id"]
    assert posted.json()["status"] == "open"
    assert posted.json()["is_following"] is True

    first = as_user(peer).post(f"{CHALLENGES}{challenge_id}/solutions/", {"body": "Chunk it."})
    second = as_user(peer_two).post(f"{CHALLENGES}{challenge_id}/solutions/", {"body": "Retry."})
    assert first.status_code == second.status_code == 201

    voter = user_factory()
    assert as_user(voter).post(f"{CHALLENGES}{challenge_id}/vote/", {"value": 1}).json() == {
        "score": 1,
        "my_vote": 1,
    }
    as_user(voter).post(f"/api/v1/solutions/{first.json()['id']}/vote/", {"value": 1})
    as_user(voter).post(f"/api/v1/solutions/{second.json()['id']}/vote/", {"value": -1})
    assert (reputation(learner), reputation(peer), reputation(peer_two)) == (5, 10, -2)

    accepted = as_user(learner).post(f"/api/v1/solutions/{first.json()['id']}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["is_accepted"] is True
    assert (reputation(learner), reputation(peer), reputation(peer_two)) == (7, 25, -2)

    detail = api_client.get(f"{CHALLENGES}{challenge_id}/").json()
    assert detail["status"] == "solved"
    assert detail["accepted_solution"] == first.json()["id"]
    assert [s["id"] for s in detail["solutions"]] == [first.json()["id"], second.json()["id"]]
    solved = api_client.get(f"{CHALLENGES}?status=solved").json()["results"]
    assert [c["id"] for c in solved] == [challenge_id]
    board = api_client.get("/api/v1/leaderboard/").json()
    assert [(r["user"]["username"], r["points"]) for r in board] == [
        (peer.username, 25),
        (learner.username, 7),
    ]


def test_accepting_another_solution_moves_the_mark_and_the_reputation(
    as_user, learner, peer, peer_two, make_challenge, solve
):
    challenge = make_challenge()
    first, second = solve(challenge), solve(challenge, author=peer_two)
    client = as_user(learner)

    client.post(solution_url(first, "accept/"))
    client.post(solution_url(second, "accept/"))

    challenge.refresh_from_db()
    assert challenge.accepted_solution_id == second.pk
    assert Solution.objects.get(pk=first.pk).is_accepted is False
    assert (reputation(peer), reputation(peer_two), reputation(learner)) == (0, 15, 2)


def test_unaccepting_reopens_the_challenge_and_takes_the_points_back(
    as_user, learner, peer, make_challenge, solve
):
    challenge = make_challenge()
    solution = solve(challenge)
    as_user(learner).post(solution_url(solution, "accept/"))

    response = as_user(learner).delete(solution_url(solution, "accept/"))

    assert response.status_code == 200
    challenge.refresh_from_db()
    assert (challenge.status, challenge.accepted_solution_id) == ("open", None)
    assert (reputation(peer), reputation(learner)) == (0, 0)
    assert not ReputationEvent.objects.exists()


def test_only_the_challenge_author_or_staff_accepts(
    as_user, peer, peer_two, staff, make_challenge, solve
):
    challenge = make_challenge()
    solution = solve(challenge)

    refused = as_user(peer_two).post(solution_url(solution, "accept/"))
    self_accept = as_user(peer).post(solution_url(solution, "accept/"))
    by_staff = as_user(staff).post(solution_url(solution, "accept/"))

    assert refused.status_code == self_accept.status_code == 403
    assert by_staff.status_code == 200


def test_votes_change_and_withdraw_and_keep_scores_and_reputation_exact(
    as_user, learner, peer, make_challenge, solve
):
    challenge = make_challenge()
    client = as_user(peer)

    assert client.post(challenge_url(challenge, "vote/"), {"value": 1}).json()["score"] == 1
    assert client.post(challenge_url(challenge, "vote/"), {"value": 1}).json()["score"] == 1
    assert client.post(challenge_url(challenge, "vote/"), {"value": -1}).json()["score"] == -1
    assert reputation(learner) == -2
    assert client.post(challenge_url(challenge, "vote/"), {"value": 0}).json()["score"] == 0

    assert reputation(learner) == 0
    assert not Vote.objects.exists()
    assert not ReputationEvent.objects.exists()
    assert Challenge.objects.get(pk=challenge.pk).score == 0


@pytest.mark.parametrize("value", [2, -2, "1", True, None, 0.5, [1]])
def test_a_vote_other_than_minus_one_zero_or_one_is_refused(as_user, peer, make_challenge, value):
    challenge = make_challenge()

    response = as_user(peer).post(
        challenge_url(challenge, "vote/"), {"value": value}, format="json"
    )

    assert response.status_code == 400
    assert "value" in response.json()["errors"]
    assert not Vote.objects.exists()


def test_nobody_votes_on_their_own_post(as_user, learner, peer, make_challenge, solve):
    challenge = make_challenge()
    solution = solve(challenge)

    own_challenge = as_user(learner).post(challenge_url(challenge, "vote/"), {"value": 1})
    own_solution = as_user(peer).post(solution_url(solution, "vote/"), {"value": 1})

    assert own_challenge.status_code == own_solution.status_code == 403
    assert not Vote.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_votes_make_a_score_of_exactly_fifty(user_factory, make_challenge):
    challenge = make_challenge()
    voters = [user_factory() for _ in range(50)]
    barrier = threading.Barrier(50)
    failures = []

    def vote(user):
        try:
            barrier.wait()
            services.vote_cast(actor=user, target="challenge", target_id=challenge.pk, value=1)
        except Exception as exc:  # surfaced by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(user,)) for user in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Challenge.objects.get(pk=challenge.pk).score == 50
    assert Vote.objects.filter(challenge=challenge).count() == 50
    assert reputation(challenge.author) == 250


@pytest.mark.django_db(transaction=True)
def test_the_write_paths_work_outside_a_test_transaction(as_user, learner, peer, celery_tech):
    """Each write opens its own transaction (row locks need one); the other tests
    run inside one, which would hide a service that forgot."""
    posted = as_user(learner).post(
        CHALLENGES,
        {
            "title": "Celery retries twice after a timeout",
            "body": "Why?",
            "technologies": ["celery"],
        },
    )
    challenge_id = posted.json()["id"]
    answered = as_user(peer).post(challenge_url(challenge_id, "solutions/"), {"body": "Acks late."})
    solution_id = answered.json()["id"]
    commented = as_user(learner).post(f"/api/v1/solutions/{solution_id}/comments/", {"body": "Ta"})
    voted = as_user(learner).post(f"/api/v1/solutions/{solution_id}/vote/", {"value": 1})
    accepted = as_user(learner).post(f"/api/v1/solutions/{solution_id}/accept/")

    codes = [r.status_code for r in (posted, answered, commented, voted, accepted)]
    assert codes == [201, 201, 201, 200, 200]
    assert Challenge.objects.get(pk=challenge_id).status == Challenge.Status.SOLVED
    assert Follow.objects.filter(user=peer, challenge_id=challenge_id).exists()


def test_a_posted_solution_is_answered_as_a_read_shows_it(as_user, learner, peer, make_challenge):
    """The POST answers with the solution as a GET shows it afterwards."""
    challenge = make_challenge(author=learner)
    posted = as_user(peer).post(
        challenge_url(challenge, "solutions/"),
        {"body": "Use `acks_late` and **idempotent** tasks."},
    )
    assert posted.status_code == 201
    read = as_user(peer).get(f"/api/v1/solutions/{posted.json()['id']}/")
    assert posted.json() == read.json()
    assert posted.json()["author"]["username"] == peer.username
    assert "<strong>idempotent</strong>" in posted.json()["body_html"]


@pytest.mark.postgres
def test_posting_a_solution_takes_ten_statements(
    as_user, peer, make_challenge, django_assert_num_queries
):
    """The user (with profile), the savepoint, the locked challenge, the solution,
    the challenge's count, the follow, the outbox event, the savepoint's release,
    then the solution and its comments read back for the answer. The event's
    publish and the search document wait for a commit a test's transaction never
    reaches."""
    challenge = make_challenge()
    client = as_user(peer)

    with django_assert_num_queries(10):
        response = client.post(challenge_url(challenge, "solutions/"), {"body": "Chunk it."})

    assert response.status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_relay_mode_posting_a_solution_only_notifies_the_relay(
    as_user, peer, make_challenge, settings, django_assert_num_queries
):
    """OUTBOX_RELAY: the whole request, its commit and on-commit hooks included, is
    the statements above with BEGIN and COMMIT for the savepoint's and the relay
    notified after the event is written, and after the commit the solution's
    search document (the solution and its links read, the document written);
    nothing is published or marked after the commit."""
    settings.NEXUS_OUTBOX_RELAY = True
    challenge = make_challenge()
    client = as_user(peer)
    listener = connections.create_connection(DEFAULT_DB_ALIAS)
    listener.ensure_connection()
    try:
        listener.connection.execute(f"LISTEN {events.RELAY_CHANNEL}")

        with django_assert_num_queries(14):
            response = client.post(challenge_url(challenge, "solutions/"), {"body": "Chunk it."})

        assert response.status_code == 201
        woken = list(listener.connection.notifies(timeout=2, stop_after=1))
    finally:
        listener.close()
    assert [n.channel for n in woken] == [events.RELAY_CHANNEL]
    event = OutboxEvent.objects.get(payload__solution_id=response.json()["id"])
    assert (event.name, event.published_at, event.publish_attempts) == (
        "solution.created",
        None,
        0,
    )


def test_a_refused_solution_writes_nothing(as_user, learner, peer, staff, make_challenge):
    """Answering checks the challenge and the body before it writes: a refusal leaves
    no solution, no follow, no counter moved and no event in the outbox."""
    closed = make_challenge()
    services.challenge_close(actor=staff, challenge_id=closed.pk, reason="Off topic")
    hidden = make_challenge(title="A challenge staff will hide")
    services.content_hide(actor=staff, target="challenge", target_id=hidden.pk, reason="Spam")
    original = make_challenge(title="The challenge asked first")
    duplicate = make_challenge(title="The same challenge asked again")
    services.challenge_mark_duplicate(
        actor=staff, challenge_id=duplicate.pk, original_id=original.pk
    )
    open_one = make_challenge(title="A challenge open for answers")

    def state():
        return (
            list(Challenge.objects.values("pk", "solution_count", "last_activity_at")),
            list(Follow.objects.values_list("user_id", "challenge_id")),
            list(OutboxEvent.objects.values_list("pk", flat=True)),
        )

    before = state()

    refused = [
        as_user(peer).post(challenge_url(closed, "solutions/"), {"body": "x"}),
        as_user(peer).post(challenge_url(hidden, "solutions/"), {"body": "x"}),
        as_user(learner).post(challenge_url(hidden, "solutions/"), {"body": "x"}),
        as_user(peer).post(challenge_url(duplicate, "solutions/"), {"body": "x"}),
        as_user(peer).post(challenge_url(open_one, "solutions/"), {"body": "  "}),
        as_user(peer).post(challenge_url(open_one, "solutions/"), {"body": 7}),
        as_user(peer).post(challenge_url(open_one, "solutions/"), {"body": "x", "extra": 1}),
        as_user(peer).post(f"{CHALLENGES}999999/solutions/", {"body": "x"}),
    ]

    assert [r.status_code for r in refused] == [400, 404, 400, 400, 400, 400, 400, 404]
    assert state() == before
    assert not Solution.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "too short", "body": "x"}, "title"),
        ({"title": "t" * 201, "body": "x"}, "title"),
        ({"title": "A perfectly fine title", "body": ""}, "body"),
        ({"title": "A perfectly fine title", "body": "x" * 50_001}, "body"),
        (
            {"title": "A perfectly fine title", "body": "x", "technologies": ["nope"]},
            "technologies",
        ),
        ({"title": "A perfectly fine title", "body": "x", "concepts": ["nope"]}, "concepts"),
        ({"title": "A perfectly fine title", "body": 3}, "body"),
        ({"title": "A perfectly fine title", "body": "x", "status": "solved"}, "status"),
    ],
)
def test_bad_challenge_input_is_refused_and_stores_nothing(
    as_user, learner, celery_tech, settings, payload, field
):
    settings.MAX_REQUEST_BYTES = 10 * 1024 * 1024

    response = as_user(learner).post(CHALLENGES, payload)

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Challenge.objects.exists()


def test_editing_a_challenge_keeps_revisions_and_refuses_a_stale_base(
    as_user, learner, staff, make_challenge
):
    challenge = make_challenge()
    base = challenge.current_revision_id

    edited = as_user(learner).patch(
        challenge_url(challenge), {"body": "More detail.", "base_revision": base}
    )
    stale = as_user(staff).patch(
        challenge_url(challenge), {"body": "Staff.", "base_revision": base}
    )

    assert edited.status_code == 200
    assert stale.status_code == 409
    assert stale.json()["current_revision"]["body"] == "More detail."
    history = as_user(learner).get(challenge_url(challenge, "revisions/")).json()["results"]
    assert [r["number"] for r in history] == [2, 1]


def test_another_learner_cannot_edit_or_delete_a_challenge(as_user, peer, make_challenge):
    challenge = make_challenge()
    base = challenge.current_revision_id

    assert (
        as_user(peer)
        .patch(challenge_url(challenge), {"body": "x", "base_revision": base})
        .status_code
        == 403
    )
    assert as_user(peer).delete(challenge_url(challenge)).status_code == 403
    assert Challenge.objects.get(pk=challenge.pk).deleted_at is None


def test_a_solution_on_another_challenge_cannot_be_accepted_by_this_author(
    as_user, learner, user_factory, make_challenge, solve
):
    other_author = user_factory()
    other_challenge = make_challenge(author=other_author)
    foreign = solve(other_challenge)

    response = as_user(learner).post(solution_url(foreign, "accept/"))

    assert response.status_code == 403
    assert Solution.objects.get(pk=foreign.pk).is_accepted is False


def test_closed_and_duplicate_challenges_take_no_solutions_or_comments(
    as_user, staff, peer, make_challenge
):
    original = make_challenge(title="How do I retry Celery tasks?")
    closed = make_challenge()
    duplicate = make_challenge(title="Retrying a Celery task, how?")
    as_user(staff).post(challenge_url(closed, "close/"), {"reason": "Off topic"})
    marked = as_user(staff).post(
        challenge_url(duplicate, "duplicate/"), {"original": original.pk, "reason": "Asked before"}
    )
    assert marked.json()["status"] == "duplicate"
    assert marked.json()["duplicate_of"] == original.pk

    for target in (closed, duplicate):
        solution = as_user(peer).post(challenge_url(target, "solutions/"), {"body": "x"})
        comment = as_user(peer).post(challenge_url(target, "comments/"), {"body": "x"})
        assert solution.status_code == comment.status_code == 400
    assert not Solution.objects.exists()
    assert not Comment.objects.exists()
    log = as_user(staff).get("/api/v1/moderation-log/").json()["results"]
    assert [(e["action"], e["target_id"]) for e in log] == [
        ("mark_duplicate", duplicate.pk),
        ("close", closed.pk),
    ]
    assert log[0]["details"] == {"original": original.pk}


def test_staff_reopen_and_learners_cannot_moderate_or_read_the_log(
    as_user, learner, staff, make_challenge
):
    challenge = make_challenge()

    assert as_user(learner).post(challenge_url(challenge, "close/")).status_code == 403
    assert as_user(learner).get("/api/v1/moderation-log/").status_code == 404
    as_user(staff).post(challenge_url(challenge, "close/"))
    reopened = as_user(staff).post(challenge_url(challenge, "reopen/"), {"reason": "Back"})

    assert reopened.json()["status"] == "open"
    assert ModerationAction.objects.filter(actor=staff).count() == 2
    assert not ModerationAction.objects.filter(actor=learner).exists()


@pytest.mark.parametrize("original", [None, "x", 0, -1, 999999, "self"])
def test_marking_a_duplicate_needs_a_real_other_challenge(as_user, staff, make_challenge, original):
    challenge = make_challenge()
    value = challenge.pk if original == "self" else original

    response = as_user(staff).post(challenge_url(challenge, "duplicate/"), {"original": value})

    assert response.status_code == 400
    assert Challenge.objects.get(pk=challenge.pk).status == "open"


def test_hidden_content_disappears_for_others_and_stays_for_its_author(
    api_client, as_user, learner, peer, peer_two, staff, make_challenge, solve
):
    challenge = make_challenge()
    solution = solve(challenge)
    response = as_user(staff).post(solution_url(solution, "hide/"), {"reason": "Copied code"})
    assert response.status_code == 200

    for_others = as_user(peer_two).get(challenge_url(challenge)).json()
    for_author = as_user(peer).get(challenge_url(challenge)).json()
    assert for_others["solutions"] == []
    assert for_others["solution_count"] == 0
    assert [s["hidden_reason"] for s in for_author["solutions"]] == ["Copied code"]
    for_staff = as_user(staff).get(challenge_url(challenge)).json()
    assert [s["id"] for s in for_staff["solutions"]] == [solution.pk]
    assert api_client.get(solution_url(solution)).status_code == 404
    assert (
        as_user(peer_two).post(solution_url(solution, "comments/"), {"body": "?"}).status_code
        == 404
    )
    assert as_user(peer).post(solution_url(solution, "comments/"), {"body": "?"}).status_code == 400

    as_user(staff).post(challenge_url(challenge, "hide/"), {"reason": "Spam"})
    assert api_client.get(challenge_url(challenge)).status_code == 404
    assert as_user(learner).get(challenge_url(challenge)).json()["hidden_reason"] == "Spam"
    assert challenge.pk not in [c["id"] for c in api_client.get(CHALLENGES).json()["results"]]


def test_hiding_needs_a_reason_and_staff(as_user, learner, staff, make_challenge):
    challenge = make_challenge()

    no_reason = as_user(staff).post(challenge_url(challenge, "hide/"))
    by_learner = as_user(learner).post(challenge_url(challenge, "hide/"), {"reason": "mine"})

    assert no_reason.status_code == 400
    assert by_learner.status_code == 403
    assert Challenge.objects.get(pk=challenge.pk).is_hidden is False


def test_comments_are_edited_by_their_author_for_a_while_and_removed_by_staff(
    as_user, peer, peer_two, staff, make_challenge
):
    challenge = make_challenge()
    created = as_user(peer).post(challenge_url(challenge, "comments/"), {"body": "Which broker?"})
    comment_id = created.json()["id"]
    url = f"/api/v1/comments/{comment_id}/"

    assert as_user(peer).patch(url, {"body": "Which broker, RabbitMQ?"}).status_code == 200
    assert as_user(peer_two).patch(url, {"body": "hijack"}).status_code == 403
    Comment.objects.filter(pk=comment_id).update(created_at=timezone.now() - timedelta(hours=1))
    assert as_user(peer).patch(url, {"body": "late"}).status_code == 403
    assert as_user(peer_two).delete(url).status_code == 403
    assert as_user(staff).delete(url).status_code == 204

    assert Challenge.objects.get(pk=challenge.pk).comment_count == 0
    assert as_user(peer).get(challenge_url(challenge, "comments/")).json()["results"] == []


def test_follow_and_bookmark_are_idempotent_and_listed(as_user, peer, make_challenge):
    challenge = make_challenge()
    client = as_user(peer)

    for _ in range(2):
        assert client.post(challenge_url(challenge, "bookmark/")).json() == {"active": True}
        client.post(challenge_url(challenge, "follow/"))
    bookmarks = client.get("/api/v1/me/bookmarks/").json()["results"]
    following = client.get("/api/v1/me/following/").json()["results"]
    client.delete(challenge_url(challenge, "bookmark/"))

    assert [c["id"] for c in bookmarks] == [challenge.pk]
    assert [c["id"] for c in following] == [challenge.pk]
    assert client.get("/api/v1/me/bookmarks/").json()["results"] == []
    assert client.get(challenge_url(challenge)).json()["is_following"] is True


def test_similar_challenges_put_solved_ones_first(api_client, learner, make_challenge, solve):
    open_one = make_challenge(title="Celery worker loses tasks on restart")
    solved_one = make_challenge(title="Celery tasks lost when the worker restarts")
    services.solution_accept(actor=learner, solution_id=solve(solved_one).pk)
    make_challenge(title="Docker compose cannot reach postgres")

    response = api_client.get(f"{CHALLENGES}similar/?title=celery tasks lost on worker restart")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()][:2] == [solved_one.pk, open_one.pk]
    assert api_client.get(f"{CHALLENGES}similar/?title=").status_code == 400


def test_an_accepted_solution_becomes_a_takeaway_guide_linked_both_ways(
    as_user, api_client, learner, peer, make_challenge, solve
):
    challenge = make_challenge()
    solution = solve(challenge, body="Use `acks_late` and split the work.")
    as_user(learner).post(solution_url(solution, "accept/"))

    promoted = as_user(peer).post(solution_url(solution, "promote/"))
    again = as_user(peer).post(solution_url(solution, "promote/"))

    assert promoted.status_code == 201
    guide = api_client.get(f"/api/v1/guides/{promoted.json()['slug']}/").json()
    assert guide["kind"] == "takeaway"
    assert guide["author"]["username"] == peer.username
    assert f"/api/v1/challenges/{challenge.pk}/" in guide["body"]
    assert [t["slug"] for t in guide["technologies"]] == ["celery"]
    assert api_client.get(solution_url(solution)).json()["promoted_guide"] == guide["slug"]
    assert again.status_code == 400


def test_an_unaccepted_solution_is_not_promoted(as_user, peer, make_challenge, solve):
    solution = solve(make_challenge())

    assert as_user(peer).post(solution_url(solution, "promote/")).status_code == 400


def test_list_filters_and_orderings(api_client, learner, peer, user_factory, make_challenge, solve):
    cohort = CohortFactory.create(slug="prodev-2026")
    cohort_author = user_factory(cohort=cohort)
    newest_unanswered = make_challenge(title="Compose network unreachable", technologies=[])
    active = make_challenge(author=cohort_author, title="Flower shows no workers at all")
    top = make_challenge(title="Broker connection refused at boot")
    solve(active)
    services.vote_cast(actor=peer, target="challenge", target_id=top.pk, value=1)

    def ids(query):
        response = api_client.get(f"{CHALLENGES}?{query}")
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids("ordering=-score")[0] == top.pk
    assert ids("ordering=-last_activity_at")[0] == active.pk
    assert ids("unanswered=true") == [top.pk, newest_unanswered.pk]
    assert ids("cohort=prodev-2026") == [active.pk]
    assert ids(f"author={cohort_author.username}") == [active.pk]
    assert newest_unanswered.pk not in ids("technology=celery")
    assert ids("status=open&page_size=1") == [top.pk]
    assert api_client.get(f"{CHALLENGES}?status=archived").status_code == 400
    assert api_client.get(f"{CHALLENGES}?unanswered=perhaps").status_code == 400


@pytest.mark.parametrize(
    "query",
    ["", "technology=celery", "tag=a&ordering=-score", "unanswered=true&status=open"],
)
def test_the_challenge_list_runs_a_constant_number_of_queries(
    api_client, user_factory, make_challenge, django_assert_num_queries, query
):
    def make(n):
        for _ in range(n):
            make_challenge(author=user_factory(), tags=["a", "b"])

    make(3)
    # the page with its authors, then its technologies, concepts and tags
    with django_assert_num_queries(4):
        first = api_client.get(f"{CHALLENGES}?page_size=100&{query}")
    make(6)
    with django_assert_num_queries(4):
        second = api_client.get(f"{CHALLENGES}?page_size=100&{query}")
    next_page = api_client.get(f"{CHALLENGES}?page_size=2&{query}").json()["next"]
    with django_assert_num_queries(4):
        later = api_client.get(next_page)

    assert (len(first.json()["results"]), len(second.json()["results"])) == (3, 9)
    assert len(later.json()["results"]) == 2


def test_the_challenge_detail_runs_a_constant_number_of_queries(
    as_user, user_factory, make_challenge, solve, django_assert_num_queries
):
    viewer = user_factory()
    client = as_user(viewer)

    def thread(solutions):
        challenge = make_challenge()
        for _ in range(solutions):
            solution = solve(challenge, author=user_factory())
            services.comment_create(
                actor=user_factory(), target="solution", target_id=solution.pk, data={"body": "+1"}
            )
            services.vote_cast(actor=viewer, target="solution", target_id=solution.pk, value=1)
        services.comment_create(
            actor=user_factory(), target="challenge", target_id=challenge.pk, data={"body": "?"}
        )
        return challenge

    small, large = thread(1), thread(5)
    # user; challenge with the viewer's vote and flags; its technologies, concepts
    # and tags; solutions with the viewer's votes; their comments; its comments;
    # and the view count's UPDATE unless Redis holds it until the flush
    queries = 8 if cache.redis_client() else 9
    with django_assert_num_queries(queries):
        client.get(challenge_url(small))
    with django_assert_num_queries(queries):
        body = client.get(challenge_url(large)).json()

    assert len(body["solutions"]) == 5
    assert all(s["my_vote"] == 1 and len(s["comments"]) == 1 for s in body["solutions"])
    assert [c["body"] for c in body["comments"]] == ["?"]
    assert [t["slug"] for t in body["technologies"]] == ["celery"]


def test_the_leaderboard_by_cohort_technology_and_period(
    api_client, learner, peer, user_factory, make_challenge, solve
):
    cohort = CohortFactory.create(slug="prodev-2026")
    in_cohort = user_factory(cohort=cohort)
    services.vote_cast(actor=in_cohort, target="challenge", target_id=make_challenge().pk, value=1)
    old = make_challenge(author=in_cohort, technologies=[])
    services.vote_cast(actor=peer, target="challenge", target_id=old.pk, value=1)
    ReputationEvent.objects.filter(challenge=old).update(
        created_at=timezone.now() - timedelta(days=40)
    )

    def board(query=""):
        response = api_client.get(f"/api/v1/leaderboard/?{query}")
        assert response.status_code == 200, response.json()
        return [(row["user"]["username"], row["points"]) for row in response.json()]

    assert board() == [(learner.username, 5), (in_cohort.username, 5)]
    assert board("period=30d") == [(learner.username, 5)]
    assert board("cohort=prodev-2026") == [(in_cohort.username, 5)]
    assert board("technology=celery") == [(learner.username, 5)]
    assert api_client.get("/api/v1/leaderboard/?period=week").status_code == 400
    assert api_client.get("/api/v1/leaderboard/?limit=1000").status_code == 400


def test_the_leaderboard_runs_two_queries_whatever_its_size(
    api_client, user_factory, make_challenge, django_assert_num_queries
):
    voter = user_factory()
    for _ in range(6):
        challenge = make_challenge(author=user_factory())
        services.vote_cast(actor=voter, target="challenge", target_id=challenge.pk, value=1)

    with django_assert_num_queries(2):
        rows = api_client.get("/api/v1/leaderboard/?limit=100").json()

    assert len(rows) == 6


def test_reputation_shows_on_profiles(api_client, learner, peer, make_challenge):
    services.vote_cast(actor=peer, target="challenge", target_id=make_challenge().pk, value=1)

    profile = api_client.get(f"/api/v1/users/{learner.username}/").json()

    assert profile["reputation"] == 5


def test_unknown_ids_are_404_in_the_error_shape(api_client, as_user, peer):
    for url in (
        f"{CHALLENGES}999999/",
        f"{CHALLENGES}{2**63}/",  # past any id column
        f"{CHALLENGES}{10**30}/",
        "/api/v1/solutions/999999/",
        f"{CHALLENGES}999999/solutions/",
    ):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json()["type"] == "not_found"
    assert as_user(peer).post(f"{CHALLENGES}999999/vote/", {"value": 1}).status_code == 404


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_a_listed_challenge_is_exactly_what_its_declared_fields_give(
    as_user, peer, user_factory, make_challenge, solve, staff, zone
):
    """The list's serializer builds its JSON in one function; field by field, its
    declared fields must give the same, keys in the same order, in any time zone."""
    from django.utils import timezone
    from rest_framework import serializers

    from nexus.challenges import selectors
    from nexus.challenges.api.rest.serializers import ChallengeSerializer
    from nexus.knowledge.tests.factories import ConceptFactory, TechnologyFactory

    TechnologyFactory.create(name="Django REST framework", slug="drf")
    ConceptFactory.create(name="Idempotency", slug="idempotency")
    named = user_factory(username="named-one", display_name="Named One")
    linked = make_challenge(
        author=named, technologies=["drf", "celery"], concepts=["idempotency"], tags=["Zeta", "a"]
    )
    bare = make_challenge(technologies=[])
    solved = make_challenge(author=peer)
    services.solution_accept(actor=peer, solution_id=solve(solved, author=named).pk)
    services.challenge_mark_duplicate(actor=staff, challenge_id=bare.pk, original_id=linked.pk)
    services.content_hide(actor=staff, target="challenge", target_id=solved.pk, reason="Spam.")

    with timezone.override(zone):
        listed = as_user(staff).get(f"{CHALLENGES}?page_size=100").json()["results"]
        field_by_field = [
            serializers.Serializer.to_representation(ChallengeSerializer(), challenge)
            for challenge in selectors.challenge_list(viewer=staff).order_by("-created_at")
        ]

    assert listed == json.loads(JSONRenderer().render(field_by_field))
    assert [list(row) for row in listed] == [list(ChallengeSerializer().fields)] * 3
    first = next(row for row in listed if row["id"] == linked.pk)
    assert [t["slug"] for t in first["technologies"]] == ["celery", "drf"]  # by name
    assert [t["slug"] for t in first["tags"]] == ["a", "zeta"]  # by slug
    assert first["author"] == {"username": "named-one", "display_name": "Named One"}
    assert listed[0]["created_at"].endswith("+05:30" if zone != "UTC" else "Z")


def test_each_anonymous_list_reads_afresh_what_its_reader_may_see(
    api_client, as_user, make_challenge, peer, staff
):
    """What one reader may see never leaks into another's list."""
    shown = make_challenge(title="A challenge anyone may read")
    hidden = make_challenge(author=peer, title="A challenge staff have hidden")
    services.content_hide(actor=staff, target="challenge", target_id=hidden.pk, reason="Spam.")

    def titles(client):
        return [row["title"] for row in client.get(CHALLENGES).json()["results"]]

    assert titles(api_client) == [shown.title]
    later = make_challenge(title="A challenge posted since")
    assert titles(api_client) == [later.title, shown.title]
    assert titles(as_user(peer)) == [later.title, hidden.title, shown.title]
    assert titles(as_user(staff)) == [later.title, hidden.title, shown.title]
    assert titles(api_client) == [later.title, shown.title]


def test_a_filtered_list_pages_on_by_its_next_link(api_client, make_challenge):
    make_challenge(title="Compose network unreachable")
    make_challenge(title="Flower shows no workers")

    first = api_client.get(f"{CHALLENGES}?status=open&page_size=1").json()
    second = api_client.get(first["next"]).json()

    assert [row["title"] for row in first["results"] + second["results"]] == [
        "Flower shows no workers",
        "Compose network unreachable",
    ]
