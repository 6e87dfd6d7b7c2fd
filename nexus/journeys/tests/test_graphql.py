from __future__ import annotations

import pytest

from nexus.journeys.models import Goal, JournalEntry
from nexus.journeys.portfolio import SECTIONS
from nexus.journeys.tests.conftest import bearer

pytestmark = pytest.mark.django_db

GOAL_FIELDS = """
    id title kind status progress targetDate completedAt descriptionHtml
    technologies { slug name } concepts { slug }
    evidence { kind guide challenge url note title link }
"""
ENTRY_FIELDS = """
    id date title bodyHtml visibility url author { username displayName }
    technologies { slug } challenges { id title }
"""


# --- Goals ---------------------------------------------------------------------------------


CREATE_GOAL = (
    f"mutation($input: CreateGoalInput!) {{ createGoal(input: $input) {{ {GOAL_FIELDS} }} }}"
)
UPDATE_GOAL = (
    f"mutation($id: Int!, $input: UpdateGoalInput!) {{ updateGoal(id: $id, input: $input) "
    f"{{ {GOAL_FIELDS} }} }}"
)


def test_a_learner_sets_updates_lists_and_removes_a_goal(gql, learner, django_tech, make_challenge):
    challenge = make_challenge()
    created = gql.data(
        CREATE_GOAL,
        {
            "input": {
                "title": "Cache the list",
                "kind": "build",
                "description": "With *Redis*.",
                "targetDate": "2026-06-30",
                "technologies": ["django"],
                "evidence": [
                    {"challenge": challenge.pk, "note": "Why"},
                    {"url": "https://example.org/pr/1"},
                ],
            }
        },
        as_user=learner,
    )["createGoal"]
    assert (created["kind"], created["status"], created["progress"]) == ("build", "planned", 0)
    assert created["targetDate"] == "2026-06-30"
    assert "<em>Redis</em>" in created["descriptionHtml"]
    assert [(e["kind"], e["challenge"], e["title"]) for e in created["evidence"]] == [
        ("challenge", challenge.pk, challenge.title),
        ("url", None, "https://example.org/pr/1"),
    ]
    assert created["evidence"][0]["link"].endswith(f"/api/v1/challenges/{challenge.pk}/")

    goal_id = int(created["id"])
    updated = gql.data(
        UPDATE_GOAL,
        {"id": goal_id, "input": {"status": "done", "targetDate": None, "evidence": []}},
        as_user=learner,
    )["updateGoal"]
    assert (updated["status"], updated["progress"], updated["targetDate"]) == ("done", 100, None)
    assert updated["completedAt"] is not None
    assert updated["evidence"] == []

    listed = gql.data("{ myGoals(open: false) { results { id title } } }", as_user=learner)
    assert listed["myGoals"]["results"] == [{"id": goal_id, "title": "Cache the list"}]
    assert gql.data(f"mutation {{ deleteGoal(id: {goal_id}) }}", as_user=learner) == {
        "deleteGoal": True
    }
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"targetDate": "30 June"}, "target_date"),
        ({"progress": 150}, "progress"),
        ({"kind": "dream"}, "kind"),
        ({"evidence": [{"guide": "no-such-guide"}]}, "evidence.0"),
        ({"evidence": [{"url": "ftp://example.org"}]}, "evidence.0"),
    ],
)
def test_bad_goal_input_is_a_validation_error_and_writes_nothing(
    gql, learner, make_goal, change, field
):
    goal = make_goal()
    before = list(Goal.objects.values())

    created = gql(
        CREATE_GOAL,
        {"input": {"title": "New goal", "kind": "learn", **change}},
        as_user=learner,
    )
    updated = gql(UPDATE_GOAL, {"id": goal.pk, "input": change}, as_user=learner)

    for body in (created, updated):
        assert body.error["code"] == "validation_error", body
        assert field in body.error["errors"]
    assert list(Goal.objects.values()) == before


def test_someone_elses_goal_is_not_found_over_graphql(gql, outsider, make_goal):
    goal = make_goal()

    assert gql.error(f"{{ goal(id: {goal.pk}) {{ id }} }}", as_user=outsider)["code"] == (
        "not_found"
    )
    body = gql(UPDATE_GOAL, {"id": goal.pk, "input": {"progress": 99}}, as_user=outsider)
    assert body.error["code"] == "not_found"
    assert Goal.objects.get().progress == 0
    assert gql.error("{ myGoals { results { id } } }")["code"] == "not_authenticated"


def test_my_goals_cost_the_same_queries_for_three_or_nine(gql, learner, make_goal, make_challenge):
    challenge = make_challenge()
    query = f"{{ myGoals(first: 50) {{ results {{ {GOAL_FIELDS} }} }} }}"

    def add(n):
        for i in range(n):
            make_goal(title=f"Goal {i}", evidence=[{"challenge": challenge.pk}])

    add(3)
    first, small = gql.queries(query, as_user=learner)
    add(6)
    second, large = gql.queries(query, as_user=learner)

    assert (len(first["myGoals"]["results"]), len(second["myGoals"]["results"])) == (3, 9)
    assert small == large


