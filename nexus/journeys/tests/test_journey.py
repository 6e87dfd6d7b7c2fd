from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services as challenge_services
from nexus.collaboration.services import channels as channel_services
from nexus.journeys import services
from nexus.journeys.portfolio import EMPTY, SECTIONS
from nexus.knowledge.models import Guide

pytestmark = pytest.mark.django_db

SITE = "https://nexus.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def journey_url(user, suffix="journey/"):
    return f"/api/v1/users/{user.username}/{suffix}"


@pytest.fixture
def channels(staff, learner, cohort_mate, outsider):
    """A public channel where the learner answers a cohort mate, and a private one."""
    channel_services.channel_create(
        actor=staff, data={"slug": "backend-help", "name": "Backend help", "kind": "public"}
    )
    channel_services.channel_create(
        actor=learner, data={"slug": "study-group", "name": "Study group", "kind": "private"}
    )
    for person in (learner, cohort_mate, outsider):
        channel_services.channel_join(actor=person, slug="backend-help")
    question = channel_services.message_post(
        actor=cohort_mate, slug="backend-help", data={"body": "How do I nest authors?"}
    )
    channel_services.message_post(
        actor=learner,
        slug="backend-help",
        data={"body": "Use `select_related`.", "parent": question.pk},
    )
    channel_services.message_post(actor=learner, slug="study-group", data={"body": "Notes."})


@pytest.fixture
def journey(
    learner,
    cohort_mate,
    outsider,
    mentor,
    staff,
    user_factory,
    django_tech,
    caching,
    make_goal,
    make_entry,
    make_challenge,
    solve,
    make_guide,
    make_review,
    give_feedback,
    make_mentorship,
    channels,
):
    """A learner with a bit of everything, some of it not for everyone's eyes."""
    peer = user_factory(username="peer-one", track="backend")
    solved = make_challenge(title="Redis keys expire too early in my cache")
    solve(solved, author=mentor, body="Set the **timeout** per key.")
    hidden = make_challenge(title="A challenge staff hid from the list")
    challenge_services.content_hide(
        actor=staff, target="challenge", target_id=hidden.pk, reason="Off topic"
    )
    answered_for_peer = solve(make_challenge(author=peer), author=learner, body="Use `acks_late`.")
    takeaway = make_guide(title="Cache per view", concepts=["caching-strategies"])
    draft = make_guide(title="Draft practice", kind="best_practice", status="draft")
    make_guide(title="A plain guide", kind="guide")
    make_entry(title="Public takeaway", visibility="public")
    make_entry(title="Cohort takeaway", visibility="cohort")
    make_entry(title="Private takeaway", visibility="private")
    review = make_review()
    give_feedback(review, cohort_mate)
    give_feedback(make_review(author=peer, title="Peer's pagination PR"), learner)
    mentorship = make_mentorship()
    make_goal(title="Learn Django", status="done", concepts=["caching-strategies"])
    make_goal(
        title="Deepen caching",
        kind="deepen",
        status="active",
        progress=40,
        target_date="2026-12-31",
        technologies=[],
        concepts=["caching-strategies"],
        evidence=[
            {"url": "https://example.org/talk", "note": "A talk I gave"},
            {"mentorship": mentorship.pk},
            {"guide": draft.slug},
            {"guide": takeaway.slug},
        ],
    )
    make_goal(title="Mentor others", kind="mentor", status="planned", technologies=[])
    make_goal(title="Learn Rust", status="dropped", technologies=[])
    return {
        "solved": solved,
        "hidden": hidden,
        "answered_for_peer": answered_for_peer,
        "peer": peer,
        "mentorship": mentorship,
    }


def get_journey(client, user, **params):
    response = client.get(journey_url(user), params)
    assert response.status_code == 200, response.json()
    return response.json()


def titles(items, key="title"):
    return [item[key] for item in items]


# --- What the learner sees --------------------------------------------------------------


