"""What only PostgreSQL does: web-search syntax, ranking, typo-tolerant
suggestions, and every search answered through an index, never a full scan."""

from __future__ import annotations

import json
import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from nexus.challenges import services as challenge_services
from nexus.challenges.models import Challenge
from nexus.search import selectors, services
from nexus.search.models import SearchDocument
from nexus.search.tests.conftest import SEARCH_URL, SUGGEST_URL, found

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def titles(response):
    assert response.status_code == 200, response.content
    return [result["title"] for result in response.json()["results"]]


def test_a_quoted_phrase_matches_the_words_together_and_in_order(api_client, demo):
    phrase = found(api_client.get(SEARCH_URL, {"q": '"service name"'}))
    reversed_words = found(api_client.get(SEARCH_URL, {"q": '"name service"'}))
    loose = found(api_client.get(SEARCH_URL, {"q": "service name"}))

    assert phrase
    assert set(phrase) < set(loose)
    assert reversed_words == []


def test_a_minus_excludes_what_mentions_a_word(api_client, demo):
    docker = found(api_client.get(SEARCH_URL, {"q": "docker"}))
    without_compose = found(api_client.get(SEARCH_URL, {"q": "docker -compose"}))
    dockerizing = Challenge.objects.get(title__startswith="Dockerizing").pk

    assert ("challenge", dockerizing) in docker
    assert without_compose
    assert ("challenge", dockerizing) not in without_compose
    assert set(without_compose) < set(docker)


def test_or_finds_either_word(api_client, demo):
    celery = set(found(api_client.get(SEARCH_URL, {"q": "flower"})))
    graphql = set(found(api_client.get(SEARCH_URL, {"q": "swagger"})))
    either = set(found(api_client.get(SEARCH_URL, {"q": "flower or swagger"})))

    assert celery
    assert graphql
    assert either == celery | graphql


def test_a_solved_challenge_outranks_an_open_one_saying_the_same(
    api_client, learner, other, write_challenge, committed
):
    text = {"title": "Migrations deadlock on deploy", "body": "Two migrations lock a table."}
    open_one = write_challenge(**text)
    solved = write_challenge(**text)
    answer = committed(
        challenge_services.solution_create,
        actor=other,
        challenge_id=solved.pk,
        data={"body": "Run migrations one at a time."},
    )
    other_answer = committed(
        challenge_services.solution_create,
        actor=other,
        challenge_id=open_one.pk,
        data={"body": "Run migrations one at a time."},
    )
    committed(challenge_services.solution_accept, actor=learner, solution_id=answer.pk)

    challenges = found(
        api_client.get(SEARCH_URL, {"q": "migrations deadlock", "type": "challenge"})
    )
    solutions = found(api_client.get(SEARCH_URL, {"q": "migrations one at a time"}))

    assert challenges == [("challenge", solved.pk), ("challenge", open_one.pk)]
    assert solutions.index(("solution", answer.pk)) < solutions.index(("solution", other_answer.pk))


def test_snippets_come_from_the_matching_passage(api_client, demo):
    result = api_client.get(SEARCH_URL, {"q": "pg_isready health check"}).json()["results"][0]

    assert "<mark>health</mark>" in result["snippet"]
    assert "<mark>check</mark>" in result["snippet"].lower()


@pytest.mark.parametrize("typo", ["dokcer", "Dockr", "dockerising", "DOCKERIZNG"])
def test_suggestions_forgive_typos(api_client, demo, typo):
    suggestions = titles(api_client.get(SUGGEST_URL, {"q": typo}))

    assert suggestions[:2]
    assert all(title.startswith("Dockerizing") for title in suggestions[:2])


def test_suggestions_for_a_misspelt_phrase_find_the_closest_title(api_client, demo):
    suggestions = titles(api_client.get(SUGGEST_URL, {"q": "asynchronus taks celry"}))

    assert suggestions[0].startswith("Managing asynchronous tasks with Celery")


def test_suggestions_complete_the_word_being_typed(api_client, demo):
    suggestions = titles(api_client.get(SUGGEST_URL, {"q": "managing asynch"}))

    assert suggestions[0].startswith("Managing asynchronous tasks with Celery")


