from __future__ import annotations

from unittest.mock import ANY
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.models import User
from nexus.challenges import services
from nexus.challenges.models import Challenge, ModerationAction, Solution, Vote
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def celery(db):
    return TechnologyFactory.create(name="Celery", slug="celery")


@pytest.fixture
def solver(user_factory):
    return user_factory(username="solver-one")


@pytest.fixture
def second_solver(user_factory):
    return user_factory(username="solver-two")


@pytest.fixture
def staff(user_factory):
    return user_factory(username="staff-one", role="staff")


def post_challenge(author, **fields):
    return services.challenge_create(
        actor=author,
        data={
            "title": "Celery tasks fail after ten minutes",
            "body": "My long task is killed. I tried raising the timeout.",
            **fields,
        },
    )


def answer(challenge, author, body="Split the task into smaller ones."):
    return services.solution_create(actor=author, challenge_id=challenge.pk, data={"body": body})


def reputation_of(user):
    return User.objects.get(pk=user.pk).profile.reputation


CREATE_CHALLENGE = """
mutation($input: CreateChallengeInput!) {
  createChallenge(input: $input) {
    id title status bodyHtml currentRevisionId isFollowing
    author { username }
    technologies { slug name }
    tags { slug }
  }
}
"""

CREATE_SOLUTION = """
mutation($challengeId: Int!, $body: String!) {
  createSolution(challengeId: $challengeId, body: $body) {
    id challengeId score isAccepted author { username }
  }
}
"""

VOTE = """
mutation($target: VoteTarget!, $id: Int!, $value: Int!) {
  vote(target: $target, id: $id, value: $value) { score myVote }
}
"""

ACCEPT = "mutation($id: Int!) { acceptSolution(id: $id) { id isAccepted acceptedAt } }"

DETAIL = """
query($id: Int!) {
  challenge(id: $id) {
    title status score acceptedSolutionId myVote isFollowing isBookmarked
    solutions {
      id score isAccepted myVote isHidden hiddenReason author { username }
      comments { body author { username } }
    }
    comments { body author { username } }
  }
}
"""

LEADERBOARD = "{ leaderboard { rank points user { username } } }"


def test_a_learner_posts_a_challenge_two_peers_solve_it_and_the_accepted_one_shows_solved(
    gql, learner, solver, second_solver, celery
):
    posted = gql.data(
        CREATE_CHALLENGE,
        {
            "input": {
                "title": "Celery tasks fail after ten minutes",
                "body": "My long task is *killed*.",
                "technologies": ["celery"],
                "tags": ["timeouts"],
            }
        },
        as_user=learner,
    )["createChallenge"]
    challenge_id = posted["id"]
    first = gql.data(
        CREATE_SOLUTION,
        {"challengeId": challenge_id, "body": "Use `soft_time_limit`."},
        as_user=solver,
    )["createSolution"]
    second = gql.data(
        CREATE_SOLUTION,
        {"challengeId": challenge_id, "body": "Split the task up."},
        as_user=second_solver,
    )["createSolution"]

    challenge_vote = gql(
        VOTE, {"target": "CHALLENGE", "id": challenge_id, "value": 1}, as_user=solver
    )
    first_up = gql(VOTE, {"target": "SOLUTION", "id": first["id"], "value": 1}, as_user=learner)
    first_down = gql(
        VOTE, {"target": "SOLUTION", "id": first["id"], "value": -1}, as_user=second_solver
    )
    second_up = gql(VOTE, {"target": "SOLUTION", "id": second["id"], "value": 1}, as_user=solver)
    accepted = gql(ACCEPT, {"id": first["id"]}, as_user=learner)
    solved = gql('{ challenges(status: "solved") { results { id status acceptedSolutionId } } }')
    still_open = gql('{ challenges(status: "open") { results { id } } }')
    detail = gql.data(DETAIL, {"id": challenge_id}, as_user=learner)["challenge"]
    board = gql.data(LEADERBOARD)["leaderboard"]

    assert posted["status"] == "open"
    assert posted["author"] == {"username": learner.username}
    assert posted["technologies"] == [{"slug": "celery", "name": "Celery"}]
    assert posted["tags"] == [{"slug": "timeouts"}]
    assert posted["bodyHtml"] == "<p>My long task is <em>killed</em>.</p>\n"
    assert posted["isFollowing"] is True
    assert posted["currentRevisionId"] is not None
    assert first == {
        "id": first["id"],
        "challengeId": challenge_id,
        "score": 0,
        "isAccepted": False,
        "author": {"username": solver.username},
    }
    assert challenge_vote.data["vote"] == {"score": 1, "myVote": 1}
    assert first_up.data["vote"] == {"score": 1, "myVote": 1}
    assert first_down.data["vote"] == {"score": 0, "myVote": -1}
    assert second_up.data["vote"] == {"score": 1, "myVote": 1}
    assert accepted.data["acceptSolution"]["isAccepted"] is True
    assert solved.data["challenges"]["results"] == [
        {"id": challenge_id, "status": "solved", "acceptedSolutionId": first["id"]}
    ]
    assert still_open.data["challenges"]["results"] == []
    assert detail["status"] == "solved"
    assert detail["score"] == 1
    assert detail["acceptedSolutionId"] == first["id"]
    assert detail["myVote"] == 0
    assert detail["isFollowing"] is True
    assert detail["isBookmarked"] is False
    # Accepted first, then by score.
    assert [(s["id"], s["isAccepted"], s["score"], s["myVote"]) for s in detail["solutions"]] == [
        (first["id"], True, 0, 1),
        (second["id"], False, 1, 0),
    ]
    # Challenge upvote +5 and accepting +2 for the author; +10 -2 +15 and +10 for the solvers.
    assert (reputation_of(learner), reputation_of(solver), reputation_of(second_solver)) == (
        7,
        23,
        10,
    )
    assert board == [
        {"rank": 1, "points": 23, "user": {"username": solver.username}},
        {"rank": 2, "points": 10, "user": {"username": second_solver.username}},
        {"rank": 3, "points": 7, "user": {"username": learner.username}},
    ]