def test_the_learner_sees_the_whole_journey_built_from_their_work(
    as_user, learner, cohort_mate, mentor, journey
):
    body = get_journey(as_user(learner), learner)

    assert body["is_own"] is True
    assert body["learner"]["username"] == learner.username
    assert body["objective"].startswith("Ada Learner is a backend learner in ProDev 2026.")
    technologies = {t["name"]: t for t in body["technologies"]}
    assert set(technologies) == {"Django", "Celery", "Kubernetes"}
    django_kinds = {link["kind"] for link in technologies["Django"]["evidence"]}
    assert django_kinds == {"goal", "skill", "guide", "journal", "review"}
    assert technologies["Django"]["url"] == f"{SITE}/api/v1/technologies/django/"
    assert technologies["Kubernetes"]["slug"] is None  # a skill the guide does not know
    assert titles(body["concepts"], "name") == ["Caching Strategies"]

    faced = {c["title"]: c for c in body["challenges_faced"]}
    assert set(faced) == {
        "Redis keys expire too early in my cache",
        "A challenge staff hid from the list",
    }
    solution = faced["Redis keys expire too early in my cache"]["solution"]
    assert solution["author"]["username"] == mentor.username
    assert solution["excerpt"] == "Set the timeout per key."
    assert solution["url"] == f"{SITE}/api/v1/solutions/{solution['id']}/"
    assert [s["challenge_author"]["username"] for s in body["challenges_solved"]] == ["peer-one"]

    takeaways = {t["title"]: t["visibility"] for t in body["takeaways"]}
    assert takeaways == {
        "Cache per view": "public",
        "Draft practice": "draft",
        "Public takeaway": "public",
        "Cohort takeaway": "cohort",
        "Private takeaway": "private",
    }

    collaboration = body["collaboration"]
    people = {c["user"]["username"]: (c["group"], c["how"]) for c in collaboration["collaborators"]}
    assert people == {
        "mate-one": ("Frontend learners", ["peer reviews", "channel threads"]),
        "mentor-one": ("Mentors", ["answered my challenges", "mentoring"]),
        "peer-one": ("Backend learners", ["I answered their challenges", "peer reviews"]),
    }
    assert {(c["slug"], c["messages"]) for c in collaboration["channels"]} == {
        ("backend-help", 1),
        ("study-group", 1),
    }
    assert titles(collaboration["reviews_received"]) == ["Review my DRF pagination"]
    assert titles(collaboration["reviews_given"]) == ["Peer's pagination PR"]
    assert [m["role"] for m in collaboration["mentoring"]] == ["mentee"]

    steps = body["next_steps"]
    assert titles(steps) == ["Deepen caching", "Mentor others"]  # dated first, dropped left out
    assert [link["kind"] for link in steps[0]["evidence"]] == [
        "url",
        "mentorship",
        "guide",
        "guide",
    ]
    assert body["stats"]["goals_done"] == 1
    assert body["markdown_url"] == f"{SITE}/api/v1/users/{learner.username}/journey.md"


def test_others_see_only_the_public_parts(as_user, api_client, learner, outsider, journey):
    for client in (as_user(outsider), api_client):
        body = get_journey(client, learner)

        assert body["is_own"] is False
        assert titles(body["challenges_faced"]) == ["Redis keys expire too early in my cache"]
        assert {t["title"] for t in body["takeaways"]} == {"Cache per view", "Public takeaway"}
        assert body["collaboration"]["mentoring"] == []
        assert [c["slug"] for c in body["collaboration"]["channels"]] == ["backend-help"]
        people = {c["user"]["username"]: c["how"] for c in body["collaboration"]["collaborators"]}
        assert "mentoring" not in people["mentor-one"]
        step = body["next_steps"][0]
        assert [(e["kind"], e["title"]) for e in step["evidence"]] == [
            ("url", "A talk I gave"),
            ("guide", "Cache per view"),
        ]
        assert "Private takeaway" not in str(body)
        assert "Draft practice" not in str(body)


def test_a_cohort_mate_also_sees_cohort_entries_but_never_private_ones(
    as_user, learner, cohort_mate, journey
):
    body = get_journey(as_user(cohort_mate), learner)

    assert {t["title"] for t in body["takeaways"]} == {
        "Cache per view",
        "Public takeaway",
        "Cohort takeaway",
    }


def test_staff_get_no_look_at_private_entries_either(as_user, learner, staff, journey):
    body = get_journey(as_user(staff), learner)

    assert "Private takeaway" not in {t["title"] for t in body["takeaways"]}
    assert body["collaboration"]["mentoring"] == []


def test_a_learner_previews_their_public_journey(as_user, api_client, learner, journey):
    preview = get_journey(as_user(learner), learner, public="true")
    public = get_journey(api_client, learner)

    for body in (preview, public):
        body.pop("generated_at")
        body.pop("is_own")
    assert preview == public
    assert as_user(learner).get(journey_url(learner), {"public": "maybe"}).status_code == 400