def test_suggestions_are_two_queries(api_client, demo, django_assert_num_queries):
    with django_assert_num_queries(2):  # the similarity threshold, the titles
        api_client.get(SUGGEST_URL, {"q": "dokcer"})


# --- Plans --------------------------------------------------------------------------------

WORDS = [
    "cache",
    "queue",
    "worker",
    "broker",
    "schema",
    "index",
    "migration",
    "replica",
    "shard",
    "pool",
    "socket",
    "thread",
    "request",
    "response",
    "token",
    "session",
    "cookie",
    "header",
    "payload",
    "serializer",
    "router",
    "view",
    "model",
    "field",
    "query",
    "cursor",
    "batch",
    "retry",
    "timeout",
    "deadlock",
    "latency",
    "throughput",
]


@pytest.fixture
def thousands(db):
    """3,000 challenge documents written in batches as a rebuild writes them, a
    few restricted; then the GIN pending lists merged and statistics taken, as
    autovacuum does on a live database."""
    rng = random.Random(7)

    def entry(n, title, body, audience="everyone"):
        return services.Entry(
            kind="challenge",
            object_id=n,
            title=title,
            heading=title,
            body=body,
            keywords="",
            slug="",
            url=f"/api/v1/challenges/{n}/",
            status="open",
            audience=audience,
            boost=1.0,
            technology_ids=(),
            reader_id=n if audience == "restricted" else None,
        )

    entries = [
        entry(
            n,
            " ".join(rng.choice(WORDS) for _ in range(8)),
            " ".join(rng.choice(WORDS) for _ in range(120)),
            "restricted" if n % 50 == 0 else "everyone",
        )
        for n in range(1, 3001)
    ]
    entries.append(entry(5000, "Dockerizing a legacy monolith", "unobtainium dockerizing"))
    for start in range(0, len(entries), 1000):
        services._write("challenge", entries[start : start + 1000], [])
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('search_document_vector')")
        cursor.execute("SELECT gin_clean_pending_list('search_document_title_trgm')")
        cursor.execute("ANALYZE search_searchdocument")


def plan(statement, analyze=False, **settings):
    """The plan of `statement` (a queryset, or SQL and its parameters) under the
    settings the searches run with."""
    if isinstance(statement, tuple):
        sql, params = statement
        options = "FORMAT JSON, VERBOSE, ANALYZE" if analyze else "FORMAT JSON, VERBOSE"
        with selectors.index_only(**settings), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ({options}) {sql}", params)
            explained = cursor.fetchone()[0]
        if isinstance(explained, str):
            explained = json.loads(explained)
        return explained[0]["Plan"]
    with selectors.index_only(**settings):
        explained = statement.explain(format="json", verbose=True, analyze=analyze)
    return json.loads(explained)[0]["Plan"]


def nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def scans_of_documents(node):
    return [
        n["Node Type"] for n in nodes(node) if n.get("Relation Name") == "search_searchdocument"
    ]


def search_sql(viewer, q, **filters):
    params, _ = selectors._params(
        q=q,
        type=filters.get("type"),
        technology=filters.get("technology"),
        limit=filters.get("limit"),
        cursor=filters.get("cursor"),
    )
    return selectors.postgres_search_sql(viewer, params)


@pytest.mark.parametrize("reader", ["anonymous", "learner", "other", "staff"])
def test_every_reader_searches_through_the_gin_indexes(request, thousands, reader, other):
    viewer = AnonymousUser() if reader == "anonymous" else request.getfixturevalue(reader)

    for q in ("unobtainium", "dockerizing legacy", '"legacy monolith"', "unobtainium -cache"):
        root = plan(search_sql(viewer, q))
        scans = scans_of_documents(root)
        assert "Seq Scan" not in scans, (q, scans)
        used = {n.get("Index Name") for n in nodes(root)}
        indexes = {
            "search_document_vector",
            "search_document_title_vector",
            "search_document_title_sample",
        }
        assert indexes <= used, (q, used)


def title_matches(word):
    """The documents an anonymous reader finds by `word` in their titles."""
    return set(
        SearchDocument.objects.filter(title__icontains=word, audience="everyone").values_list(
            "pk", flat=True
        )
    )


def document_ids(results):
    ids = SearchDocument.objects.filter(
        kind="challenge", object_id__in=[result.id for result in results]
    ).values_list("pk", flat=True)
    return set(ids)


