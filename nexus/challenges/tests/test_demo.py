from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from nexus.accounts.demo import load_demo_accounts
from nexus.accounts.models import Profile, User
from nexus.challenges import selectors, services
from nexus.challenges.demo import CHALLENGES, load_demo_challenges
from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    Follow,
    ReputationEvent,
    Solution,
    Vote,
)
from nexus.knowledge.demo import load_demo_knowledge

pytestmark = pytest.mark.django_db

# The journey document's four challenges, by a phrase of their titles, and the
# technologies each is about; written out here so a dropped link fails a test.
JOURNEY_CHALLENGES = {
    "Setting up CI/CD for the first time": {"github-actions", "ci-cd"},
    "Debugging complex API integration with frontend": {"django-rest-framework", "postman"},
    "Managing asynchronous tasks with Celery & RabbitMQ": {"celery", "rabbitmq", "flower"},
    "Dockerizing Django apps with proper networking": {"docker", "docker-compose", "postgresql"},
}
# The reputation weights the challenges API documents.
VOTE_POINTS = {
    ("challenge", 1): 5,
    ("challenge", -1): -2,
    ("solution", 1): 10,
    ("solution", -1): -2,
}
ACCEPTED_POINTS, ACCEPTING_POINTS = 15, 2


@pytest.fixture
def people() -> dict[str, User]:
    people = load_demo_accounts()
    load_demo_knowledge(people)
    return people


@pytest.fixture
def loaded(people: dict[str, User]) -> dict[str, User]:
    load_demo_challenges(people)
    return people


def counts() -> dict[str, int]:
    return {
        "challenges": Challenge.objects.count(),
        "revisions": ChallengeRevision.objects.count(),
        "solutions": Solution.objects.count(),
        "votes": Vote.objects.count(),
        "comments": Comment.objects.count(),
        "reputation events": ReputationEvent.objects.count(),
        "follows": Follow.objects.count(),
    }


def reputations() -> dict[str, int]:
    return dict(Profile.objects.values_list("user__username", "reputation"))


