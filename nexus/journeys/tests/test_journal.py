from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from nexus.challenges import services as challenge_services
from nexus.journeys.models import JournalEntry
from nexus.journeys.tests.factories import JournalEntryFactory

pytestmark = pytest.mark.django_db

JOURNAL = "/api/v1/me/journal/"


def entry_url(entry):
    return f"{JOURNAL}{entry.pk}/"


def public_url(entry, username=None):
    return f"/api/v1/users/{username or entry.author.username}/journal/{entry.pk}/"


def snapshot():
    entries = list(JournalEntry.objects.order_by("pk").values())
    links = sorted(
        JournalEntry.challenges.through.objects.values_list("journalentry_id", "challenge_id")
    )
    return entries, links


def test_a_learner_writes_a_dated_entry_linked_to_technologies_and_challenges(
    as_user, learner, django_tech, make_challenge
):
    challenge = make_challenge()
    response = as_user(learner).post(
        JOURNAL,
        {
            "title": "Celery retries",
            "body": "Tasks take **ids**, not objects.\n\n<script>alert(1)</script>",
            "date": "2026-03-02",
            "visibility": "cohort",
            "technologies": ["django"],
            "challenges": [challenge.pk],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["date"], body["visibility"]) == ("2026-03-02", "cohort")
    assert "<strong>ids</strong>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert body["author"] == {"username": learner.username, "display_name": "Ada Learner"}
    assert body["technologies"] == [{"slug": "django", "name": "Django"}]
    assert body["challenges"] == [{"id": challenge.pk, "title": challenge.title}]
    assert body["url"].endswith(f"/api/v1/users/{learner.username}/journal/{body['id']}/")


def test_an_entry_is_private_and_dated_today_unless_said_otherwise(as_user, learner):
    body = as_user(learner).post(JOURNAL, {"title": "Notes", "body": "Just for me."}).json()

    assert body["visibility"] == "private"
    assert body["date"] == timezone.now().date().isoformat()


def test_an_author_edits_and_removes_an_entry(as_user, learner, make_entry):
    entry = make_entry()
    client = as_user(learner)

    edited = client.patch(
        entry_url(entry), {"body": "Now with `cache_page`.", "visibility": "private"}
    )
    assert edited.status_code == 200
    assert edited.json()["title"] == "Caching views"
    assert "<code>cache_page</code>" in edited.json()["body_html"]
    assert edited.json()["visibility"] == "private"

    assert client.delete(entry_url(entry)).status_code == 204
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "02/03/2026"}, "date"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"visibility": "friends"}, "visibility"),
        ({"title": ""}, "title"),
        ({"body": 42}, "body"),
        ({"technologies": ["no-such-tech"]}, "technologies"),
        ({"challenges": [999_999]}, "challenges"),
        ({"challenges": "1"}, "challenges"),
        ({"mood": "happy"}, "mood"),
    ],
)
def test_bad_entry_input_is_a_400_naming_the_field_and_writes_nothing(
    as_user, learner, make_entry, change, field
):
    entry = make_entry()
    before = snapshot()
    client = as_user(learner)

    created = client.post(JOURNAL, {"title": "New", "body": "Text.", **change})
    updated = client.patch(entry_url(entry), change)

    for response in (created, updated):
        assert response.status_code == 400, response.json()
        assert field in response.json()["errors"]
    assert snapshot() == before


def test_a_hidden_challenge_of_someone_else_cannot_be_linked(
    as_user, learner, user_factory, staff, make_challenge
):
    hidden = make_challenge(author=user_factory())
    challenge_services.content_hide(
        actor=staff, target="challenge", target_id=hidden.pk, reason="Spam"
    )

    response = as_user(learner).post(
        JOURNAL, {"title": "Linked", "body": "Text.", "challenges": [hidden.pk]}
    )

    assert response.status_code == 400
    assert response.json()["errors"]["challenges"] == [f"Unknown challenges: {hidden.pk}."]


# --- Privacy ------------------------------------------------------------------------------