# --- Journal ------------------------------------------------------------------------------


def test_a_learner_writes_edits_and_removes_journal_entries(gql, learner, django_tech):
    created = gql.data(
        f"""mutation($input: CreateJournalEntryInput!) {{
                createJournalEntry(input: $input) {{ {ENTRY_FIELDS} }} }}""",
        {
            "input": {
                "title": "Caching",
                "body": "Use **Redis**.",
                "date": "2026-03-02",
                "visibility": "cohort",
                "technologies": ["django"],
            }
        },
        as_user=learner,
    )["createJournalEntry"]
    assert (created["date"], created["visibility"]) == ("2026-03-02", "cohort")
    assert created["author"] == {"username": learner.username, "displayName": "Ada Learner"}
    assert created["url"].endswith(f"/users/{learner.username}/journal/{created['id']}/")

    entry_id = int(created["id"])
    edited = gql.data(
        "mutation($id: Int!, $input: UpdateJournalEntryInput!) { "
        "updateJournalEntry(id: $id, input: $input) { title visibility } }",
        {"id": entry_id, "input": {"visibility": "public"}},
        as_user=learner,
    )["updateJournalEntry"]
    assert edited == {"title": "Caching", "visibility": "public"}

    bad = gql(
        "mutation($id: Int!, $input: UpdateJournalEntryInput!) { "
        "updateJournalEntry(id: $id, input: $input) { title } }",
        {"id": entry_id, "input": {"date": "2026/03/02"}},
        as_user=learner,
    )
    assert bad.error["code"] == "validation_error"
    assert "date" in bad.error["errors"]

    mutation = f"mutation {{ deleteJournalEntry(id: {entry_id}) }}"
    assert gql.data(mutation, as_user=learner) == {"deleteJournalEntry": True}
    assert not JournalEntry.objects.exists()


def test_another_learners_private_entry_is_not_found_and_lists_keep_to_what_may_be_read(
    gql, learner, cohort_mate, outsider, make_entry
):
    private = make_entry(title="Private", visibility="private")
    make_entry(title="Cohort", visibility="cohort")
    make_entry(title="Public", visibility="public")
    one = f'{{ journalEntry(username: "{learner.username}", id: {private.pk}) {{ title }} }}'
    listing = f'{{ journal(username: "{learner.username}") {{ results {{ title }} }} }}'

    assert gql.error(one, as_user=outsider)["code"] == "not_found"
    assert gql.error(one)["code"] == "not_found"
    assert gql.data(one, as_user=learner)["journalEntry"] == {"title": "Private"}
    assert {e["title"] for e in gql.data(listing)["journal"]["results"]} == {"Public"}
    assert {e["title"] for e in gql.data(listing, as_user=cohort_mate)["journal"]["results"]} == {
        "Public",
        "Cohort",
    }
    assert (
        len(gql.data("{ myJournal { results { id } } }", as_user=learner)["myJournal"]["results"])
        == 3
    )


def test_journal_lists_cost_the_same_queries_for_three_or_nine(
    gql, learner, outsider, make_entry, make_challenge
):
    challenge = make_challenge()
    mine = f"{{ myJournal(first: 50) {{ results {{ {ENTRY_FIELDS} }} }} }}"
    theirs = (
        f'{{ journal(username: "{learner.username}", first: 50) '
        f"{{ results {{ {ENTRY_FIELDS} }} }} }}"
    )

    def add(n):
        for i in range(n):
            make_entry(title=f"Entry {i}", challenges=[challenge.pk])

    add(3)
    counts = [
        gql.queries(q, as_user=outsider if q is theirs else learner)[1] for q in (mine, theirs)
    ]
    add(6)
    again = [
        gql.queries(q, as_user=outsider if q is theirs else learner)[1] for q in (mine, theirs)
    ]

    assert counts == again


# --- Journey and dashboard ----------------------------------------------------------------------


JOURNEY = """
query($username: String!, $public: Boolean! = false) {
  journey(username: $username, public: $public) {
    isOwn objective markdown markdownUrl
    learner { username displayName }
    stats { technologies goalsDone goalsOpen }
    technologies { name slug url evidence { kind title url } }
    concepts { name slug }
    challengesFaced { id title url solution { id author { username } excerpt url } }
    challengesSolved { solutionId challengeTitle challengeAuthor { username } }
    takeaways { origin kind title visibility url }
    collaboration {
      collaborators { user { username } group how }
      channels { slug messages }
      reviewsGiven { title author { username } }
      reviewsReceived { title reviewers { username } }
      mentoring { role partner { username } status }
    }
    nextSteps { title kind progress targetDate technologies { slug } evidence { kind title } }
  }
}
"""