SOLUTION_FIELDS = """
id challengeId body bodyHtml score isAccepted acceptedAt commentCount isHidden hiddenReason
createdAt updatedAt promotedGuideSlug comments { body } author { username displayName }
"""


def test_a_created_solution_is_answered_as_the_challenge_then_shows_it(
    gql, learner, solver, celery
):
    """createSolution answers from the row it wrote, not by reading it back."""
    challenge = gql.data(
        CREATE_CHALLENGE,
        {"input": {"title": "Workers stop after a deploy", "body": "Why?"}},
        as_user=learner,
    )["createChallenge"]
    created = gql.data(
        "mutation($c: Int!, $b: String!) { createSolution(challengeId: $c, body: $b) { %s } }"
        % SOLUTION_FIELDS,
        {"c": challenge["id"], "b": "Drain **first**."},
        as_user=solver,
    )["createSolution"]
    shown = gql.data(
        "query($id: Int!) { challenge(id: $id) { solutions { %s } } }" % SOLUTION_FIELDS,
        {"id": challenge["id"]},
        as_user=solver,
    )["challenge"]["solutions"]

    assert shown == [created]
    assert "<strong>first</strong>" in created["bodyHtml"]


def test_changing_and_withdrawing_a_vote_moves_score_and_reputation_exactly(gql, learner, solver):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    down = gql(VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": -1}, as_user=solver)
    reputation_after_down = reputation_of(learner)
    up = gql(VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}, as_user=solver)
    reputation_after_up = reputation_of(learner)
    again = gql(VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}, as_user=solver)
    withdrawn = gql(VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 0}, as_user=solver)
    solution_down = gql(
        VOTE, {"target": "SOLUTION", "id": solution.pk, "value": -1}, as_user=learner
    )

    assert down.data["vote"] == {"score": -1, "myVote": -1}
    assert reputation_after_down == -2
    assert up.data["vote"] == {"score": 1, "myVote": 1}
    assert reputation_after_up == 5
    assert again.data["vote"] == {"score": 1, "myVote": 1}
    assert withdrawn.data["vote"] == {"score": 0, "myVote": 0}
    assert reputation_of(learner) == 0
    assert solution_down.data["vote"] == {"score": -1, "myVote": -1}
    assert reputation_of(solver) == -2


def test_voting_on_your_own_post_is_permission_denied(gql, learner, solver):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    own_challenge = gql(
        VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}, as_user=learner
    )
    own_solution = gql(VOTE, {"target": "SOLUTION", "id": solution.pk, "value": 1}, as_user=solver)

    assert own_challenge.error_code == "permission_denied"
    assert own_solution.error_code == "permission_denied"
    assert not Vote.objects.exists()
    assert Challenge.objects.get(pk=challenge.pk).score == 0
    assert reputation_of(learner) == reputation_of(solver) == 0


def test_a_vote_of_two_is_a_validation_error(gql, learner, solver):
    challenge = post_challenge(learner)

    body = gql(VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 2}, as_user=solver)

    assert body.error_code == "validation_error"
    assert body["errors"][0]["extensions"]["errors"] == {"value": ["One of -1, 0 or 1."]}
    assert not Vote.objects.exists()


def test_the_challenge_author_alone_accepts_and_can_withdraw_acceptance(
    gql, learner, solver, second_solver
):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    by_peer = gql(ACCEPT, {"id": solution.pk}, as_user=second_solver)
    gql.data(ACCEPT, {"id": solution.pk}, as_user=learner)
    withdrawn = gql(
        "mutation($id: Int!) { unacceptSolution(id: $id) { isAccepted } }",
        {"id": solution.pk},
        as_user=learner,
    )

    assert by_peer.error_code == "permission_denied"
    assert withdrawn.data["unacceptSolution"] == {"isAccepted": False}
    assert Challenge.objects.get(pk=challenge.pk).status == "open"
    assert reputation_of(learner) == reputation_of(solver) == 0


