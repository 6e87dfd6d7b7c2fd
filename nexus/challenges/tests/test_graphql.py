from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from nexus.accounts.models import User
from nexus.challenges import selectors, services
from nexus.challenges.models import Challenge, ModerationAction, Solution, Vote
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db


def gql(client, query, variables=None, *, as_user=None):
    headers = {}
    if as_user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(as_user)}"
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        **headers,
    )
    return response.json()


def data(body):
    assert "errors" not in body, body
    return body["data"]


def error_code(body):
    return body["errors"][0]["extensions"]["code"]


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
    client, learner, solver, second_solver, celery
):
    posted = data(
        gql(
            client,
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
        )
    )["createChallenge"]
    challenge_id = posted["id"]
    first = data(
        gql(
            client,
            CREATE_SOLUTION,
            {"challengeId": challenge_id, "body": "Use `soft_time_limit`."},
            as_user=solver,
        )
    )["createSolution"]
    second = data(
        gql(
            client,
            CREATE_SOLUTION,
            {"challengeId": challenge_id, "body": "Split the task up."},
            as_user=second_solver,
        )
    )["createSolution"]

    challenge_vote = gql(
        client, VOTE, {"target": "CHALLENGE", "id": challenge_id, "value": 1}, as_user=solver
    )
    first_up = gql(
        client, VOTE, {"target": "SOLUTION", "id": first["id"], "value": 1}, as_user=learner
    )
    first_down = gql(
        client, VOTE, {"target": "SOLUTION", "id": first["id"], "value": -1}, as_user=second_solver
    )
    second_up = gql(
        client, VOTE, {"target": "SOLUTION", "id": second["id"], "value": 1}, as_user=solver
    )
    accepted = gql(client, ACCEPT, {"id": first["id"]}, as_user=learner)
    solved = gql(client, '{ challenges(status: "solved") { id status acceptedSolutionId } }')
    still_open = gql(client, '{ challenges(status: "open") { id } }')
    detail = data(gql(client, DETAIL, {"id": challenge_id}, as_user=learner))["challenge"]
    board = data(gql(client, LEADERBOARD))["leaderboard"]

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
    assert data(challenge_vote)["vote"] == {"score": 1, "myVote": 1}
    assert data(first_up)["vote"] == {"score": 1, "myVote": 1}
    assert data(first_down)["vote"] == {"score": 0, "myVote": -1}
    assert data(second_up)["vote"] == {"score": 1, "myVote": 1}
    assert data(accepted)["acceptSolution"]["isAccepted"] is True
    assert data(solved)["challenges"] == [
        {"id": challenge_id, "status": "solved", "acceptedSolutionId": first["id"]}
    ]
    assert data(still_open)["challenges"] == []
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
    client, learner, solver, celery
):
    """createSolution answers from the row it wrote, not by reading it back."""
    challenge = data(
        gql(
            client,
            CREATE_CHALLENGE,
            {"input": {"title": "Workers stop after a deploy", "body": "Why?"}},
            as_user=learner,
        )
    )["createChallenge"]
    created = data(
        gql(
            client,
            "mutation($c: Int!, $b: String!) { createSolution(challengeId: $c, body: $b) { %s } }"
            % SOLUTION_FIELDS,
            {"c": challenge["id"], "b": "Drain **first**."},
            as_user=solver,
        )
    )["createSolution"]
    shown = data(
        gql(
            client,
            "query($id: Int!) { challenge(id: $id) { solutions { %s } } }" % SOLUTION_FIELDS,
            {"id": challenge["id"]},
            as_user=solver,
        )
    )["challenge"]["solutions"]

    assert shown == [created]
    assert "<strong>first</strong>" in created["bodyHtml"]


def test_changing_and_withdrawing_a_vote_moves_score_and_reputation_exactly(
    client, learner, solver
):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    down = gql(
        client, VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": -1}, as_user=solver
    )
    reputation_after_down = reputation_of(learner)
    up = gql(client, VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}, as_user=solver)
    reputation_after_up = reputation_of(learner)
    again = gql(
        client, VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}, as_user=solver
    )
    withdrawn = gql(
        client, VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 0}, as_user=solver
    )
    solution_down = gql(
        client, VOTE, {"target": "SOLUTION", "id": solution.pk, "value": -1}, as_user=learner
    )

    assert data(down)["vote"] == {"score": -1, "myVote": -1}
    assert reputation_after_down == -2
    assert data(up)["vote"] == {"score": 1, "myVote": 1}
    assert reputation_after_up == 5
    assert data(again)["vote"] == {"score": 1, "myVote": 1}
    assert data(withdrawn)["vote"] == {"score": 0, "myVote": 0}
    assert reputation_of(learner) == 0
    assert data(solution_down)["vote"] == {"score": -1, "myVote": -1}
    assert reputation_of(solver) == -2