def test_another_learners_private_entry_is_not_found_anywhere_and_unchanged(
    as_user, api_client, learner, cohort_mate, outsider, staff, make_entry
):
    private = make_entry(title="Private notes", visibility="private")
    before = snapshot()

    for reader in (as_user(cohort_mate), as_user(outsider), as_user(staff), api_client):
        response = reader.get(public_url(private))
        assert response.status_code == 404, response
        assert response.json()["type"] == "not_found"
    mine_door = as_user(outsider)
    assert mine_door.get(entry_url(private)).status_code == 404
    assert mine_door.patch(entry_url(private), {"title": "Mine now"}).status_code == 404
    assert mine_door.delete(entry_url(private)).status_code == 404
    assert snapshot() == before
    assert as_user(learner).get(public_url(private)).status_code == 200


def test_cohort_entries_are_read_by_the_same_cohort_only(
    as_user, api_client, learner, cohort_mate, outsider, make_entry
):
    entry = make_entry(visibility="cohort")

    assert as_user(cohort_mate).get(public_url(entry)).status_code == 200
    assert as_user(outsider).get(public_url(entry)).status_code == 404
    assert api_client.get(public_url(entry)).status_code == 404


def test_a_learners_journal_lists_what_each_reader_may_read(
    as_user, api_client, learner, cohort_mate, outsider, make_entry
):
    make_entry(title="Public one", visibility="public")
    make_entry(title="Cohort one", visibility="cohort")
    make_entry(title="Private one", visibility="private")
    url = f"/api/v1/users/{learner.username}/journal/"

    def titles(client, query=""):
        response = client.get(f"{url}{query}")
        assert response.status_code == 200, response.json()
        return {entry["title"] for entry in response.json()["results"]}

    assert titles(api_client) == {"Public one"}
    assert titles(as_user(outsider)) == {"Public one"}
    assert titles(as_user(cohort_mate)) == {"Public one", "Cohort one"}
    assert titles(as_user(learner)) == {"Public one", "Cohort one", "Private one"}
    assert titles(as_user(outsider), "?visibility=private") == set()
    assert api_client.get("/api/v1/users/nobody-here/journal/").status_code == 404


def test_my_journal_filters_by_visibility_technology_challenge_and_dates(
    as_user, learner, make_entry, make_challenge
):
    challenge = make_challenge()
    march = make_entry(title="March", date="2026-03-02", technologies=[], challenges=[challenge.pk])
    april = make_entry(title="April", date="2026-04-02", visibility="private")
    client = as_user(learner)

    def titles(query):
        response = client.get(f"{JOURNAL}?{query}")
        assert response.status_code == 200, response.json()
        return [entry["title"] for entry in response.json()["results"]]

    assert titles("") == [april.title, march.title]
    assert titles("visibility=private") == [april.title]
    assert titles("technology=django") == [april.title]
    assert titles(f"challenge={challenge.pk}") == [march.title]
    assert titles("since=2026-04-01") == [april.title]
    assert titles("until=2026-03-31") == [march.title]
    assert client.get(f"{JOURNAL}?since=soon").status_code == 400


def test_the_journal_needs_a_signed_in_user(api_client):
    assert api_client.get(JOURNAL).status_code == 401
    assert api_client.post(JOURNAL, {"title": "x", "body": "y"}).status_code == 401


def test_journal_lists_run_a_constant_number_of_queries(
    as_user, learner, outsider, make_entry, make_challenge, django_assert_num_queries
):
    challenge = make_challenge()
    mine, theirs = as_user(learner), as_user(outsider)
    url = f"/api/v1/users/{learner.username}/journal/?page_size=100"

    def add(n):
        for i in range(n):
            make_entry(title=f"Entry {i}", challenges=[challenge.pk])

    add(2)
    # user, entries (author joined), technologies, challenges
    with django_assert_num_queries(4):
        first = mine.get(f"{JOURNAL}?page_size=100")
    # user, the learner, entries, technologies, challenges
    with django_assert_num_queries(5):
        first_public = theirs.get(url)
    add(6)
    JournalEntryFactory.create_batch(3, date=datetime.date(2026, 1, 1))
    with django_assert_num_queries(4):
        second = mine.get(f"{JOURNAL}?page_size=100")
    with django_assert_num_queries(5):
        second_public = theirs.get(url)

    assert [len(r.json()["results"]) for r in (first, first_public, second, second_public)] == [
        2,
        2,
        8,
        8,
    ]