MARK_DUPLICATE = """
mutation($id: Int!, $original: Int!, $reason: String) {
  markDuplicate(id: $id, original: $original, reason: $reason) { id status duplicateOfId }
}
"""

MODERATION_LOG = """
query($challenge: Int) {
  moderationLog(challenge: $challenge) { results {
    action targetType targetId challengeId challengeTitle reason details actor { username }
  } }
}
"""


def test_staff_mark_a_challenge_as_a_duplicate_and_the_moderation_log_shows_it(
    gql, learner, solver, staff
):
    original = post_challenge(learner)
    repeat = post_challenge(solver, title="Celery tasks killed after ten minutes")

    marked = gql(
        MARK_DUPLICATE,
        {"id": repeat.pk, "original": original.pk, "reason": "Asked before."},
        as_user=staff,
    )
    listed = gql('{ challenges(status: "duplicate") { results { id duplicateOfId } } }')
    log = gql(MODERATION_LOG, {"challenge": repeat.pk}, as_user=staff)

    assert marked.data["markDuplicate"] == {
        "id": repeat.pk,
        "status": "duplicate",
        "duplicateOfId": original.pk,
    }
    assert listed.data["challenges"]["results"] == [{"id": repeat.pk, "duplicateOfId": original.pk}]
    assert log.data["moderationLog"]["results"] == [
        {
            "action": "mark_duplicate",
            "targetType": "challenge",
            "targetId": repeat.pk,
            "challengeId": repeat.pk,
            "challengeTitle": "Celery tasks killed after ten minutes",
            "reason": "Asked before.",
            "details": {"original": original.pk},
            "actor": {"username": staff.username},
        }
    ]


def test_staff_close_and_reopen_a_challenge(gql, learner, staff):
    challenge = post_challenge(learner)

    closed = gql(
        'mutation($id: Int!) { closeChallenge(id: $id, reason: "Off topic.") { status } }',
        {"id": challenge.pk},
        as_user=staff,
    )
    reopened = gql(
        "mutation($id: Int!) { reopenChallenge(id: $id) { status } }",
        {"id": challenge.pk},
        as_user=staff,
    )
    log = gql.data("{ moderationLog { results { action reason } } }", as_user=staff)

    assert closed.data["closeChallenge"] == {"status": "closed"}
    assert reopened.data["reopenChallenge"] == {"status": "open"}
    assert log["moderationLog"]["results"] == [
        {"action": "reopen", "reason": ""},
        {"action": "close", "reason": "Off topic."},
    ]


def test_a_learner_cannot_moderate(gql, learner, solver):
    challenge = post_challenge(learner)
    other = post_challenge(learner, title="Redis connection refused in Docker")
    solution = answer(challenge, solver)

    close = gql(
        "mutation($id: Int!) { closeChallenge(id: $id) { status } }",
        {"id": challenge.pk},
        as_user=learner,
    )
    duplicate = gql(MARK_DUPLICATE, {"id": other.pk, "original": challenge.pk}, as_user=learner)
    hide = gql(
        'mutation($id: Int!) { hideContent(target: SOLUTION, id: $id, reason: "Spam.") }',
        {"id": solution.pk},
        as_user=learner,
    )
    log = gql(MODERATION_LOG, as_user=learner)

    assert close.error_code == "permission_denied"
    assert duplicate.error_code == "permission_denied"
    assert hide.error_code == "permission_denied"
    # The log is staff-only; the selector does not even admit it exists.
    assert log.error_code == "not_found"
    assert set(Challenge.objects.values_list("status", flat=True)) == {"open"}
    assert not Solution.objects.get(pk=solution.pk).is_hidden
    assert not ModerationAction.objects.exists()


HIDE = """
mutation($target: ModerationTarget!, $id: Int!, $reason: String!) {
  hideContent(target: $target, id: $id, reason: $reason)
}
"""


def test_a_hidden_solution_is_invisible_to_others_but_its_author_sees_it_with_the_reason(
    gql, learner, solver, second_solver, staff
):
    challenge = post_challenge(learner)
    hidden = answer(challenge, solver, body="Buy my course.")
    shown = answer(challenge, second_solver)

    hid = gql(HIDE, {"target": "SOLUTION", "id": hidden.pk, "reason": "Advert."}, as_user=staff)

    def solutions_seen_by(user):
        body = gql(DETAIL, {"id": challenge.pk}, as_user=user)
        return [
            (s["id"], s["isHidden"], s["hiddenReason"]) for s in body.data["challenge"]["solutions"]
        ]

    anonymous = gql.data(DETAIL, {"id": challenge.pk})["challenge"]["solutions"]
    count = gql.data("{ challenges { results { solutionCount } } }")["challenges"]["results"]

    assert hid.data == {"hideContent": True}
    assert [s["id"] for s in anonymous] == [shown.pk]
    assert solutions_seen_by(learner) == [(shown.pk, False, "")]
    assert solutions_seen_by(second_solver) == [(shown.pk, False, "")]
    assert sorted(solutions_seen_by(solver)) == sorted(
        [(hidden.pk, True, "Advert."), (shown.pk, False, "")]
    )
    assert len(solutions_seen_by(staff)) == 2
    assert count == [{"solutionCount": 1}]