def test_voting_on_your_own_post_is_permission_denied(client, learner, solver):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    own_challenge = gql(
        client, VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 1}, as_user=learner
    )
    own_solution = gql(
        client, VOTE, {"target": "SOLUTION", "id": solution.pk, "value": 1}, as_user=solver
    )

    assert error_code(own_challenge) == "permission_denied"
    assert error_code(own_solution) == "permission_denied"
    assert not Vote.objects.exists()
    assert Challenge.objects.get(pk=challenge.pk).score == 0
    assert reputation_of(learner) == reputation_of(solver) == 0


def test_a_vote_of_two_is_a_validation_error(client, learner, solver):
    challenge = post_challenge(learner)

    body = gql(
        client, VOTE, {"target": "CHALLENGE", "id": challenge.pk, "value": 2}, as_user=solver
    )

    assert error_code(body) == "validation_error"
    assert body["errors"][0]["extensions"]["errors"] == {"value": ["One of -1, 0 or 1."]}
    assert not Vote.objects.exists()


def test_the_challenge_author_alone_accepts_and_can_withdraw_acceptance(
    client, learner, solver, second_solver
):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    by_peer = gql(client, ACCEPT, {"id": solution.pk}, as_user=second_solver)
    data(gql(client, ACCEPT, {"id": solution.pk}, as_user=learner))
    withdrawn = gql(
        client,
        "mutation($id: Int!) { unacceptSolution(id: $id) { isAccepted } }",
        {"id": solution.pk},
        as_user=learner,
    )

    assert error_code(by_peer) == "permission_denied"
    assert data(withdrawn)["unacceptSolution"] == {"isAccepted": False}
    assert Challenge.objects.get(pk=challenge.pk).status == "open"
    assert reputation_of(learner) == reputation_of(solver) == 0


MARK_DUPLICATE = """
mutation($id: Int!, $original: Int!, $reason: String) {
  markDuplicate(id: $id, original: $original, reason: $reason) { id status duplicateOfId }
}
"""

MODERATION_LOG = """
query($challenge: Int) {
  moderationLog(challenge: $challenge) {
    action targetType targetId challengeId challengeTitle reason details actor { username }
  }
}
"""


