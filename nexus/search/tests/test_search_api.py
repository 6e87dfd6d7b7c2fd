"""Search through the REST door: real questions against the demo content,
bad input, pages and query counts. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from nexus.challenges.models import Challenge
from nexus.knowledge.models import Guide
from nexus.search import services
from nexus.search.tests.conftest import SEARCH_URL, SUGGEST_URL, found

pytestmark = pytest.mark.django_db


def challenge_id(title_start):
    return Challenge.objects.get(title__startswith=title_start).pk


@pytest.mark.parametrize(
    ("query", "title_start"),
    [
        ("docker compose database connection", "Dockerizing Django apps"),
        ("celery long running tasks", "Managing asynchronous tasks with Celery"),
        ("tests pass locally but fail on github actions", "Setting up CI/CD"),
        ("frontend api data never matches", "Debugging complex API integration"),
    ],
)
def test_a_real_question_finds_its_challenge_first(api_client, demo, query, title_start):
    response = api_client.get(SEARCH_URL, {"q": query})

    assert found(response)[0] == ("challenge", challenge_id(title_start))


def test_each_result_says_what_it_is_where_it_lives_and_why_it_matched(api_client, demo):
    response = api_client.get(SEARCH_URL, {"q": "celery long running tasks"})

    first = response.json()["results"][0]
    challenge = Challenge.objects.get(pk=first["id"])
    assert first["title"] == challenge.title
    assert first["url"] == f"/api/v1/challenges/{challenge.pk}/"
    assert first["status"] == "solved"
    assert first["slug"] is None
    assert first["score"] > 0
    assert "<mark>" in first["snippet"]
    assert api_client.get(first["url"]).status_code == 200


def test_guides_come_with_their_slug_and_people_by_their_username(api_client, demo):
    guides = api_client.get(SEARCH_URL, {"q": "dockerizing django", "type": "guide"}).json()
    people = api_client.get(SEARCH_URL, {"q": "Kofi", "type": "user"}).json()

    guide = Guide.objects.get(slug=guides["results"][0]["slug"])
    assert guides["results"][0]["url"] == f"/api/v1/guides/{guide.slug}/"
    assert guides["results"][0]["status"] == "published"
    assert people["results"][0]["slug"] == "demo-mentor"
    assert people["results"][0]["url"] == "/api/v1/users/demo-mentor/"
    assert api_client.get(people["results"][0]["url"]).status_code == 200


def test_type_and_technology_narrow_the_results(api_client, demo):
    everything = found(api_client.get(SEARCH_URL, {"q": "docker"}))
    solutions = found(api_client.get(SEARCH_URL, {"q": "docker", "type": "solution"}))
    on_celery = found(api_client.get(SEARCH_URL, {"q": "task", "technology": "celery"}))

    assert {kind for kind, _ in everything} >= {"challenge", "solution", "guide"}
    assert solutions
    assert {kind for kind, _ in solutions} == {"solution"}
    assert on_celery
    assert ("challenge", challenge_id("Managing asynchronous tasks")) in on_celery
    assert ("challenge", challenge_id("Dockerizing")) not in on_celery


def test_snippets_escape_what_people_wrote_and_mark_only_the_matches(api_client, write_challenge):
    write_challenge(
        title="Rendering user input in templates",
        body='I print <script>alert("x")</script> and an <img src=x onerror=alert(1)> '
        "tag to test the template escaping of my page.",
    )

    result = api_client.get(SEARCH_URL, {"q": "template escaping"}).json()["results"][0]

    snippet = result["snippet"]
    assert "<script" not in snippet
    assert "<img" not in snippet
    assert "<mark>" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks


def test_pages_follow_each_other_without_repeating_or_skipping(api_client, write_challenge):
    for n in range(7):
        write_challenge(title=f"Pagination question number {n}", body="About cursors and pages.")

    seen = []
    response = api_client.get(SEARCH_URL, {"q": "pagination", "limit": 3})
    pages = 0
    while True:
        body = response.json()
        seen += [(r["type"], r["id"]) for r in body["results"]]
        pages += 1
        if body["next"] is None:
            break
        assert len(body["results"]) == 3
        response = api_client.get(body["next"])

    assert pages == 3
    assert len(seen) == len(set(seen)) == 7


def test_a_limit_above_fifty_is_fifty(api_client, write_challenge):
    write_challenge(title="Just one challenge about limits")

    response = api_client.get(SEARCH_URL, {"q": "limits", "limit": 500})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


BAD_INPUT = [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": "docker " * 150}, "q"),
    ({"q": "docker", "type": "comment"}, "type"),
    ({"q": "docker", "type": "GUIDE"}, "type"),
    ({"q": "docker", "technology": "cobol"}, "technology"),
    ({"q": "docker", "technology": "x" * 300}, "technology"),
    ({"q": "docker", "limit": "ten"}, "limit"),
    ({"q": "docker", "limit": "0"}, "limit"),
    ({"q": "docker", "limit": "-5"}, "limit"),
    ({"q": "docker", "cursor": "not-a-cursor"}, "cursor"),
    ({"q": "docker", "cursor": "W3RydWUsIDFd"}, "cursor"),  # [true, 1]
    ({"q": "docker", "cursor": "WyJhIiwxXQ"}, "cursor"),  # ["a",1]
    ({"q": "docker", "cursor": "x" * 500}, "cursor"),
]


@pytest.mark.parametrize(("params", "field"), BAD_INPUT)
def test_bad_input_is_a_validation_error_never_a_server_error(
    api_client, docker_tech, params, field
):
    response = api_client.get(SEARCH_URL, params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert field in body["errors"]


NOTHING_TO_SEARCH = [
    "!!!",
    "--- ---",
    '"" ""',
    "-",
    "- or -",
    "&|!<->():*",
    "🙂🙂",
    "-docker",
    "-docker -celery",
    "the",
    "or",
    "\x00\x01\x02",
    "docker\x00compose",
    "'; DROP TABLE search_searchdocument; --",
    "\\",
]


@pytest.mark.parametrize("query", NOTHING_TO_SEARCH)
def test_queries_of_operators_punctuation_or_only_exclusions_answer_calmly(api_client, demo, query):
    response = api_client.get(SEARCH_URL, {"q": query})

    assert response.status_code == 200, response.content
    if query.strip("\x00\x01\x02") == "" or query.startswith(("-", "!", '"', "&", "🙂", "\\")):
        assert response.json()["results"] == []


def test_a_query_of_only_punctuation_touches_no_table(api_client, demo, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get(SEARCH_URL, {"q": "!!! ??? ---"})

    assert response.json() == {"next": None, "results": []}


def queries_per_search():
    # PostgreSQL first sets the transaction's planner settings (selectors.index_only).
    return 2 if connection.vendor == "postgresql" else 1


def test_a_search_is_a_fixed_number_of_queries_whatever_the_number_of_matches(
    api_client, write_challenge, write_guide, django_assert_num_queries
):
    def grow(n):
        for i in range(n):
            write_challenge(title=f"Indexing question {i} about btrees", body="Indexes help.")
            write_guide(title=f"Indexing guide {i}", body="Indexes and btrees.", status="published")

    grow(2)
    with django_assert_num_queries(queries_per_search()):
        small = api_client.get(SEARCH_URL, {"q": "indexing btrees", "limit": 50})
    grow(6)
    with django_assert_num_queries(queries_per_search()):
        large = api_client.get(SEARCH_URL, {"q": "indexing btrees", "limit": 50})

    assert len(found(small)) == 4
    assert len(found(large)) == 16


def test_a_signed_in_search_with_a_technology_adds_two_queries(
    as_user, learner, write_challenge, docker_tech, django_assert_num_queries
):
    client = as_user(learner)
    write_challenge(
        title="Docker image too large", body="My image is 2 GB.", technologies=["docker"]
    )

    with django_assert_num_queries(2 + queries_per_search()):  # + the user, the technology
        response = client.get(SEARCH_URL, {"q": "image", "technology": "docker"})

    assert len(found(response)) == 1


def test_suggestions_come_from_titles_and_say_where_they_lead(api_client, demo):
    response = api_client.get(SUGGEST_URL, {"q": "dockerizing"})

    assert response.status_code == 200
    suggestions = response.json()["results"]
    first_two = suggestions[:2]
    assert {s["type"] for s in first_two} == {"challenge", "guide"}
    assert all(s["title"].startswith("Dockerizing") for s in first_two)
    assert all(s["url"].startswith(f"/api/v1/{s['type']}s/") for s in suggestions)
    assert len(suggestions) <= 8


@pytest.mark.parametrize(("params", "status"), [({}, 400), ({"q": "x" * 201}, 400)])
def test_suggestions_refuse_what_search_refuses(api_client, db, params, status):
    response = api_client.get(SUGGEST_URL, params)

    assert response.status_code == status
    assert response.json()["type"] == "validation_error"


@pytest.mark.parametrize("query", ["?!", "d", "do", "d-o", "  ..  "])
def test_suggestions_for_punctuation_or_fewer_than_three_letters_are_empty(
    api_client, demo, query, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = api_client.get(SUGGEST_URL, {"q": query})

    assert response.json() == {"results": []}


def test_the_index_is_rebuilt_by_a_command_after_a_bulk_load(api_client, learner, capsys):
    Challenge.objects.create(
        author=learner,
        title="Loaded in bulk without the services",
        body="A bulk loaded challenge about sharding.",
        body_html="<p>A bulk loaded challenge about sharding.</p>",
        last_activity_at="2026-01-01T00:00:00Z",
    )
    assert found(api_client.get(SEARCH_URL, {"q": "sharding"})) == []

    from django.core.management import call_command

    call_command("reindex", "--batch-size", "1")

    assert [kind for kind, _ in found(api_client.get(SEARCH_URL, {"q": "sharding"}))] == [
        "challenge"
    ]
    assert "challenge: 1 document(s)" in capsys.readouterr().out


def test_the_database_in_use_is_the_one_we_think(db):
    # Guards the suites' expectations: PostgreSQL runs under DATABASE_URL.
    assert connection.vendor in {"sqlite", "postgresql"}
    assert services.SEARCH_CONFIG == "english"