def test_hidden_and_deleted_comments_never_show_in_nested_lists(
    gql, learner, solver, second_solver, staff
):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)
    kept = services.comment_create(
        actor=learner, target="solution", target_id=solution.pk, data={"body": "Thanks!"}
    )
    hidden = services.comment_create(
        actor=second_solver, target="solution", target_id=solution.pk, data={"body": "Rude."}
    )
    deleted = services.comment_create(
        actor=second_solver, target="challenge", target_id=challenge.pk, data={"body": "Oops."}
    )
    gql.data(HIDE, {"target": "COMMENT", "id": hidden.pk, "reason": "Rude."}, as_user=staff)
    gql.data(
        "mutation($id: Int!) { deleteComment(id: $id) }",
        {"id": deleted.pk},
        as_user=second_solver,
    )

    seen_by_learner = gql.data(DETAIL, {"id": challenge.pk}, as_user=learner)
    seen_by_author = gql.data(DETAIL, {"id": challenge.pk}, as_user=second_solver)

    assert seen_by_learner["challenge"]["comments"] == []
    assert seen_by_learner["challenge"]["solutions"][0]["comments"] == [
        {"body": kept.body, "author": {"username": learner.username}}
    ]
    assert seen_by_author["challenge"]["comments"] == []
    assert [c["body"] for c in seen_by_author["challenge"]["solutions"][0]["comments"]] == [
        "Thanks!",
        "Rude.",
    ]


def test_unhiding_a_solution_shows_it_again(gql, learner, solver, staff):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)
    services.content_hide(actor=staff, target="solution", target_id=solution.pk, reason="Check.")

    unhid = gql(
        "mutation($id: Int!) { unhideContent(target: SOLUTION, id: $id) }",
        {"id": solution.pk},
    )
    unhid_by_staff = gql(
        "mutation($id: Int!) { unhideContent(target: SOLUTION, id: $id) }",
        {"id": solution.pk},
        as_user=staff,
    )
    seen = gql.data(DETAIL, {"id": challenge.pk})["challenge"]["solutions"]

    assert unhid.error_code == "not_authenticated"
    assert unhid_by_staff.data == {"unhideContent": False}
    assert [s["id"] for s in seen] == [solution.pk]


def test_signed_out_callers_of_mutations_get_not_authenticated(gql, learner, solver):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)
    mutations = [
        (CREATE_CHALLENGE, {"input": {"title": "A long enough title", "body": "Body."}}),
        (CREATE_SOLUTION, {"challengeId": challenge.pk, "body": "An answer."}),
        (VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}),
        (ACCEPT, {"id": solution.pk}),
        ("mutation($id: Int!) { follow(id: $id, active: true) }", {"id": challenge.pk}),
        ("mutation($id: Int!) { bookmark(id: $id, active: true) }", {"id": challenge.pk}),
        (
            'mutation($id: Int!) { createComment(target: CHALLENGE, id: $id, body: "Hi") { id } }',
            {"id": challenge.pk},
        ),
        ("mutation($id: Int!) { deleteChallenge(id: $id) }", {"id": challenge.pk}),
    ]

    codes = [gql.error_code(query, variables) for query, variables in mutations]
    bookmarks = gql("{ myBookmarks { results { id } } }")

    assert codes == ["not_authenticated"] * len(mutations)
    assert bookmarks.error_code == "not_authenticated"
    assert Challenge.objects.count() == 1
    assert Solution.objects.count() == 1
    assert not Vote.objects.exists()


UPDATE_CHALLENGE = """
mutation($id: Int!, $input: UpdateChallengeInput!) {
  updateChallenge(id: $id, input: $input) { title currentRevisionId }
}
"""


def test_the_author_edits_from_the_current_revision_and_a_stale_one_is_a_conflict(gql, learner):
    challenge = post_challenge(learner)
    first_revision = challenge.current_revision_id

    edited = gql(
        UPDATE_CHALLENGE,
        {
            "id": challenge.pk,
            "input": {
                "title": "Celery tasks die after ten minutes",
                "baseRevision": first_revision,
                "message": "Clearer title",
            },
        },
        as_user=learner,
    )
    stale = gql(
        UPDATE_CHALLENGE,
        {"id": challenge.pk, "input": {"body": "Another body.", "baseRevision": first_revision}},
        as_user=learner,
    )
    without_base = gql(
        UPDATE_CHALLENGE,
        {"id": challenge.pk, "input": {"body": "Another body."}},
        as_user=learner,
    )
    history = gql.data(
        "query($id: Int!) { challengeRevisions(id: $id) { results { number title message "
        "editor { username } } } }",
        {"id": challenge.pk},
    )

    current = edited.data["updateChallenge"]
    assert current["title"] == "Celery tasks die after ten minutes"
    assert current["currentRevisionId"] != first_revision
    assert stale.error_code == "conflict"
    assert (
        stale["errors"][0]["extensions"]["current_revision"]["id"] == current["currentRevisionId"]
    )
    assert without_base.error_code == "validation_error"
    assert history["challengeRevisions"]["results"] == [
        {
            "number": 2,
            "title": "Celery tasks die after ten minutes",
            "message": "Clearer title",
            "editor": {"username": learner.username},
        },
        {
            "number": 1,
            "title": "Celery tasks fail after ten minutes",
            "message": "First version",
            "editor": {"username": learner.username},
        },
    ]