def test_a_query_many_titles_match_takes_its_candidates_from_the_sample(thousands, monkeypatch):
    monkeypatch.setattr(selectors, "CANDIDATES", 20)
    sampled = {pk for pk in title_matches("cache") if pk % selectors.SAMPLE_EVERY == 0}
    assert len(sampled) > 20

    root = plan(search_sql(AnonymousUser(), "cache", limit=50), analyze=True)
    page = selectors.search(viewer=AnonymousUser(), q="cache", limit=50)

    executed = {n["Index Name"] for n in nodes(root) if n.get("Actual Loops") and "Index Name" in n}
    # No wider scan even starts: the sample gave enough; the page is read by id.
    assert executed == {"search_document_title_sample", "search_searchdocument_pkey"}
    assert len(page.results) == 20
    assert document_ids(page.results) <= sampled


def test_a_query_the_sample_cannot_satisfy_finds_titles_outside_it_once(thousands, monkeypatch):
    monkeypatch.setattr(selectors, "CANDIDATES", 100)
    matches = title_matches("cache")
    sampled = {pk for pk in matches if pk % selectors.SAMPLE_EVERY == 0}
    assert 0 < len(sampled) < 100 < len(matches)

    results, cursor = [], None
    while True:
        page = selectors.search(viewer=AnonymousUser(), q="cache", limit=50, cursor=cursor)
        results += page.results
        if (cursor := page.next_cursor) is None:
            break

    found = document_ids(results)
    assert len(results) == len(found) == 100
    # Every title of the sample, and as many of the others as leave room for.
    assert sampled <= found <= matches


def test_a_broad_query_ranks_a_bounded_number_of_documents(thousands, monkeypatch):
    monkeypatch.setattr(selectors, "CANDIDATES", 100)

    root = plan(search_sql(AnonymousUser(), "cache"), analyze=True)

    sort = next(n for n in nodes(root) if n["Node Type"] == "Sort")
    assert sort["Plans"][0]["Actual Rows"] <= 200
    assert len(selectors.search(viewer=AnonymousUser(), q="cache", limit=50).results) == 50


def test_each_candidate_is_read_once_and_only_the_page_again(thousands):
    root = plan(search_sql(AnonymousUser(), "cache"), analyze=True)

    reads = [n for n in nodes(root) if n.get("Relation Name") == "search_searchdocument"]
    by_text = [n for n in reads if "@@" in n.get("Recheck Cond", n.get("Index Cond", ""))]
    by_id = [n for n in reads if n not in by_text]
    assert by_text
    assert by_id
    # The candidates are scored in the scans that find them; the page's rows alone
    # are read again, for their fields and snippets.
    assert sum(n["Actual Rows"] * n["Actual Loops"] for n in by_id) == selectors.LIMIT_DEFAULT + 1


def test_pages_of_a_broad_query_follow_each_other_best_first(thousands):
    seen, cursor = [], None
    for _ in range(4):
        page = selectors.search(viewer=AnonymousUser(), q="cache", limit=50, cursor=cursor)
        seen += [(result.score, result.id) for result in page.results]
        cursor = page.next_cursor

    assert len(seen) == 200
    assert len(set(seen)) == 200
    # Many documents score the same: the cursor's id breaks the ties.
    assert seen == sorted(seen, key=lambda pair: (-pair[0], -pair[1]))


