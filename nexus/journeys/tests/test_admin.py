from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_staff_look_at_goals_and_journals_in_the_admin_but_change_nothing(
    client, user_factory, make_goal, make_entry
):
    goal = make_goal(evidence=[{"url": "https://example.org/proof"}])
    entry = make_entry(visibility="private", body="A secret of mine.")
    client.force_login(user_factory(is_staff=True, is_superuser=True))

    for model in ("goal", "journalentry"):
        assert client.get(f"/admin/journeys/{model}/").status_code == 200, model
    assert client.get(f"/admin/journeys/goal/{goal.pk}/change/").status_code == 200
    page = client.get(f"/admin/journeys/journalentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert "A secret of mine." not in page.content.decode()
    assert client.get(f"/admin/journeys/goal/{goal.pk}/delete/").status_code == 403
    assert client.get("/admin/journeys/goal/add/").status_code == 403