def test_the_journey_over_graphql_matches_rest_and_keeps_privacy(
    gql, client, learner, outsider, mentor, make_goal, make_entry, make_challenge, solve
):
    solve(make_challenge(title="Redis keys expire too early"), author=mentor)
    make_entry(title="Public one", visibility="public")
    make_entry(title="Private one", visibility="private")
    make_goal(title="Learn Django", status="done")
    make_goal(title="Deepen caching", kind="deepen", technologies=[])
    variables = {"username": learner.username}

    own = gql.data(JOURNEY, variables, as_user=learner)["journey"]
    other = gql.data(JOURNEY, variables, as_user=outsider)["journey"]
    preview = gql.data(JOURNEY, {**variables, "public": True}, as_user=learner)["journey"]
    rest = client.get(f"/api/v1/users/{learner.username}/journey/", **bearer(learner)).json()

    assert own["isOwn"] is True
    assert other["isOwn"] is False
    assert [t["title"] for t in own["takeaways"]] == [t["title"] for t in rest["takeaways"]]
    assert {t["title"] for t in own["takeaways"]} == {"Public one", "Private one"}
    assert {t["title"] for t in other["takeaways"]} == {"Public one"}
    assert {t["title"] for t in preview["takeaways"]} == {"Public one"}
    assert [s["title"] for s in own["nextSteps"]] == ["Deepen caching"]
    assert own["challengesFaced"][0]["solution"]["author"] == {"username": mentor.username}
    assert own["collaboration"]["collaborators"] == [
        {
            "user": {"username": mentor.username},
            "group": "Mentors",
            "how": ["answered my challenges"],
        }
    ]
    for title in SECTIONS:
        assert f"## {title}" in own["markdown"]
    assert "Private one" not in other["markdown"]
    missing = gql(JOURNEY, {"username": "nobody-here"})
    assert missing.error["code"] == "not_found"


def test_the_journey_over_graphql_costs_the_same_queries_with_more_work(
    gql, learner, mentor, make_goal, make_entry, make_challenge, solve, user_factory
):
    peer = user_factory()

    def add(n, start):
        for i in range(start, start + n):
            solve(make_challenge(title=f"Challenge number {i} of mine"), author=mentor)
            solve(make_challenge(author=peer, title=f"Peer challenge number {i}"), author=learner)
            make_entry(title=f"Entry {i}")
            make_goal(title=f"Done {i}", status="done")
            make_goal(title=f"Next {i}", evidence=[{"url": "https://example.org"}])

    add(1, 0)
    _, small = gql.queries(JOURNEY, {"username": learner.username}, as_user=learner)
    add(4, 1)
    body, large = gql.queries(JOURNEY, {"username": learner.username}, as_user=learner)

    assert len(body["journey"]["challengesFaced"]) == 5
    assert small == large


DASHBOARD = """
query($slug: String!) {
  cohortDashboard(slug: $slug, weeks: 4) {
    cohort { slug } weeks unansweredCount
    learners {
      user { username } total goalsOpen goalsDone weeks { week total } mentor { username }
    }
    unanswered { title author { username } }
    reviewTurnaround { claims answered waiting medianHours }
    mentoring { mentor { username } active capacity }
  }
}
"""


def test_staff_and_mentors_see_the_cohort_dashboard_and_learners_do_not(
    gql, learner, mentor, staff, cohort, make_challenge, make_goal
):
    make_challenge()
    make_goal()
    variables = {"slug": cohort.slug}

    for viewer in (staff, mentor):
        dashboard = gql.data(DASHBOARD, variables, as_user=viewer)["cohortDashboard"]
        assert dashboard["unansweredCount"] == 1
        assert len(dashboard["weeks"]) == 4
        row = dashboard["learners"][0]
        assert (row["user"]["username"], row["goalsOpen"], row["total"]) == (learner.username, 1, 1)
    assert gql.error(DASHBOARD, variables, as_user=learner)["code"] == "permission_denied"
    assert gql.error(DASHBOARD, variables)["code"] == "not_authenticated"
    missing = gql(DASHBOARD, {"slug": "no-such-cohort"}, as_user=staff)
    assert missing.error["code"] == "not_found"


def test_the_dashboard_over_graphql_costs_the_same_queries_for_more_learners(
    gql, staff, cohort, user_factory, make_goal, make_challenge
):
    def add(n, start):
        for i in range(start, start + n):
            person = user_factory(username=f"cohort-learner-{i}", cohort=cohort)
            make_challenge(author=person, title=f"Question number {i} in the cohort")
            make_goal(owner=person, title=f"Goal {i}")

    add(2, 0)
    _, small = gql.queries(DASHBOARD, {"slug": cohort.slug}, as_user=staff)
    add(6, 2)
    body, large = gql.queries(DASHBOARD, {"slug": cohort.slug}, as_user=staff)

    assert len(body["cohortDashboard"]["learners"]) == 9  # with learner-one
    assert small == large
