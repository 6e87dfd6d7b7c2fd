"""Cursor pages over REST: `next` walks a list once, `previous` walks it back,
whatever the ordering, ties and nulls included."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from nexus.accounts.tests.factories import CohortFactory
from nexus.core.pagination import Cursor

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/"


def walk(api_client: Any, url: str, link: str) -> tuple[list[str], list[dict[str, Any]]]:
    slugs, pages = [], []
    while url:
        page = api_client.get(url).json()
        pages.append(page)
        slugs += [cohort["slug"] for cohort in page["results"]]
        url = page[link]
    return slugs, pages


@pytest.mark.parametrize("ordering", ["starts_on", "-starts_on", "name", "-slug"])
def test_next_and_previous_links_walk_every_item_once_each_way(api_client, ordering):
    starts = [date(2026, 1, 5), date(2026, 1, 5), None, date(2025, 9, 1), None, date(2026, 3, 2)]
    for n, starts_on in enumerate(starts):
        CohortFactory.create(slug=f"c{n}", name=f"Cohort {n}", starts_on=starts_on)

    forward, pages = walk(api_client, f"{COHORTS}?page_size=2&ordering={ordering}", "next")
    everything = api_client.get(f"{COHORTS}?page_size=100&ordering={ordering}").json()
    backward, _ = walk(api_client, pages[-1]["previous"], "previous")

    assert forward == [cohort["slug"] for cohort in everything["results"]]
    assert sorted(forward) == [f"c{n}" for n in range(6)]
    assert pages[0]["previous"] is None
    assert pages[-1]["next"] is None
    # back from the last page: every page before it, each in the list's order
    assert backward == forward[2:4] + forward[0:2]


def test_a_cursor_of_another_shape_is_a_400_on_cursor(api_client):
    CohortFactory.create_batch(2)
    wrong_length = Cursor(position=("a", "b", 1)).encode()
    wrong_type = Cursor(position=("not a slug or date", "x")).encode()

    for cursor in (wrong_length, wrong_type, "%%%", "e30"):
        response = api_client.get(f"{COHORTS}?ordering=starts_on&cursor={cursor}")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["cursor"]