def test_staff_mark_a_challenge_as_a_duplicate_and_the_moderation_log_shows_it(
    client, learner, solver, staff
):
    original = post_challenge(learner)
    repeat = post_challenge(solver, title="Celery tasks killed after ten minutes")

    marked = gql(
        client,
        MARK_DUPLICATE,
        {"id": repeat.pk, "original": original.pk, "reason": "Asked before."},
        as_user=staff,
    )
    listed = gql(client, '{ challenges(status: "duplicate") { id duplicateOfId } }')
    log = gql(client, MODERATION_LOG, {"challenge": repeat.pk}, as_user=staff)

    assert data(marked)["markDuplicate"] == {
        "id": repeat.pk,
        "status": "duplicate",
        "duplicateOfId": original.pk,
    }
    assert data(listed)["challenges"] == [{"id": repeat.pk, "duplicateOfId": original.pk}]
    assert data(log)["moderationLog"] == [
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


def test_staff_close_and_reopen_a_challenge(client, learner, staff):
    challenge = post_challenge(learner)

    closed = gql(
        client,
        'mutation($id: Int!) { closeChallenge(id: $id, reason: "Off topic.") { status } }',
        {"id": challenge.pk},
        as_user=staff,
    )
    reopened = gql(
        client,
        "mutation($id: Int!) { reopenChallenge(id: $id) { status } }",
        {"id": challenge.pk},
        as_user=staff,
    )
    log = data(gql(client, "{ moderationLog { action reason } }", as_user=staff))

    assert data(closed)["closeChallenge"] == {"status": "closed"}
    assert data(reopened)["reopenChallenge"] == {"status": "open"}
    assert log["moderationLog"] == [
        {"action": "reopen", "reason": ""},
        {"action": "close", "reason": "Off topic."},
    ]


def test_a_learner_cannot_moderate(client, learner, solver):
    challenge = post_challenge(learner)
    other = post_challenge(learner, title="Redis connection refused in Docker")
    solution = answer(challenge, solver)

    close = gql(
        client,
        "mutation($id: Int!) { closeChallenge(id: $id) { status } }",
        {"id": challenge.pk},
        as_user=learner,
    )
    duplicate = gql(
        client, MARK_DUPLICATE, {"id": other.pk, "original": challenge.pk}, as_user=learner
    )
    hide = gql(
        client,
        'mutation($id: Int!) { hideContent(target: SOLUTION, id: $id, reason: "Spam.") }',
        {"id": solution.pk},
        as_user=learner,
    )
    log = gql(client, MODERATION_LOG, as_user=learner)

    assert error_code(close) == "permission_denied"
    assert error_code(duplicate) == "permission_denied"
    assert error_code(hide) == "permission_denied"
    # The log is staff-only; the selector does not even admit it exists.
    assert error_code(log) == "not_found"
    assert set(Challenge.objects.values_list("status", flat=True)) == {"open"}
    assert not Solution.objects.get(pk=solution.pk).is_hidden
    assert not ModerationAction.objects.exists()


HIDE = """
mutation($target: ModerationTarget!, $id: Int!, $reason: String!) {
  hideContent(target: $target, id: $id, reason: $reason)
}
"""


def test_a_hidden_solution_is_invisible_to_others_but_its_author_sees_it_with_the_reason(
    client, learner, solver, second_solver, staff
):
    challenge = post_challenge(learner)
    hidden = answer(challenge, solver, body="Buy my course.")
    shown = answer(challenge, second_solver)

    hid = gql(
        client, HIDE, {"target": "SOLUTION", "id": hidden.pk, "reason": "Advert."}, as_user=staff
    )

    def solutions_seen_by(user):
        body = gql(client, DETAIL, {"id": challenge.pk}, as_user=user)
        return [
            (s["id"], s["isHidden"], s["hiddenReason"])
            for s in data(body)["challenge"]["solutions"]
        ]

    anonymous = data(gql(client, DETAIL, {"id": challenge.pk}))["challenge"]["solutions"]
    count = data(gql(client, "{ challenges { solutionCount } }"))["challenges"]

    assert data(hid) == {"hideContent": True}
    assert [s["id"] for s in anonymous] == [shown.pk]
    assert solutions_seen_by(learner) == [(shown.pk, False, "")]
    assert solutions_seen_by(second_solver) == [(shown.pk, False, "")]
    assert sorted(solutions_seen_by(solver)) == sorted(
        [(hidden.pk, True, "Advert."), (shown.pk, False, "")]
    )
    assert len(solutions_seen_by(staff)) == 2
    assert count == [{"solutionCount": 1}]


def test_hidden_and_deleted_comments_never_show_in_nested_lists(
    client, learner, solver, second_solver, staff
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
    data(
        gql(client, HIDE, {"target": "COMMENT", "id": hidden.pk, "reason": "Rude."}, as_user=staff)
    )
    data(
        gql(
            client,
            "mutation($id: Int!) { deleteComment(id: $id) }",
            {"id": deleted.pk},
            as_user=second_solver,
        )
    )

    seen_by_learner = data(gql(client, DETAIL, {"id": challenge.pk}, as_user=learner))
    seen_by_author = data(gql(client, DETAIL, {"id": challenge.pk}, as_user=second_solver))

    assert seen_by_learner["challenge"]["comments"] == []
    assert seen_by_learner["challenge"]["solutions"][0]["comments"] == [
        {"body": kept.body, "author": {"username": learner.username}}
    ]
    assert seen_by_author["challenge"]["comments"] == []
    assert [c["body"] for c in seen_by_author["challenge"]["solutions"][0]["comments"]] == [
        "Thanks!",
        "Rude.",
    ]


def test_unhiding_a_solution_shows_it_again(client, learner, solver, staff):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)
    services.content_hide(actor=staff, target="solution", target_id=solution.pk, reason="Check.")

    unhid = gql(
        client,
        "mutation($id: Int!) { unhideContent(target: SOLUTION, id: $id) }",
        {"id": solution.pk},
    )
    unhid_by_staff = gql(
        client,
        "mutation($id: Int!) { unhideContent(target: SOLUTION, id: $id) }",
        {"id": solution.pk},
        as_user=staff,
    )
    seen = data(gql(client, DETAIL, {"id": challenge.pk}))["challenge"]["solutions"]

    assert error_code(unhid) == "not_authenticated"
    assert data(unhid_by_staff) == {"unhideContent": False}
    assert [s["id"] for s in seen] == [solution.pk]


def test_signed_out_callers_of_mutations_get_not_authenticated(client, learner, solver):
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

    codes = [error_code(gql(client, query, variables)) for query, variables in mutations]
    bookmarks = gql(client, "{ myBookmarks { id } }")

    assert codes == ["not_authenticated"] * len(mutations)
    assert error_code(bookmarks) == "not_authenticated"
    assert Challenge.objects.count() == 1
    assert Solution.objects.count() == 1
    assert not Vote.objects.exists()


UPDATE_CHALLENGE = """
mutation($id: Int!, $input: UpdateChallengeInput!) {
  updateChallenge(id: $id, input: $input) { title currentRevisionId }
}
"""


def test_the_author_edits_from_the_current_revision_and_a_stale_one_is_a_conflict(client, learner):
    challenge = post_challenge(learner)
    first_revision = challenge.current_revision_id

    edited = gql(
        client,
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
        client,
        UPDATE_CHALLENGE,
        {"id": challenge.pk, "input": {"body": "Another body.", "baseRevision": first_revision}},
        as_user=learner,
    )
    without_base = gql(
        client,
        UPDATE_CHALLENGE,
        {"id": challenge.pk, "input": {"body": "Another body."}},
        as_user=learner,
    )
    history = data(
        gql(
            client,
            "query($id: Int!) { challengeRevisions(id: $id) { number title message "
            "editor { username } } }",
            {"id": challenge.pk},
        )
    )

    current = data(edited)["updateChallenge"]
    assert current["title"] == "Celery tasks die after ten minutes"
    assert current["currentRevisionId"] != first_revision
    assert error_code(stale) == "conflict"
    assert (
        stale["errors"][0]["extensions"]["current_revision"]["id"] == current["currentRevisionId"]
    )
    assert error_code(without_base) == "validation_error"
    assert history["challengeRevisions"] == [
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


def test_another_learner_cannot_edit_or_delete_a_challenge(client, learner, solver):
    challenge = post_challenge(learner)

    edit = gql(
        client,
        UPDATE_CHALLENGE,
        {"id": challenge.pk, "input": {"tags": ["spam"]}},
        as_user=solver,
    )
    delete = gql(
        client,
        "mutation($id: Int!) { deleteChallenge(id: $id) }",
        {"id": challenge.pk},
        as_user=solver,
    )

    assert error_code(edit) == "permission_denied"
    assert error_code(delete) == "permission_denied"
    assert Challenge.objects.get(pk=challenge.pk).deleted_at is None


def test_a_deleted_challenge_is_gone(client, learner):
    challenge = post_challenge(learner)

    deleted = gql(
        client,
        "mutation($id: Int!) { deleteChallenge(id: $id) }",
        {"id": challenge.pk},
        as_user=learner,
    )
    detail = gql(client, DETAIL, {"id": challenge.pk}, as_user=learner)
    listed = data(gql(client, "{ challenges { id } }", as_user=learner))

    assert data(deleted) == {"deleteChallenge": True}
    assert error_code(detail) == "not_found"
    assert listed == {"challenges": []}


def test_solutions_are_edited_and_deleted_by_their_authors(client, learner, solver):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)

    edited = gql(
        client,
        'mutation($id: Int!) { updateSolution(id: $id, body: "Use **acks_late**.") { bodyHtml } }',
        {"id": solution.pk},
        as_user=solver,
    )
    by_other = gql(
        client,
        "mutation($id: Int!) { deleteSolution(id: $id) }",
        {"id": solution.pk},
        as_user=learner,
    )
    deleted = gql(
        client,
        "mutation($id: Int!) { deleteSolution(id: $id) }",
        {"id": solution.pk},
        as_user=solver,
    )
    seen = data(gql(client, DETAIL, {"id": challenge.pk}, as_user=solver))["challenge"]

    assert data(edited)["updateSolution"] == {
        "bodyHtml": "<p>Use <strong>acks_late</strong>.</p>\n"
    }
    assert error_code(by_other) == "permission_denied"
    assert data(deleted) == {"deleteSolution": True}
    assert seen["solutions"] == []


def test_comments_are_posted_on_challenges_and_solutions_and_edited_by_their_author(
    client, learner, solver
):
    challenge = post_challenge(learner)
    solution = answer(challenge, solver)
    create = """
    mutation($target: VoteTarget!, $id: Int!, $body: String!) {
      createComment(target: $target, id: $id, body: $body) { id body author { username } }
    }
    """

    on_challenge = data(
        gql(
            client,
            create,
            {"target": "CHALLENGE", "id": challenge.pk, "body": "Which broker?"},
            as_user=solver,
        )
    )["createComment"]
    on_solution = data(
        gql(
            client,
            create,
            {"target": "SOLUTION", "id": solution.pk, "body": "It worked!"},
            as_user=learner,
        )
    )["createComment"]
    edited = gql(
        client,
        'mutation($id: Int!) { updateComment(id: $id, body: "RabbitMQ?") { body bodyHtml } }',
        {"id": on_challenge["id"]},
        as_user=solver,
    )
    edited_by_other = gql(
        client,
        'mutation($id: Int!) { updateComment(id: $id, body: "Nope.") { body } }',
        {"id": on_challenge["id"]},
        as_user=learner,
    )
    detail = data(gql(client, DETAIL, {"id": challenge.pk}))["challenge"]
    counts = data(gql(client, "{ challenges { commentCount } }"))["challenges"]

    assert on_challenge["author"] == {"username": solver.username}
    assert data(edited)["updateComment"] == {"body": "RabbitMQ?", "bodyHtml": "<p>RabbitMQ?</p>\n"}
    assert error_code(edited_by_other) == "permission_denied"
    assert detail["comments"] == [{"body": "RabbitMQ?", "author": {"username": solver.username}}]
    assert detail["solutions"][0]["comments"] == [
        {"body": on_solution["body"], "author": {"username": learner.username}}
    ]
    assert counts == [{"commentCount": 1}]


def test_following_and_bookmarks_show_in_my_lists_and_on_the_challenge(client, learner, solver):
    challenge = post_challenge(learner)
    post_challenge(learner, title="Redis connection refused in Docker")

    follow = gql(
        client,
        "mutation($id: Int!) { follow(id: $id, active: true) }",
        {"id": challenge.pk},
        as_user=solver,
    )
    bookmark = gql(
        client,
        "mutation($id: Int!) { bookmark(id: $id, active: true) }",
        {"id": challenge.pk},
        as_user=solver,
    )
    mine = data(gql(client, "{ myBookmarks { id } myFollowing { id } }", as_user=solver))
    flags = data(
        gql(
            client,
            "query($id: Int!) { challenge(id: $id) { isFollowing isBookmarked } }",
            {"id": challenge.pk},
            as_user=solver,
        )
    )
    unfollow = gql(
        client,
        "mutation($id: Int!) { follow(id: $id, active: false) }",
        {"id": challenge.pk},
        as_user=solver,
    )
    after = data(gql(client, "{ myFollowing { id } }", as_user=solver))

    assert data(follow) == {"follow": True}
    assert data(bookmark) == {"bookmark": True}
    assert mine == {"myBookmarks": [{"id": challenge.pk}], "myFollowing": [{"id": challenge.pk}]}
    assert flags == {"challenge": {"isFollowing": True, "isBookmarked": True}}
    assert data(unfollow) == {"follow": False}
    assert after == {"myFollowing": []}


def test_the_accepted_solution_becomes_a_guide(client, learner, solver, celery):
    challenge = post_challenge(learner, technologies=["celery"])
    solution = answer(challenge, solver)
    services.solution_accept(actor=learner, solution_id=solution.pk)

    promoted = gql(
        client,
        "mutation($id: Int!) { promoteSolution(id: $id) { slug title kind status "
        "author { username } technologies { slug } } }",
        {"id": solution.pk},
        as_user=solver,
    )
    detail = data(
        gql(
            client,
            "query($id: Int!) { challenge(id: $id) { solutions { promotedGuideSlug } } }",
            {"id": challenge.pk},
        )
    )

    guide = data(promoted)["promoteSolution"]
    assert guide["title"] == challenge.title
    assert (guide["kind"], guide["status"]) == ("takeaway", "published")
    assert guide["author"] == {"username": solver.username}
    assert guide["technologies"] == [{"slug": "celery"}]
    assert detail["challenge"]["solutions"] == [{"promotedGuideSlug": guide["slug"]}]


def test_reading_a_challenge_counts_a_view(client, learner):
    challenge = post_challenge(learner)

    first = data(
        gql(client, "query($id: Int!) { challenge(id: $id) { viewCount } }", {"id": challenge.pk})
    )
    services.challenge_flush_views()  # views wait in Redis, when there is one
    second = data(
        gql(client, "query($id: Int!) { challenge(id: $id) { viewCount } }", {"id": challenge.pk})
    )
    services.challenge_flush_views()

    assert first == {"challenge": {"viewCount": 0}}
    assert second == {"challenge": {"viewCount": 1}}
    assert Challenge.objects.get(pk=challenge.pk).view_count == 2


def test_challenges_are_filtered_ordered_and_paged(client, learner, solver, celery):
    on_celery = post_challenge(learner, technologies=["celery"])
    answered = post_challenge(solver, title="Redis connection refused in Docker")
    answer(answered, learner)
    services.vote_cast(actor=learner, target="challenge", target_id=answered.pk, value=1)

    def ids(arguments):
        return [
            c["id"]
            for c in data(gql(client, f"{{ challenges{arguments} {{ id }} }}"))["challenges"]
        ]

    assert ids("") == [answered.pk, on_celery.pk]
    assert ids('(technology: "celery")') == [on_celery.pk]
    assert ids(f'(author: "{solver.username}")') == [answered.pk]
    assert ids("(unanswered: true)") == [on_celery.pk]
    assert ids("(unanswered: false)") == [answered.pk]
    assert ids('(q: "redis")') == [answered.pk]
    assert ids('(ordering: "-score")') == [answered.pk, on_celery.pk]
    assert ids("(limit: 1, offset: 1)") == [on_celery.pk]
    assert error_code(gql(client, '{ challenges(ordering: "title") { id } }')) == (
        "validation_error"
    )
    assert error_code(gql(client, '{ challenges(status: "lost") { id } }')) == "validation_error"


def test_similar_challenges_are_found_by_title(client, learner):
    similar = post_challenge(learner)
    post_challenge(learner, title="Redis connection refused in Docker")

    body = data(
        gql(client, '{ similarChallenges(title: "celery tasks killed after minutes") { id } }')
    )

    assert body == {"similarChallenges": [{"id": similar.pk}]}


CHALLENGE_LIST = (
    "{ challenges { title author { username displayName } technologies { slug } tags { slug } } }"
)


def test_the_challenge_list_costs_the_same_queries_for_three_or_nine_challenges(
    client, user_factory, learner, celery
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
            body = data(gql(client, CHALLENGE_LIST, as_user=learner))
        return len(body["challenges"]), len(queries)

    list_queries()  # the selection's shape is remembered on its first request
    add_challenges(3)
    three, queries_for_three = list_queries()
    add_challenges(6)
    nine, queries_for_nine = list_queries()

    assert (three, nine) == (3, 9)
    assert queries_for_three == queries_for_nine


FULL_LIST = """
{ challenges {
    id title status score solutionCount commentCount viewCount lastActivityAt createdAt
    updatedAt acceptedSolutionId duplicateOfId currentRevisionId isHidden hiddenReason
    author { username displayName role }
    technologies { slug name } concepts { slug name } tags { slug name }
} }
"""


def test_the_list_reads_all_links_in_one_query_in_each_models_order(
    client, learner, solver, celery
):
    TechnologyFactory.create(name="Alembic", slug="alembic")
    first = post_challenge(learner, technologies=["celery", "alembic"], tags=["zeta", "beta"])
    second = post_challenge(solver, tags=["alpha"])
    accepted = answer(first, solver)
    services.solution_accept(actor=learner, solution_id=accepted.pk)

    with CaptureQueriesContext(connection) as queries:
        rows = data(gql(client, FULL_LIST))["challenges"]
    with CaptureQueriesContext(connection) as remembered:
        again = data(gql(client, FULL_LIST))["challenges"]

    # the page, then every technology, concept, tag and nothing more
    assert len(queries) == 2
    # once the selection is remembered, PostgreSQL reads the links with the page
    assert again == rows
    assert len(remembered) == (1 if connection.vendor == "postgresql" else 2)
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


def test_renamed_links_show_in_the_next_list_though_link_instances_are_kept(
    client, learner, user_factory, celery, monkeypatch
):
    mentor = user_factory(username="mentor-one", role="mentor")
    post_challenge(learner, technologies=["celery"], tags=["queues"])
    data(gql(client, FULL_LIST))  # the selection is remembered: links come with the page
    first = data(gql(client, FULL_LIST))["challenges"][0]
    knowledge_services.technology_update(actor=mentor, slug="celery", data={"name": "Celery 5"})

    renamed = data(gql(client, FULL_LIST))["challenges"][0]

    assert first["technologies"] == [{"slug": "celery", "name": "Celery"}]
    assert renamed["technologies"] == [{"slug": "celery", "name": "Celery 5"}]
    # the kept instances are bounded: when full, they start again
    monkeypatch.setattr(selectors, "BUILT_REFS_MAX", len(selectors._BUILT_REFS))
    knowledge_services.technology_update(actor=mentor, slug="celery", data={"name": "Celery 6"})
    again = data(gql(client, FULL_LIST))["challenges"][0]
    assert again["technologies"] == [{"slug": "celery", "name": "Celery 6"}]
    assert again["tags"] == [{"slug": "queues", "name": "queues"}]
    assert len(selectors._BUILT_REFS) == 2


def test_a_list_without_links_reads_only_the_page(client, learner, celery):
    post_challenge(learner, technologies=["celery"], tags=["one"])

    with CaptureQueriesContext(connection) as queries:
        rows = data(gql(client, "{ challenges { title currentRevisionId } }"))["challenges"]

    assert len(rows) == 1
    assert rows[0]["currentRevisionId"] is not None
    assert len(queries) == 1


CHALLENGE_THREAD = """
query($id: Int!) {
  challenge(id: $id) {
    solutions { author { username } comments { body author { username } } }
    comments { body }
  }
}
"""


def test_a_challenge_thread_costs_the_same_queries_for_few_or_many_solutions_and_comments(
    client, user_factory, learner
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
            body = data(gql(client, CHALLENGE_THREAD, {"id": challenge.pk}, as_user=learner))
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


def test_a_challenge_history_costs_the_same_queries_for_two_or_six_revisions(client, learner):
    challenge = post_challenge(learner)
    query = "query($id: Int!) { challengeRevisions(id: $id) { number title editor { username } } }"

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
            body = data(gql(client, query, {"id": challenge.pk}))
        return len(body["challengeRevisions"]), len(queries)

    edit(1)
    two, queries_for_two = history_queries()
    edit(4)
    six, queries_for_six = history_queries()

    assert (two, six) == (2, 6)
    assert queries_for_two == queries_for_six


def counted_optimize(calls):
    """strawberry-django's optimize, each call noted in `calls`."""
    from strawberry_django.optimizer import optimize

    def counted(page, info):
        calls.append(1)
        return optimize(page, info)

    return counted


def test_a_repeated_list_query_reuses_the_optimizers_choice_with_the_same_answer(
    client, learner, solver, celery, monkeypatch
):
    from nexus.challenges.api import graphql as challenges_graphql

    post_challenge(learner, technologies=["celery"], tags=["retries"])
    post_challenge(solver, tags=["beat"])
    optimized: list[int] = []
    monkeypatch.setattr(challenges_graphql, "_page_shapes", challenges_graphql._PageShapes())
    monkeypatch.setattr(challenges_graphql, "optimize", counted_optimize(optimized))

    def answer(query, **variables):
        with CaptureQueriesContext(connection) as queries:
            body = data(gql(client, query, variables, as_user=learner))
        return body, len(queries)

    first = answer(FULL_LIST)
    again = answer(FULL_LIST)
    # Same text, same parsed node: the optimizer walked the selection once.
    assert optimized == [1]
    assert again[0] == first[0]
    # Once remembered, PostgreSQL reads the links with the page.
    assert again[1] == first[1] - (connection.vendor == "postgresql")
    assert first[0]["challenges"][0]["author"]["displayName"]

    # Another selection is optimized for itself: its body is loaded with the page.
    bodies = answer("{ challenges { title body author { username } tags { slug } } }")
    assert optimized == [1, 1]
    assert bodies[0]["challenges"][0]["body"]
    assert bodies[1] == first[1]


def test_unfiltered_first_pages_keep_their_sql_and_still_answer_each_viewer(
    client, learner, solver, staff, celery, monkeypatch
):
    from nexus.challenges.api import graphql as challenges_graphql

    mine, theirs, hidden = (post_challenge(author) for author in (learner, solver, solver))
    services.content_hide(actor=staff, target="challenge", target_id=hidden.pk, reason="Spam")
    services.vote_cast(actor=learner, target="challenge", target_id=theirs.pk, value=1)
    optimized: list[int] = []
    monkeypatch.setattr(challenges_graphql, "_page_shapes", challenges_graphql._PageShapes())
    monkeypatch.setattr(challenges_graphql, "optimize", counted_optimize(optimized))
    composed: list[int] = []
    challenge_list = selectors.challenge_list

    def counted_list(**kwargs):
        composed.append(1)
        return challenge_list(**kwargs)

    monkeypatch.setattr(selectors, "challenge_list", counted_list)
    query = """query($limit: Int!, $ordering: String!) {
      challenges(limit: $limit, ordering: $ordering) { id author { username } tags { slug } }
    }"""

    def ids(viewer, limit=10, ordering="-created_at"):
        variables = {"limit": limit, "ordering": ordering}
        remembered = bool(optimized)
        with CaptureQueriesContext(connection) as queries:
            body = data(gql(client, query, variables, as_user=viewer))
        if viewer is None:
            # the page, then its links; once remembered, PostgreSQL reads both at once
            together = remembered and connection.vendor == "postgresql"
            assert len(queries) == (1 if together else 2)
        return [int(row["id"]) for row in body["challenges"]]

    newest_first = [hidden.pk, theirs.pk, mine.pk]
    for _ in range(2):
        assert ids(None) == [theirs.pk, mine.pk]
        assert ids(learner) == [theirs.pk, mine.pk]
        assert ids(solver) == newest_first  # their own hidden challenge
        assert ids(staff) == newest_first
        assert ids(None, limit=1) == [theirs.pk]
        assert ids(None, ordering="-score") == [theirs.pk, mine.pk]
    # the selection was walked and the list composed once; later pages had kept SQL
    assert optimized == [1]
    assert composed == [1]
    assert ids(staff, limit=0) == []

    services.content_hide(
        actor=staff, target="challenge", target_id=hidden.pk, reason="", hidden=False
    )
    assert ids(None) == newest_first


def test_a_selection_of_columns_only_reuses_the_optimizers_choice_too(
    client, learner, solver, celery, monkeypatch
):
    from nexus.challenges.api import graphql as challenges_graphql

    post_challenge(learner)
    post_challenge(solver)
    optimized: list[int] = []
    monkeypatch.setattr(challenges_graphql, "_page_shapes", challenges_graphql._PageShapes())
    monkeypatch.setattr(challenges_graphql, "optimize", counted_optimize(optimized))
    query = "{ challenges { id title author { username displayName } } }"

    first = data(gql(client, query))
    with CaptureQueriesContext(connection) as queries:
        again = data(gql(client, query))
    assert len(queries) == 1  # the page with its authors: no link query
    filtered = data(gql(client, '{ challenges(status: "open") { id title } }'))

    assert again == first
    assert [row["author"]["username"] for row in first["challenges"]] == [
        "solver-one",
        "learner-one",
    ]
    assert optimized == [1, 1]  # the repeat reused the first's choice
    assert len(filtered["challenges"]) == 2


def test_a_selection_with_directives_is_optimized_for_each_request(
    client, learner, celery, monkeypatch
):
    from nexus.challenges.api import graphql as challenges_graphql

    post_challenge(learner, tags=["retries"])
    optimized: list[int] = []
    monkeypatch.setattr(challenges_graphql, "_page_shapes", challenges_graphql._PageShapes())
    monkeypatch.setattr(challenges_graphql, "optimize", counted_optimize(optimized))
    query = """query($body: Boolean!) {
      challenges { title body @include(if: $body) tags { slug } }
    }"""

    without = data(gql(client, query, {"body": False}, as_user=learner))
    with CaptureQueriesContext(connection) as queries:
        with_body = data(gql(client, query, {"body": True}, as_user=learner))

    assert "body" not in without["challenges"][0]
    assert with_body["challenges"][0]["body"]
    assert optimized == [1, 1]
    # the body came with the page, not in a query of its own per challenge
    assert not [
        q for q in queries.captured_queries if 'WHERE "challenges_challenge"."id" =' in q["sql"]
    ]


def test_the_page_is_chosen_in_a_subquery_and_joined_to_its_authors_outside_it(
    client, learner, solver, celery
):
    for author in (learner, solver, learner):
        post_challenge(author, tags=["retries"])

    with CaptureQueriesContext(connection) as queries:
        page = data(
            gql(client, "{ challenges(limit: 2, offset: 1) { title author { username } } }")
        )

    # newest first, the second and third
    assert [c["author"]["username"] for c in page["challenges"]] == [
        solver.username,
        learner.username,
    ]
    page_sql = next(q["sql"] for q in queries.captured_queries if "accounts_user" in q["sql"])
    outer, _, inner = page_sql.partition("IN (SELECT")
    # The LIMIT inside, the join outside: PostgreSQL then plans the join for the
    # page's rows, not for every author of the table.
    assert "JOIN" in outer
    assert "LIMIT" not in outer
    assert "LIMIT" in inner