def test_another_learner_cannot_edit_or_delete_a_challenge(gql, learner, solver):
    challenge = post_challenge(learner)

    edit = gql(
        UPDATE_CHALLENGE,
        {"id": challenge.pk, "input": {"tags": ["spam"]}},
        as_user=solver,
    )
    delete = gql(
        "mutation($id: Int!) { deleteChallenge(id: $id) }",
        {"id": challenge.pk},
        as_user=solver,
    )

    assert edit.error_code == "permission_denied"
    assert delete.error_code == "permission_denied"
    assert Challenge.objects.get(pk=challenge.pk).deleted_at is None


def test_a_deleted_challenge_is_gone(gql, learner):
    challenge = post_challenge(learner)

    deleted = gql(
        "mutation($id: Int!) { deleteChallenge(id: $id) }",
        {"id": challenge.pk},
        as_user=learner,
    )
    detail = gql(DETAIL, {"id": challenge.pk}, as_user=learner)
    listed = gql.data("{ challenges { results { id } } }", as_user=learner)

    assert deleted.data == {"deleteChallenge": True}
    assert detail.error_code == "not_found"
    assert listed == {"challenges": {"results": []}}


def test_solutions_are_edited_and_deleted_by_their_authors(gql, learner, solver):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    edited = gql(
        'mutation($id: Int!) { updateSolution(id: $id, body: "Use **acks_late**.") { bodyHtml } }',
        {"id": solution.pk},
        as_user=solver,
    )
    by_other = gql(
        "mutation($id: Int!) { deleteSolution(id: $id) }",
        {"id": solution.pk},
        as_user=learner,
    )
    deleted = gql(
        "mutation($id: Int!) { deleteSolution(id: $id) }",
        {"id": solution.pk},
        as_user=solver,
    )
    seen = gql.data(DETAIL, {"id": challenge.pk}, as_user=solver)["challenge"]

    assert edited.data["updateSolution"] == {"bodyHtml": "<p>Use <strong>acks_late</strong>.</p>\n"}
    assert by_other.error_code == "permission_denied"
    assert deleted.data == {"deleteSolution": True}
    assert seen["solutions"] == []


def test_comments_are_posted_on_challenges_and_solutions_and_edited_by_their_author(
    gql, learner, solver
):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)
    create = """
    mutation($target: VoteTarget!, $id: Int!, $body: String!) {
      createComment(target: $target, id: $id, body: $body) { id body author { username } }
    }
    """

    on_challenge = gql.data(
        create,
        {"target": "CHALLENGE", "id": challenge.pk, "body": "Which broker?"},
        as_user=solver,
    )["createComment"]
    on_solution = gql.data(
        create,
        {"target": "SOLUTION", "id": solution.pk, "body": "It worked!"},
        as_user=learner,
    )["createComment"]
    edited = gql(
        'mutation($id: Int!) { updateComment(id: $id, body: "RabbitMQ?") { body bodyHtml } }',
        {"id": on_challenge["id"]},
        as_user=solver,
    )
    edited_by_other = gql(
        'mutation($id: Int!) { updateComment(id: $id, body: "Nope.") { body } }',
        {"id": on_challenge["id"]},
        as_user=learner,
    )
    detail = gql.data(DETAIL, {"id": challenge.pk})["challenge"]
    counts = gql.data("{ challenges { results { commentCount } } }")["challenges"]["results"]

    assert on_challenge["author"] == {"username": solver.username}
    assert edited.data["updateComment"] == {"body": "RabbitMQ?", "bodyHtml": "<p>RabbitMQ?</p>\n"}
    assert edited_by_other.error_code == "permission_denied"
    assert detail["comments"] == [{"body": "RabbitMQ?", "author": {"username": solver.username}}]
    assert detail["solutions"][0]["comments"] == [
        {"body": on_solution["body"], "author": {"username": learner.username}}
    ]
    assert counts == [{"commentCount": 1}]