def test_an_unknown_learner_has_no_journey(api_client):
    for suffix in ("journey/", "journey.md"):
        response = api_client.get(f"/api/v1/users/nobody-here/{suffix}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["type"] == "not_found"


def test_a_new_learner_has_a_journey_with_every_section_saying_it_is_empty(
    api_client, user_factory
):
    newcomer = user_factory(username="new-one")

    body = get_journey(api_client, newcomer)
    markdown = api_client.get(journey_url(newcomer, "journey.md")).content.decode()

    assert body["technologies"] == body["next_steps"] == []
    for title in SECTIONS:
        assert f"## {title}\n\n{EMPTY}" in markdown or title == SECTIONS[0]


# --- The portfolio README ----------------------------------------------------------------


def sections(markdown):
    """Each `## ` section's body, by heading."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts), 2)}


def test_the_portfolio_readme_has_the_journey_documents_sections_linking_back(
    as_user, learner, journey
):
    response = as_user(learner).get(journey_url(learner, "journey.md"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    markdown = response.content.decode()
    assert markdown.startswith("# Ada Learner: ProDev 2026 journey\n")
    found = sections(markdown)
    assert list(found) == list(SECTIONS)
    assert all(body and body != EMPTY for body in found.values())
    assert f"[Django]({SITE}/api/v1/technologies/django/)" in found["Key Technologies Learned"]
    assert "### 1. Redis keys expire too early in my cache" in found["Challenges & Solutions"]
    assert "accepted answer by [" in found["Challenges & Solutions"]
    assert "### Solved for others" in found["Challenges & Solutions"]
    assert "Private takeaway" in found["Best Practices & Personal Takeaways"]
    assert "### Who I Collaborated With" in found["Collaboration"]
    assert "### Where We Collaborated" in found["Collaboration"]
    assert f"[#backend-help]({SITE}/api/v1/channels/backend-help/)" in found["Collaboration"]
    assert found["Next Steps"].startswith("1. **Deepen caching**")
    links = re.findall(r"\]\(([^)]+)\)", markdown)
    assert links
    assert all(link.startswith((SITE, "https://example.org")) for link in links), links


def test_the_readme_for_others_leaves_out_what_they_may_not_see(api_client, learner, journey):
    markdown = api_client.get(journey_url(learner, "journey.md")).content.decode()

    for secret in ("Private takeaway", "Cohort takeaway", "Draft practice", "study-group", "hid"):
        assert secret not in markdown
    assert "Mentoring" not in sections(markdown)["Collaboration"]


def test_text_written_by_users_cannot_become_markup_in_the_readme(api_client, learner, make_entry):
    make_entry(title="[Win a prize](https://evil.example) <img src=x onerror=alert(1)> *bold*")

    markdown = api_client.get(journey_url(learner, "journey.md")).content.decode()

    assert "https://evil.example" in markdown
    assert "\\[Win a prize\\]" in markdown
    assert "\\<img" in markdown
    assert "<img" not in markdown.replace("\\<img", "")
    assert "\\*bold\\*" in markdown


# --- Query counts ----------------------------------------------------------------------------


def grow(learner, peer, mentor, make_challenge, solve, make_entry, make_guide, make_goal, n):
    """n more of each kind of work, so a journey has more rows to show."""
    for i in range(n):
        solve(make_challenge(title=f"Yet another challenge number {i}"), author=mentor)
        solve(make_challenge(author=peer, title=f"Peer challenge number {i}"), author=learner)
        make_entry(title=f"More takeaways {i}")
        make_guide(title=f"Another takeaway {i}")
        make_goal(title=f"Learn more {i}", status="done")
        make_goal(title=f"Next {i}", evidence=[{"url": "https://example.org"}])


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_journey_costs_the_same_queries_whatever_the_amount_of_work(
    as_user,
    api_client,
    learner,
    outsider,
    mentor,
    journey,
    make_challenge,
    solve,
    make_entry,
    make_guide,
    make_goal,
):
    readers = {"self": as_user(learner), "other": as_user(outsider), "anonymous": api_client}
    urls = [journey_url(learner), journey_url(learner, "journey.md")]
    before = {(who, url): queries(client, url) for who, client in readers.items() for url in urls}

    grow(
        learner,
        journey["peer"],
        mentor,
        make_challenge,
        solve,
        make_entry,
        make_guide,
        make_goal,
        4,
    )
    after = {(who, url): queries(client, url) for who, client in readers.items() for url in urls}

    assert after == before
    assert before[("anonymous", urls[0])] <= 25


def test_the_journey_costs_an_exact_number_of_queries(
    api_client, learner, journey, django_assert_num_queries
):
    # learner; goals, their technologies, concepts, evidence; skills; guides with their
    # technologies and concepts; challenges with theirs; solutions given with their
    # challenges' technologies and concepts; journal with technologies; review
    # requests with technologies and feedback; feedback given; channels; threads;
    # collaborators
    with django_assert_num_queries(24):
        api_client.get(journey_url(learner))


def test_guides_deleted_since_drop_out_of_the_journey(as_user, learner, journey):
    Guide.objects.filter(title="Cache per view").update(deleted_at="2026-01-01T00:00:00Z")

    body = get_journey(as_user(learner), learner)

    assert "Cache per view" not in {t["title"] for t in body["takeaways"]}
    step_links = [e["title"] for e in body["next_steps"][0]["evidence"]]
    assert "Cache per view" in step_links  # the learner still sees their own evidence


def test_a_dropped_goal_leaves_next_steps_and_a_done_one_adds_its_technologies(
    as_user, learner, make_goal, celery_tech
):
    goal = make_goal(title="Learn Celery", technologies=["celery"])
    client = as_user(learner)
    assert titles(get_journey(client, learner)["next_steps"]) == ["Learn Celery"]

    services.goal_update(actor=learner, goal_id=goal.pk, data={"status": "done"})
    body = get_journey(client, learner)

    assert body["next_steps"] == []
    celery = next(t for t in body["technologies"] if t["slug"] == "celery")
    assert celery["evidence"] == [
        {"kind": "goal", "title": "Learn Celery", "url": None, "note": ""}
    ]