def snapshot() -> list[Any]:
    """Every row the loader writes, with its counters, links and timestamps."""
    return [
        list(Challenge.objects.order_by("pk").values()),
        list(Challenge.technologies.through.objects.order_by("pk").values()),
        list(Challenge.concepts.through.objects.order_by("pk").values()),
        list(Challenge.tags.through.objects.order_by("pk").values()),
        list(ChallengeRevision.objects.order_by("pk").values()),
        list(Solution.objects.order_by("pk").values()),
        list(Vote.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(ReputationEvent.objects.order_by("pk").values()),
        list(Follow.objects.order_by("pk").values()),
        list(Profile.objects.order_by("pk").values()),
    ]


def journey_challenge(phrase: str) -> Challenge:
    return Challenge.objects.get(title__startswith=phrase)


def test_loading_the_demo_challenges_twice_creates_nothing_twice(people):
    load_demo_challenges(people)
    first, first_reputations = counts(), reputations()

    load_demo_challenges(people)

    assert counts() == first
    assert reputations() == first_reputations
    assert first["challenges"] == first["revisions"] == first["solutions"] == len(CHALLENGES)
    assert first["votes"] > 0
    assert first["comments"] > 0
    assert first["reputation events"] > 0


def test_loading_the_demo_challenges_again_changes_nothing(loaded):
    before = snapshot()

    load_demo_challenges(loaded)

    assert snapshot() == before


def test_the_load_demo_command_run_twice_loads_the_challenges_once():
    call_command("load_demo", stdout=StringIO())
    first, first_reputations = counts(), reputations()

    call_command("load_demo", stdout=StringIO())

    assert counts() == first
    assert reputations() == first_reputations
    assert first["challenges"] == len(JOURNEY_CHALLENGES)


def test_the_four_journey_challenges_are_solved_challenges_of_the_demo_learner(loaded):
    for phrase in JOURNEY_CHALLENGES:
        challenge = journey_challenge(phrase)

        assert challenge.author == loaded["learner"]
        assert challenge.status == Challenge.Status.SOLVED
        assert challenge.revision_count == 1
        assert challenge.current_revision is not None
        assert challenge.body_html.strip()
        assert "<pre>" in challenge.body_html
    assert Challenge.objects.count() == len(JOURNEY_CHALLENGES)


def test_each_journey_challenge_has_an_accepted_solution_by_someone_else(loaded):
    for phrase in JOURNEY_CHALLENGES:
        challenge = journey_challenge(phrase)
        accepted = challenge.accepted_solution

        assert accepted is not None
        assert accepted.is_accepted
        assert accepted.accepted_at is not None
        assert accepted.challenge_id == challenge.pk
        assert accepted.author_id != challenge.author_id
        assert accepted.body_html.strip()
        assert list(challenge.solutions.filter(is_accepted=True)) == [accepted]


def test_each_journey_challenge_links_the_technologies_it_is_about(loaded):
    for phrase, technologies in JOURNEY_CHALLENGES.items():
        challenge = journey_challenge(phrase)
        linked = set(challenge.technologies.values_list("slug", flat=True))

        assert technologies <= linked
        assert challenge.tags.exists()
    celery = journey_challenge("Managing asynchronous tasks")
    assert "message-queues" in set(celery.concepts.values_list("slug", flat=True))


def test_the_mentor_and_staff_upvote_each_challenge_and_its_accepted_solution(loaded):
    for phrase in JOURNEY_CHALLENGES:
        challenge = journey_challenge(phrase)
        accepted = challenge.accepted_solution

        assert accepted is not None
        challenge_voters = set(challenge.votes.filter(value=1).values_list("user", flat=True))
        assert {loaded["mentor"].pk, loaded["staff"].pk} <= challenge_voters
        assert loaded["staff"].pk in set(accepted.votes.values_list("user", flat=True))


def test_counters_match_the_rows_they_count(loaded):
    for challenge in Challenge.objects.all():
        assert challenge.solution_count == challenge.solutions.count()
        assert challenge.comment_count == challenge.comments.count()
        for solution in challenge.solutions.all():
            assert solution.comment_count == solution.comments.count()
    assert Comment.objects.exclude(author=loaded["learner"]).exists()


def test_scores_equal_the_votes_cast(loaded):
    for challenge in Challenge.objects.all():
        assert challenge.score == sum(challenge.votes.values_list("value", flat=True))
        assert challenge.score > 0
    for solution in Solution.objects.all():
        assert solution.score == sum(solution.votes.values_list("value", flat=True))
        assert solution.score > 0


def test_reputations_equal_what_the_votes_and_acceptances_imply(loaded):
    implied: Counter[int] = Counter()
    for vote in Vote.objects.select_related("challenge", "solution"):
        if vote.challenge is not None:
            implied[vote.challenge.author_id] += VOTE_POINTS[("challenge", vote.value)]
        else:
            assert vote.solution is not None
            implied[vote.solution.author_id] += VOTE_POINTS[("solution", vote.value)]
    for solution in Solution.objects.filter(is_accepted=True).select_related("challenge"):
        implied[solution.author_id] += ACCEPTED_POINTS
        implied[solution.challenge.author_id] += ACCEPTING_POINTS

    for profile in Profile.objects.all():
        assert profile.reputation == implied[profile.user_id], profile.user.username
        ledger = ReputationEvent.objects.filter(user_id=profile.user_id)
        assert profile.reputation == sum(ledger.values_list("points", flat=True))
    assert implied[loaded["learner"].pk] > 0
    assert implied[loaded["mentor"].pk] > 0


def test_the_journey_challenges_show_up_in_the_solved_list_for_anyone(loaded):
    solved = selectors.challenge_list(viewer=AnonymousUser(), filters={"status": "solved"})
    titles = list(solved.values_list("title", flat=True))

    for phrase in JOURNEY_CHALLENGES:
        assert sum(title.startswith(phrase) for title in titles) == 1


def test_loading_completes_a_journey_challenge_that_was_only_asked(people):
    spec = CHALLENGES[0]
    asked = services.challenge_create(
        actor=people["learner"],
        data={"title": spec.title, "body": spec.body, "technologies": ["github-actions"]},
    )

    load_demo_challenges(people)

    asked.refresh_from_db()
    assert Challenge.objects.filter(title=spec.title).count() == 1
    assert asked.status == Challenge.Status.SOLVED
    assert asked.accepted_solution is not None
    assert asked.score == len(spec.challenge_voters)


def test_loading_again_keeps_a_vote_someone_changed_since(loaded):
    challenge = journey_challenge("Setting up CI/CD")
    services.vote_cast(actor=loaded["mentor"], target="challenge", target_id=challenge.pk, value=-1)
    before = snapshot()

    load_demo_challenges(loaded)

    assert snapshot() == before
    assert challenge.votes.get(user=loaded["mentor"]).value == -1


def test_loading_again_leaves_a_challenge_staff_closed_as_it_is(people):
    spec = CHALLENGES[1]
    asked = services.challenge_create(
        actor=people["learner"], data={"title": spec.title, "body": spec.body}
    )
    services.challenge_close(actor=people["staff"], challenge_id=asked.pk, reason="Off topic")

    load_demo_challenges(people)

    asked.refresh_from_db()
    assert asked.status == Challenge.Status.CLOSED
    assert not asked.solutions.exists()
    assert Challenge.objects.filter(status=Challenge.Status.SOLVED).count() == len(CHALLENGES) - 1