def test_following_and_bookmarks_show_in_my_lists_and_on_the_challenge(gql, learner, solver):
    challenge = post_challenge(learner)
    post_challenge(learner, title="Redis connection refused in Docker")

    follow = gql(
        "mutation($id: Int!) { follow(id: $id, active: true) }",
        {"id": challenge.pk},
        as_user=solver,
    )
    bookmark = gql(
        "mutation($id: Int!) { bookmark(id: $id, active: true) }",
        {"id": challenge.pk},
        as_user=solver,
    )
    mine = gql.data(
        "{ myBookmarks { results { id } } myFollowing { results { id } } }", as_user=solver
    )
    flags = gql.data(
        "query($id: Int!) { challenge(id: $id) { isFollowing isBookmarked } }",
        {"id": challenge.pk},
        as_user=solver,
    )
    unfollow = gql(
        "mutation($id: Int!) { follow(id: $id, active: false) }",
        {"id": challenge.pk},
        as_user=solver,
    )
    after = gql.data("{ myFollowing { results { id } } }", as_user=solver)

    assert follow.data == {"follow": True}
    assert bookmark.data == {"bookmark": True}
    assert mine == {
        "myBookmarks": {"results": [{"id": challenge.pk}]},
        "myFollowing": {"results": [{"id": challenge.pk}]},
    }
    assert flags == {"challenge": {"isFollowing": True, "isBookmarked": True}}
    assert unfollow.data == {"follow": False}
    assert after == {"myFollowing": {"results": []}}


def test_the_accepted_solution_becomes_a_guide(gql, learner, solver, celery):
    challenge = post_challenge(learner, technologies=["celery"])
    solution = answer(challenge, solver)
    services.solution_accept(actor=learner, solution_id=solution.pk)

    promoted = gql(
        "mutation($id: Int!) { promoteSolution(id: $id) { slug title kind status "
        "author { username } technologies { slug } } }",
        {"id": solution.pk},
        as_user=solver,
    )
    detail = gql.data(
        "query($id: Int!) { challenge(id: $id) { solutions { promotedGuideSlug } } }",
        {"id": challenge.pk},
    )

    guide = promoted.data["promoteSolution"]
    assert guide["title"] == challenge.title
    assert (guide["kind"], guide["status"]) == ("takeaway", "published")
    assert guide["author"] == {"username": solver.username}
    assert guide["technologies"] == [{"slug": "celery"}]
    assert detail["challenge"]["solutions"] == [{"promotedGuideSlug": guide["slug"]}]


def test_reading_a_challenge_counts_a_view(gql, learner):
    challenge = post_challenge(learner)

    first = gql.data("query($id: Int!) { challenge(id: $id) { viewCount } }", {"id": challenge.pk})
    services.challenge_flush_views()  # views wait in Redis, when there is one
    second = gql.data("query($id: Int!) { challenge(id: $id) { viewCount } }", {"id": challenge.pk})
    services.challenge_flush_views()

    assert first == {"challenge": {"viewCount": 0}}
    assert second == {"challenge": {"viewCount": 1}}
    assert Challenge.objects.get(pk=challenge.pk).view_count == 2


def test_challenges_are_filtered_ordered_and_paged(gql, learner, solver, celery):
    on_celery = post_challenge(learner, technologies=["celery"])
    answered = post_challenge(solver, title="Redis connection refused in Docker")
    answer(answered, learner)
    services.vote_cast(actor=learner, target="challenge", target_id=answered.pk, value=1)

    def ids(arguments):
        return [
            c["id"]
            for c in gql.data(f"{{ challenges{arguments} {{ results {{ id }} }} }}")["challenges"][
                "results"
            ]
        ]

    assert ids("") == [answered.pk, on_celery.pk]
    assert ids('(technology: "celery")') == [on_celery.pk]
    assert ids(f'(author: "{solver.username}")') == [answered.pk]
    assert ids("(unanswered: true)") == [on_celery.pk]
    assert ids("(unanswered: false)") == [answered.pk]
    assert ids('(q: "redis")') == [answered.pk]
    assert ids('(ordering: "-score")') == [answered.pk, on_celery.pk]
    assert ids("(first: 1)") == [answered.pk]
    assert gql.error_code('{ challenges(ordering: "title") { results { id } } }') == (
        "validation_error"
    )
    assert gql.error_code('{ challenges(status: "lost") { results { id } } }') == "validation_error"


def test_similar_challenges_are_found_by_title(gql, learner):
    similar = post_challenge(learner)
    post_challenge(learner, title="Redis connection refused in Docker")

    body = gql.data('{ similarChallenges(title: "celery tasks killed after minutes") { id } }')

    assert body == {"similarChallenges": [{"id": similar.pk}]}


CHALLENGE_LIST = """
{ challenges { results {
    title author { username displayName } technologies { slug } tags { slug }
} } }
"""


def test_the_challenge_list_costs_the_same_queries_for_three_or_nine_challenges(
    gql, user_factory, learner, celery
):
    TechnologyFactory.create(name="Redis", slug="redis")

    def add_challenges(count):
        for _ in range(count):
            author = user_factory()
            post_challenge(
                author, technologies=["celery", "redis"], tags=[f"tag-{author.pk}", "common"]
            )

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            body = gql.data(CHALLENGE_LIST, as_user=learner)
        return len(body["challenges"]["results"]), len(queries)

    add_challenges(3)
    three, queries_for_three = list_queries()
    add_challenges(6)
    nine, queries_for_nine = list_queries()

    assert (three, nine) == (3, 9)
    assert queries_for_three == queries_for_nine


