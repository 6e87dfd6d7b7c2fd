from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from nexus.accounts.models import User
from nexus.journeys.models import Evidence, Goal, JournalEntry
from nexus.journeys.portfolio import EMPTY, SECTIONS
from nexus.journeys.tests.conftest import bearer

pytestmark = pytest.mark.django_db

README = "/api/v1/users/demo-learner/journey.md"
NEXT_STEPS = [
    "Contribute to open-source backend projects",
    "Deepen knowledge of system design & scalability",
    "Explore microservices architecture with Django + FastAPI",
    "Mentor future ProDev learners",
]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    return {user.email: user for user in User.objects.all()}


def sections(markdown):
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts), 2)}


def test_the_demo_learners_readme_fills_every_section_of_the_journey_document(client, demo):
    learner = demo["learner@demo.nexus"]

    response = client.get(README, **bearer(learner))

    assert response.status_code == 200
    found = sections(response.content.decode())
    assert list(found) == list(SECTIONS)
    for title, body in found.items():
        assert body, title
        assert EMPTY not in body, title
    for name in ("Python", "Django", "Django REST Framework", "GraphQL", "Docker", "CI/CD"):
        assert f"**[{name}" in found["Key Technologies Learned"], name
    for name in ("Database Design", "Asynchronous Programming", "Caching", "Message Queues"):
        assert name in found["Important Backend Development Concepts"], name
    assert found["Challenges & Solutions"].count("* **Solution:**") == 4
    assert "still open" not in found["Challenges & Solutions"]
    assert "### Who I Collaborated With" in found["Collaboration"]
    assert "#prodev-project-nexus" in found["Collaboration"]
    steps = re.findall(r"^\d+\. \*\*(.+?)\*\*", found["Next Steps"], flags=re.MULTILINE)
    assert [re.sub(r"\\(.)", r"\1", step) for step in steps] == NEXT_STEPS


def test_a_second_learner_sees_only_the_public_parts_of_the_demo_journey(client, demo):
    second = demo["frontend@demo.nexus"]
    own = client.get(README, **bearer(demo["learner@demo.nexus"])).content.decode()
    mate = client.get(README, **bearer(second)).content.decode()
    outsider_md = client.get(README).content.decode()

    assert "Keep learning](" in own
    assert "_(private)_" in own
    assert "_(private)_" not in mate
    assert "_(private)_" not in outsider_md
    assert "Celery: small tasks, watched in Flower" in mate  # the demo cohort's entry
    assert "Celery: small tasks, watched in Flower" not in outsider_md
    for title in SECTIONS:
        assert f"## {title}" in outsider_md


def test_staff_see_the_demo_cohorts_dashboard(client, demo):
    staff = demo["staff@demo.nexus"]

    response = client.get("/api/v1/cohorts/prodev-backend-2026/dashboard/", **bearer(staff))

    assert response.status_code == 200
    learners = {row["user"]["username"]: row for row in response.json()["learners"]}
    assert learners["demo-learner"]["goals_open"] == 4
    assert learners["demo-learner"]["goals_done"] == 10


def test_loading_the_demo_again_changes_no_goal_or_entry(demo):
    before = (
        list(Goal.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
        list(JournalEntry.objects.order_by("pk").values()),
    )

    call_command("load_demo", verbosity=0)

    after = (
        list(Goal.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
        list(JournalEntry.objects.order_by("pk").values()),
    )
    assert after == before
    assert len(before[0]) == 14
    assert len(before[2]) == 9
    assert all(len(Goal.objects.get(pk=g["id"]).evidence.all()) for g in before[0][:10])