def test_a_search_runs_without_jit_or_parallel_workers(thousands):
    """Compiling the expressions, or starting workers, would cost more than the
    bounded query runs; workers racing to the first candidates would also make
    the pages of one query disagree."""
    statements = []

    def spy(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        selectors.search(viewer=AnonymousUser(), q="cache")

    settings_sql, settings_params = statements[0]
    assert "set_config" in settings_sql
    settings = dict(zip(settings_params[::2], settings_params[1::2], strict=True))
    assert settings["jit"] == "off"
    assert settings["max_parallel_workers_per_gather"] == "0"


def test_snippets_are_made_only_for_the_rows_of_the_page(thousands):
    root = plan(search_sql(AnonymousUser(), "cache"))

    sort = next(n for n in nodes(root) if n["Node Type"] == "Sort")
    assert not any("ts_headline" in column for column in sort["Output"])
    assert any("ts_headline" in column for column in root["Output"])


@pytest.mark.parametrize("q", ["-cache", "the", "the -cache", "cache or -queue", '"" -x'])
def test_a_query_the_index_cannot_answer_reads_no_document(thousands, q):
    root = plan(search_sql(AnonymousUser(), q), analyze=True)

    assert all(
        n.get("Actual Loops", 0) == 0
        for n in nodes(root)
        if n.get("Relation Name") == "search_searchdocument"
    )
    assert selectors.search(viewer=AnonymousUser(), q=q).results == []


def test_suggestions_go_through_the_trigram_index(thousands):
    queryset = selectors.postgres_suggest_queryset(AnonymousUser(), "dokcerizing")

    root = plan(
        queryset[: selectors.SUGGEST_LIMIT],
        **{"pg_trgm.word_similarity_threshold": str(selectors.SUGGEST_SIMILARITY)},
    )
    index_scans = [n.get("Index Name") for n in nodes(root) if "Index" in n["Node Type"]]

    assert "Seq Scan" not in scans_of_documents(root)
    assert {"search_document_title_vector", "search_document_title_trgm"} <= set(index_scans)
    assert [s.title for s in selectors.suggest(viewer=AnonymousUser(), q="dokcerizing")][:1] == [
        "Dockerizing a legacy monolith"
    ]


def test_a_rebuild_by_copy_writes_what_the_services_write(
    learner, other, write_challenge, docker_tech, committed
):
    challenge = write_challenge(
        title="Copy and insert agree",
        body="Tabs\tand\nnewlines \\ backslashes",
        technologies=["docker"],
    )
    committed(
        challenge_services.solution_create,
        actor=other,
        challenge_id=challenge.pk,
        data={"body": "An answer"},
    )

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kind, object_id, title, body, keywords, url, status, audience, "
                "reader_id, channel_id, boost, search_vector::text, title_vector::text "
                "FROM search_searchdocument ORDER BY kind, object_id"
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT d.kind, d.object_id, t.technology_id "
                "FROM search_searchdocument_technologies t "
                "JOIN search_searchdocument d ON d.id = t.searchdocument_id ORDER BY 1, 2, 3"
            )
            return rows, cursor.fetchall()

    by_services = snapshot()
    services.reindex(kinds=["challenge", "solution"])

    assert snapshot() == by_services
    assert by_services[0][0][-2]  # the vectors are there


def test_a_rebuild_never_overwrites_what_the_services_wrote_after_it_read(
    staff, write_challenge, committed
):
    challenge = write_challenge(title="Read by the rebuild, then hidden")
    read_before_the_hiding = timezone.now()
    stale = next(entry for _, entry in services.CHALLENGES.entries([challenge]))
    assert stale is not None
    committed(
        challenge_services.content_hide,
        actor=staff,
        target="challenge",
        target_id=challenge.pk,
        reason="Spam.",
    )

    services._write("challenge", [stale], [], as_of=read_before_the_hiding)

    doc = SearchDocument.objects.get(kind="challenge", object_id=challenge.pk)
    assert doc.audience == "restricted"


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_prepares_batches_in_a_thread(
    learner, write_challenge, docker_tech, api_client
):
    for n in range(5):
        write_challenge(title=f"Threaded rebuild number {n}", technologies=["docker"])
    SearchDocument.objects.all().delete()

    counts = services.reindex(kinds=["challenge"], batch_size=2)

    assert counts == {"challenge": 5}
    assert len(found(api_client.get(SEARCH_URL, {"q": "threaded", "technology": "docker"}))) == 5


def gin_options() -> dict[str, list[str] | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(services.GIN_INDEXES)],
        )
        return dict(cursor.fetchall())


def test_the_gin_indexes_take_writes_directly_but_queue_them_during_a_rebuild(
    write_challenge, monkeypatch
):
    from django.core.management import call_command

    direct = {name: ["fastupdate=off"] for name in services.GIN_INDEXES}
    assert gin_options() == direct
    write_challenge()
    during: list[dict[str, list[str] | None]] = []
    reindex = services.reindex

    def watched(**kwargs):
        during.append(gin_options())
        return reindex(**kwargs)

    monkeypatch.setattr(services, "reindex", watched)

    call_command("reindex")

    assert during == [{name: ["fastupdate=on"] for name in services.GIN_INDEXES}]
    assert gin_options() == direct