FULL_LIST = """
{ challenges { results {
    id title status score solutionCount commentCount viewCount lastActivityAt createdAt
    updatedAt acceptedSolutionId duplicateOfId currentRevisionId isHidden hiddenReason
    author { username displayName role }
    technologies { slug name } concepts { slug name } tags { slug name }
} } }
"""


def test_the_list_reads_each_kind_of_link_in_one_query_in_each_models_order(
    gql, learner, solver, celery
):
    TechnologyFactory.create(name="Alembic", slug="alembic")
    first = post_challenge(learner, technologies=["celery", "alembic"], tags=["zeta", "beta"])
    second = post_challenge(solver, tags=["alpha"])
    accepted = answer(first, solver)
    services.solution_accept(actor=learner, solution_id=accepted.pk)

    with CaptureQueriesContext(connection) as queries:
        rows = gql.data(FULL_LIST)["challenges"]["results"]

    # the page (authors joined), then its technologies, concepts and tags
    assert len(queries) == 4
    newest, oldest = rows
    assert newest["id"] == second.pk
    assert oldest["id"] == first.pk
    assert oldest["technologies"] == [
        {"slug": "alembic", "name": "Alembic"},
        {"slug": "celery", "name": "Celery"},
    ]
    assert [tag["slug"] for tag in oldest["tags"]] == ["beta", "zeta"]
    assert newest["technologies"] == []
    assert newest["concepts"] == []
    assert oldest["acceptedSolutionId"] == accepted.pk
    assert oldest["status"] == "solved"
    assert newest["acceptedSolutionId"] is None
    assert newest["duplicateOfId"] is None
    first.refresh_from_db()
    assert oldest["currentRevisionId"] == first.current_revision_id
    assert oldest["author"] == {
        "username": learner.username,
        "displayName": learner.display_name,
        "role": learner.role,
    }


def test_renamed_links_show_in_the_next_list(gql, learner, user_factory, celery):
    mentor = user_factory(username="mentor-one", role="mentor")
    post_challenge(learner, technologies=["celery"], tags=["queues"])
    first = gql.data(FULL_LIST)["challenges"]["results"][0]
    knowledge_services.technology_update(actor=mentor, slug="celery", data={"name": "Celery 5"})

    renamed = gql.data(FULL_LIST)["challenges"]["results"][0]

    assert first["technologies"] == [{"slug": "celery", "name": "Celery"}]
    assert renamed["technologies"] == [{"slug": "celery", "name": "Celery 5"}]
    assert renamed["tags"] == [{"slug": "queues", "name": "queues"}]


def test_a_list_without_links_reads_only_the_page(gql, learner, celery):
    post_challenge(learner, technologies=["celery"], tags=["one"])

    with CaptureQueriesContext(connection) as queries:
        rows = gql.data("{ challenges { results { title currentRevisionId } } }")["challenges"][
            "results"
        ]

    assert len(rows) == 1
    assert rows[0]["currentRevisionId"] is not None
    assert len(queries) == 1


