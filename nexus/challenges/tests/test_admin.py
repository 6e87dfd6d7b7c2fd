from __future__ import annotations

import pytest

from nexus.challenges import services

pytestmark = pytest.mark.django_db


def test_staff_read_challenges_and_the_logs_in_the_admin(
    client, user_factory, learner, staff, make_challenge, solve
):
    challenge = make_challenge()
    solution = solve(challenge)
    services.solution_accept(actor=learner, solution_id=solution.pk)
    services.challenge_close(actor=staff, challenge_id=challenge.pk, reason="Done")
    client.force_login(user_factory(is_staff=True, is_superuser=True))

    for model in (
        "challenge",
        "solution",
        "comment",
        "challengerevision",
        "moderationaction",
        "reputationevent",
    ):
        assert client.get(f"/admin/challenges/{model}/").status_code == 200, model
    assert client.get(f"/admin/challenges/challenge/{challenge.pk}/change/").status_code == 200
    assert client.get(f"/admin/challenges/challenge/{challenge.pk}/delete/").status_code == 403