PAGE = """
query($first: Int, $after: String, $ordering: String!) {
  challenges(first: $first, after: $after, ordering: $ordering) {
    results { id title author { username } technologies { slug } tags { slug } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.mark.parametrize("ordering", ["-created_at", "-last_activity_at", "-score"])
def test_following_end_cursors_walks_every_challenge_exactly_once(gql, learner, solver, ordering):
    posted = [post_challenge(learner if n % 2 else solver, tags=[f"t{n % 3}"]) for n in range(7)]
    # ties on score: the id orders them
    services.vote_cast(actor=learner, target="challenge", target_id=posted[2].pk, value=1)

    walked = gql.walk(PAGE, {"first": 3, "ordering": ordering})

    ids = [row["id"] for row in walked]
    assert sorted(ids) == sorted(c.pk for c in posted)
    assert len(ids) == len(set(ids))
    everything = gql.data(PAGE, {"first": 100, "ordering": ordering})["challenges"]
    assert [row["id"] for row in everything["results"]] == ids
    assert everything["pageInfo"] == {"hasNextPage": False, "endCursor": ANY}


def test_first_out_of_range_and_a_broken_after_are_validation_errors(gql, learner):
    post_challenge(learner)

    for first in (0, 101, -1):
        error = gql.error(PAGE, {"first": first, "ordering": "-created_at"})
        assert (error["code"], list(error["errors"])) == ("validation_error", ["first"])
    for after in ("not-a-cursor", "W10", "WzEsImEiXQ", "x" * 2000):
        error = gql.error(PAGE, {"after": after, "ordering": "-created_at"})
        assert (error["code"], list(error["errors"])) == ("validation_error", ["after"])


def test_a_rest_cursor_and_a_graphql_end_cursor_are_the_same(gql, api_client, learner, solver):
    for n in range(5):
        post_challenge(learner if n % 2 else solver)
    for ordering in ("-created_at", "-score"):
        rest = api_client.get(f"/api/v1/challenges/?page_size=2&ordering={ordering}").json()
        page = gql.data(PAGE, {"first": 2, "ordering": ordering})["challenges"]
        cursor = parse_qs(urlparse(rest["next"]).query)["cursor"][0]

        assert cursor == page["pageInfo"]["endCursor"]
        from_rest = gql.data(PAGE, {"first": 2, "after": cursor, "ordering": ordering})
        from_graphql = api_client.get(
            f"/api/v1/challenges/?page_size=2&ordering={ordering}&cursor={cursor}"
        ).json()
        assert [row["id"] for row in from_rest["challenges"]["results"]] == [
            row["id"] for row in from_graphql["results"]
        ]


def test_first_and_later_pages_cost_the_same_queries_whatever_their_size(gql, user_factory):
    TechnologyFactory.create(name="Redis", slug="redis")
    for n in range(12):
        post_challenge(user_factory(), technologies=["redis"], tags=[f"tag-{n}", "common"])

    def counted(first, after=None):
        answer, queries = gql.queries(PAGE, {"first": first, "after": after, "ordering": "-score"})
        return len(answer["challenges"]["results"]), queries, answer["challenges"]["pageInfo"]

    small, small_queries, info = counted(2)
    later, later_queries, _ = counted(2, info["endCursor"])
    large, large_queries, info = counted(9)
    last, last_queries, _ = counted(9, info["endCursor"])

    assert (small, later, large, last) == (2, 2, 9, 3)
    # the page with its authors, then its technologies, then its tags
    assert small_queries == later_queries == large_queries == last_queries == 3


def test_page_info_asked_before_the_results_reads_the_same_page(gql, learner, solver):
    for n in range(3):
        post_challenge(learner if n % 2 else solver)
    query = """query($after: String) { challenges(first: 2, after: $after) {
      pageInfo { hasNextPage endCursor } results { id }
    } }"""

    first, queries = gql.queries(query)
    second = gql.data(query, {"after": first["challenges"]["pageInfo"]["endCursor"]})

    # the page's keys for pageInfo, then the page for the results
    assert queries == 2
    assert first["challenges"]["pageInfo"]["hasNextPage"] is True
    assert second["challenges"]["pageInfo"]["hasNextPage"] is False
    assert len(first["challenges"]["results"]) == 2
    assert len(second["challenges"]["results"]) == 1


CHALLENGE_THREAD = """
query($id: Int!) {
  challenge(id: $id) {
    solutions { author { username } comments { body author { username } } }
    comments { body }
  }
}
"""


def test_a_challenge_thread_costs_the_same_queries_for_few_or_many_solutions_and_comments(
    gql, user_factory, learner
):
    challenge = post_challenge(learner)

    def add_thread(solutions, comments_each):
        for _ in range(solutions):
            solution = answer(challenge, user_factory())
            for _ in range(comments_each):
                services.comment_create(
                    actor=user_factory(),
                    target="solution",
                    target_id=solution.pk,
                    data={"body": "Did that work?"},
                )
            services.comment_create(
                actor=user_factory(),
                target="challenge",
                target_id=challenge.pk,
                data={"body": "Same here."},
            )

    def thread_queries():
        with CaptureQueriesContext(connection) as queries:
            body = gql.data(CHALLENGE_THREAD, {"id": challenge.pk}, as_user=learner)
        thread = body["challenge"]
        comments = sum(len(s["comments"]) for s in thread["solutions"])
        return (len(thread["solutions"]), comments, len(thread["comments"])), len(queries)

    add_thread(2, 1)
    few, queries_for_few = thread_queries()
    add_thread(6, 3)
    many, queries_for_many = thread_queries()

    assert few == (2, 2, 2)
    assert many == (8, 20, 8)
    assert queries_for_few == queries_for_many


def test_a_challenge_history_costs_the_same_queries_for_two_or_six_revisions(gql, learner):
    challenge = post_challenge(learner)
    query = """query($id: Int!) {
      challengeRevisions(id: $id) { results { number title editor { username } } }
    }"""

    def edit(times):
        current = Challenge.objects.get(pk=challenge.pk)
        for _ in range(times):
            current = services.challenge_update(
                actor=learner,
                challenge_id=challenge.pk,
                data={
                    "body": f"Edit number {current.revision_count}.",
                    "base_revision": current.current_revision_id,
                },
            )

    def history_queries():
        with CaptureQueriesContext(connection) as queries:
            body = gql.data(query, {"id": challenge.pk})
        return len(body["challengeRevisions"]["results"]), len(queries)

    edit(1)
    two, queries_for_two = history_queries()
    edit(4)
    six, queries_for_six = history_queries()

    assert (two, six) == (2, 6)
    assert queries_for_two == queries_for_six
