"""The benchmark's pure parts: the mixes, reading wrk, ratios, targets and the table."""

from __future__ import annotations

import argparse
import json
import threading
import urllib.error
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench import run

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8790/api/v1/challenges/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    16.85ms    4.12ms  61.30ms   85.00%
    Req/Sec   476.60     40.11   570.00     71.00%
  Latency Distribution
     50%   15.97ms
     75%  812.00us
     90%    1.02s
     99%   28.41ms
  9533 requests in 10.01s, 38.40MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:    952.38
Transfer/sec:      3.84MB
BENCH_JSON {"requests": 9533, "duration_s": 10.010, "p50_ms": 15.970, "p90_ms": 21.500, \
"p95_ms": 24.250, "p99_ms": 28.410, "max_ms": 61.300, "errors_connect": 0, "errors_read": 2, \
"errors_write": 0, "errors_status": 5, "errors_timeout": 1}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("812.00us", 0.812), ("1.23ms", 1.23), ("1.02s", 1020.0), ("2.00m", 120_000.0)],
)
def test_wrk_durations_read_as_milliseconds(text: str, expected: float) -> None:
    assert run.parse_duration_ms(text) == pytest.approx(expected)


def test_a_wrk_run_reads_as_throughput_percentiles_and_errors() -> None:
    parsed = run.parse_wrk_output(WRK_OUTPUT)

    assert parsed["rps"] == 952.38
    assert parsed["requests"] == 9533
    assert parsed["p75_ms"] == pytest.approx(0.812)
    assert parsed["p95_ms"] == 24.25  # only the script's line has p95
    assert parsed["p90_ms"] == 21.5  # the exact value wins over the rounded table
    assert parsed["non_2xx"] == 5
    assert parsed["socket_errors"] == 3


def test_the_table_alone_is_enough_without_the_scripts_line() -> None:
    table_only = WRK_OUTPUT.split("BENCH_JSON")[0]

    parsed = run.parse_wrk_output(table_only)

    assert parsed["p50_ms"] == pytest.approx(15.97)
    assert parsed["p90_ms"] == pytest.approx(1020.0)
    assert "p95_ms" not in parsed


def test_output_without_a_throughput_line_is_refused() -> None:
    with pytest.raises(ValueError, match="Requests/sec"):
        run.parse_wrk_output("unable to connect to 127.0.0.1:8790 Connection refused")


def test_ratios_need_both_numbers() -> None:
    assert run.ratio(700.0, 1000.0) == pytest.approx(0.7)
    assert run.ratio(700.0, None) is None
    assert run.ratio(None, 1000.0) is None
    assert run.ratio(2.3, 0.0) is None


def test_each_share_is_of_the_healthz_loaded_just_before_it_on_the_same_server() -> None:
    ceiling = run.Scenario("healthz", "/healthz", "cache", (run.Request("/healthz"),))
    listed = run.Scenario("list_cached", "list cached", "cache", (run.Request("/api/v1/"),))
    args = argparse.Namespace(threads=2, connections=16, duration=10)
    healthz_rps = iter([3000.0, 2000.0])  # the machine slowed down between the two
    calls: list[tuple[str, str, int]] = []

    def fake_wrk(scenario: run.Scenario, base: str, **load: int) -> dict[str, Any]:
        calls.append((scenario.key, base, load["connections"]))
        if load["connections"] == 1:
            return {"rps": 900.0, "p50_ms": 1.0}
        return {"rps": next(healthz_rps) if scenario.key == "healthz" else 1500.0}

    run.measure(ceiling, ceiling, "http://127.0.0.1:8790", args, run=fake_wrk)
    run.measure(listed, ceiling, "http://127.0.0.1:8791", args, run=fake_wrk)

    assert calls == [
        ("healthz", "http://127.0.0.1:8790", 16),
        ("healthz", "http://127.0.0.1:8790", 1),
        ("healthz", "http://127.0.0.1:8791", 16),
        ("list_cached", "http://127.0.0.1:8791", 16),
        ("list_cached", "http://127.0.0.1:8791", 1),
    ]
    assert ceiling.results["ratio"] == 1.0
    assert "healthz_rps" not in ceiling.results
    assert listed.results["healthz_rps"] == 2000.0
    assert listed.results["ratio"] == pytest.approx(0.75)  # not 0.5, against the first
    assert ceiling.results["rps"] == 3000.0  # the ceiling's own row is its own run


def test_the_list_mix_is_each_filter_alone_and_none_in_each_ordering() -> None:
    firsts = [
        run.rest_list_path(filters, ordering)
        for filters in run.list_filters("django", "n-plus-one")
        for ordering in run.ORDERINGS
    ]

    assert len(firsts) == 15
    assert firsts[:3] == [
        "/api/v1/challenges/",
        "/api/v1/challenges/?ordering=-last_activity_at",
        "/api/v1/challenges/?ordering=-score",
    ]
    assert "/api/v1/challenges/?technology=django&ordering=-score" in firsts
    assert "/api/v1/challenges/?tag=n-plus-one" in firsts
    assert "/api/v1/challenges/?status=solved&ordering=-last_activity_at" in firsts
    assert "/api/v1/challenges/?unanswered=true" in firsts


def test_a_graphql_list_body_pages_by_first_and_after() -> None:
    body = json.loads(
        run.graphql_list_body(
            "id title", {"technology": "django", "unanswered": "true"}, "-score", "abc="
        )
    )

    assert body == {
        "query": "query Challenges($after: String) { challenges(first: 20, "
        'technology: "django", unanswered: true, ordering: "-score", after: $after) '
        "{ results { id title } pageInfo { hasNextPage endCursor } } }",
        "variables": {"after": "abc="},
    }


def test_missing_solution_counts_are_made_by_answering_spare_open_challenges() -> None:
    found = {0: 10, 1: 11, 2: 12, 5: 15}
    spare = [(15, 5), (16, 5), (17, 4), (18, 1)]  # 15 is in the mix already

    # (challenge, answers to post, solutions it then has); nothing is left for 4
    assert run.top_ups(found, spare, range(8)) == [(18, 2, 3), (16, 1, 6), (17, 3, 7)]
    assert run.top_ups(found, spare, [0, 1, 2, 5]) == []


def test_the_mixes_are_built_from_what_set_up_found() -> None:
    mix = run.Mix(
        token="t0ken",
        lists=[f"/api/v1/challenges/?page={n}" for n in range(75)],
        details={count: 100 + count for count in range(21)},
        guides=["pools", "celery"],
        graphql=[run.graphql_list_body("id", {}, "-score", None)] * 75,
        open_ids=[7, 8, 9],
    )

    scenarios = {s.key: s for s in run.build_scenarios(mix)}

    lists = scenarios["list_uncached"].requests
    assert sorted(r.path for r in lists) == sorted(mix.lists)
    assert [r.path for r in lists] != mix.lists  # shuffled, the same way every run
    assert lists == run.build_scenarios(mix)[2].requests == scenarios["list_cached"].requests
    assert scenarios["list_uncached"].note == "75 URLs in turn"
    assert scenarios["detail_uncached"].note == "21 challenges with 0 to 20 solutions in turn"
    assert scenarios["graphql_list"].note == "75 queries in turn"
    assert {r.method for r in scenarios["graphql_list"].requests} == {"POST"}
    posts = scenarios["post_solution"]
    assert posts.token == "t0ken"
    assert posts.requests[0].path == "/api/v1/challenges/7/solutions/"
    assert "{n}" in (posts.requests[0].body or "")
    assert scenarios["healthz"].token == scenarios["list_cached"].token == ""


def test_a_failed_graphql_set_up_skips_only_the_graphql_scenario() -> None:
    mix = run.Mix("t", ["/api/v1/challenges/"], {0: 1}, ["g"], [], [7], graphql_skip="skipped: x")

    skipped = {s.key for s in run.build_scenarios(mix) if s.skip}

    assert skipped == {"graphql_list"}


def test_the_mix_reaches_wrk_as_a_line_per_request() -> None:
    requests = [
        run.Request("/api/v1/challenges/?tag=x"),
        run.Request("/graphql/", "POST", json.dumps({"query": "{ a\tb }"})),
    ]

    assert run.wrk_requests(requests) == (
        'GET\t/api/v1/challenges/?tag=x\t\nPOST\t/graphql/\t{"query": "{ a\\tb }"}\n'
    )
    with pytest.raises(ValueError, match="tab or a newline"):
        run.wrk_requests([run.Request("/graphql/", "POST", "{\n}")])


Answer = Callable[[str, bytes], tuple[int, dict[str, Any]]]


@pytest.fixture
def serve(free_port: int) -> Iterator[Callable[[Answer], str]]:
    """A loopback server answering each request with `answer(path, body)`."""
    started: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, data = answer(self.path, self.rfile.read(length))
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = reply  # noqa: N815 -- http.server's names

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", free_port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{free_port}"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def test_rest_pages_follow_next_links_up_to_five(serve: Callable[[Answer], str]) -> None:
    def answer(path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        cursor = int(path.rsplit("=", 1)[1]) if "cursor=" in path else 0
        return 200, {"next": f"http://testserver/api/v1/challenges/?tag=x&cursor={cursor + 1}"}

    base = serve(answer)

    assert run.rest_pages(base, "/api/v1/challenges/?tag=x") == [
        "/api/v1/challenges/?tag=x",
        *(f"/api/v1/challenges/?tag=x&cursor={n}" for n in range(1, 5)),
    ]


def test_graphql_cursors_follow_end_cursor_until_the_last_page(
    serve: Callable[[Answer], str],
) -> None:
    seen: list[Any] = []

    def answer(path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        after = json.loads(body)["variables"]["after"]
        seen.append(after)
        page = {"hasNextPage": after != "c2", "endCursor": f"c{len(seen)}"}
        return 200, {"data": {"challenges": {"results": [], "pageInfo": page}}}

    cursors = run.graphql_cursors(serve(answer), {"tag": "x"}, "-score")

    assert cursors == [None, "c1", "c2"]
    assert seen == [None, "c1", "c2"]


def test_a_graphql_server_answering_errors_fails_the_set_up_clearly(
    serve: Callable[[Answer], str],
) -> None:
    def answer(path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        return 200, {"data": None, "errors": [{"message": "Unknown argument 'first'."}]}

    with pytest.raises(run.SetUpError, match="answered 200: Unknown argument 'first'"):
        run.graphql_cursors(serve(answer), {}, "-created_at")


def scale_result(scale: int, **overrides: Any) -> dict[str, Any]:
    scenarios: dict[str, Any] = {
        "healthz": {"label": "/healthz", "rps": 6000.0, "ratio": 1.0, "queries": 0},
        "list_cached": {
            "label": "list cached",
            "rps": 4500.0,
            "ratio": 0.75,
            "healthz_rps": 6100.0,
            "queries": 0,
        },
        "list_uncached": {
            "label": "list",
            "rps": 950.0,
            "ratio": 0.158,
            "queries": 4,
            "query_counts": [2, 4, 3],
            "single": {"p50_ms": 4.0},
            "in_turn": {"p50_ms": 4.2, "rounds_ms": [4.1, 4.2, 4.4]},
        },
        "detail_uncached": {
            "label": "detail",
            "rps": 700.0,
            "ratio": 0.117,
            "queries": 7,
            "query_counts": [7, 7, 7, 7],
            "single": {"p50_ms": 5.0},
        },
        "search": {"label": "search", "rps": 300.0, "ratio": 0.05, "single": {"p95_ms": 30.0}},
        "graphql_list": {
            "label": "graphql",
            "rps": 600.0,
            "single": {"p50_ms": 9.0},  # measured minutes apart: not what is judged
            "in_turn": {"p50_ms": 6.0, "rounds_ms": [5.9, 6.0, 6.3]},
        },
        "post_solution": {"label": "post", "rps": 250.0, "p99_ms": 90.0},
    }
    for key, values in overrides.items():
        scenarios[key] = {**scenarios[key], **values}
    return {"scale": scale, "scenarios": scenarios, "settings": {}, "seed": {}}


def statuses(checks: list[run.Check]) -> dict[str, str]:
    return {check.target: check.status for check in checks}


def test_results_meeting_every_target_all_pass() -> None:
    checks = statuses(run.check_targets(scale_result(1_000_000)))

    assert set(checks.values()) == {"pass"}
    assert len(checks) == 10


def test_each_missed_target_fails_on_its_own() -> None:
    result = scale_result(
        1_000_000,
        list_uncached={"queries": 5},
        detail_uncached={"query_counts": [7, 8, 7, 7]},
        post_solution={"p99_ms": 140.0},
    )

    checks = run.check_targets(result)
    failed = {c.target: c.measured for c in checks if c.status == "fail"}

    assert failed == {
        "Uncached list mix: SQL queries (most of any)": "5",
        "Challenge detail mix: the same SQL queries for every detail": "7 to 8",
        "Posting a solution: p99": "140.00 ms",
    }
    fixed = "Challenge detail mix: the same SQL queries for every detail"
    passing = run.check_targets(scale_result(1_000_000))
    assert [c.measured for c in passing if c.target == fixed] == ["7 for all 4"]


def test_search_latency_is_judged_at_a_million_only_and_skipped_searches_are_not_judged() -> None:
    small = statuses(run.check_targets(scale_result(100_000)))
    unmeasured = statuses(run.check_targets(scale_result(1_000_000, search={"single": None})))

    assert small["Search: single-client p95"] == "n/a"
    assert unmeasured["Search: single-client p95"] == "n/a"


def test_the_graphql_list_is_judged_against_the_rest_list_measured_in_turn() -> None:
    slow = scale_result(100_000, graphql_list={"in_turn": {"p50_ms": 8.6, "rounds_ms": [8.6]}})
    unpaired = scale_result(100_000, graphql_list={"in_turn": None})
    target = "GraphQL list mix: single-client p50 over the REST list mix's (cache off), in turn"

    assert [c.measured for c in run.check_targets(scale_result(100_000)) if c.target == target] == [
        "1.43x"
    ]
    assert statuses(run.check_targets(slow))[target] == "fail"
    assert statuses(run.check_targets(unpaired))[target] == "n/a"


def test_in_turn_rounds_come_down_to_their_median() -> None:
    measured = run.in_turn_p50({"rest": [3.0, 9.0, 3.2], "graphql": [4.1, 4.0, 12.0], "none": []})

    assert measured == {
        "rest": {"p50_ms": 3.2, "rounds_ms": [3.0, 9.0, 3.2]},
        "graphql": {"p50_ms": 4.1, "rounds_ms": [4.1, 4.0, 12.0]},
    }


def test_in_turn_ratios_pair_each_round() -> None:
    base = {"rounds_ms": [2.0, 5.0, 6.0]}
    other = {"rounds_ms": [3.0, 7.5, 6.6]}

    # rounds 1.5x, 1.5x and 1.1x: 1.5x, where the medians' ratio (6.6 / 5.0) says 1.32x
    assert run.in_turn_ratio(base, other) == pytest.approx(1.5)
    assert run.in_turn_ratio(base, None) is None
    assert run.in_turn_ratio({"rounds_ms": [0.0]}, {"rounds_ms": [1.0]}) is None


def test_growth_measured_in_turn_is_judged_over_each_scales_own_run() -> None:
    small, large = scale_result(100_000), scale_result(1_000_000)
    large["scenarios"]["list_uncached"]["single"] = {"p50_ms": 9.0}  # a slow minute
    in_turn = {
        key: {
            "label": key,
            "small_scale": 100_000,
            "large_scale": 1_000_000,
            "small": {"p50_ms": small_ms, "rounds_ms": [small_ms]},
            "large": {"p50_ms": large_ms, "rounds_ms": [large_ms]},
        }
        for key, small_ms, large_ms in (
            ("list_uncached", 4.0, 4.2),
            ("detail_uncached", 5.0, 6.5),
        )
    }

    checks = run.check_growth([small, large], in_turn)

    assert [(c.target, c.measured, c.status) for c in checks] == [
        ("Uncached list mix p50 growth, 100,000 to 1,000,000, in turn", "1.05x", "pass"),
        ("Uncached detail mix p50 growth, 100,000 to 1,000,000, in turn", "1.30x", "fail"),
    ]
    report = run.render_report([small, large], {}, in_turn)
    assert "### Compared in turn" in report
    assert "| detail_uncached | 1,000,000 | 6.50 | 1 |" in report
    assert "| graphql | 100,000 | 6.00 | 3 |" in report


def test_growth_compares_the_smallest_and_largest_scales() -> None:
    small = scale_result(100_000)
    large = scale_result(
        1_000_000,
        list_uncached={"single": {"p50_ms": 4.4}},
        detail_uncached={"single": {"p50_ms": 6.5}},
    )

    checks = run.check_growth([small, large])

    assert [(c.measured, c.status) for c in checks] == [("1.10x", "pass"), ("1.30x", "fail")]
    assert run.check_growth([small]) == []


def test_the_report_lists_every_measured_scenario_and_the_machine() -> None:
    result = scale_result(2000) | {"vacuum_s": 5.2}
    result["scenarios"]["list_uncached"]["note"] = "75 URLs in turn"
    report = run.render_report([result], {"nproc": "2", "CPU": "Test CPU"})

    assert "| nproc | 2 |" in report
    assert "Vacuumed at 2,000 before measuring: 5.2 s" in report
    assert "### 2,000 challenges" in report
    assert "| list cached | 4,500 | 0.75 | 6,100 |" in report
    assert "| /healthz | 6,000 | 1.00 | - |" in report
    assert "| 4.00 | - | 4 | 75 URLs in turn |" in report  # SQL/req: the most of the mix
    assert "✅ pass" in report


def test_the_benchmark_signs_in_with_the_seeded_password() -> None:
    from bench.scale import loader

    assert run.SEED_PASSWORD == loader.SEED_PASSWORD
    assert run.SEED_EMAIL_DOMAIN == loader.SEED_EMAIL_DOMAIN


def test_only_loopback_addresses_are_accepted() -> None:
    assert run._loopback("http://127.0.0.1:8790/healthz")
    with pytest.raises(SystemExit):
        run._loopback("http://example.org/healthz")


def test_the_machine_is_measured_by_a_plain_django_view_served_as_nexus_is(
    free_port: int,
) -> None:
    port = free_port  # the plain view's is --port + 4
    args = run.parse_args(["--port", str(port - 4), "--duration", "3"])
    seen: list[tuple[str, dict[str, int], tuple[int, bytes]]] = []

    def fake_wrk(scenario: run.Scenario, base: str, **load: int) -> dict[str, Any]:
        url = base + scenario.requests[0].path
        seen.append((url, load, run.http("GET", url)))
        return {"rps": 3150.0}

    note = run.plain_django(args, run=fake_wrk)

    assert note == "3,150 req/s, 0.50x the 6,300 of the machine the targets were set on"
    assert seen == [
        (
            f"http://127.0.0.1:{port}/",
            {"threads": 2, "connections": 16, "duration": 3},
            (200, b'{"status": "ok"}'),
        )
    ]
    with pytest.raises(urllib.error.URLError, match="refused"):  # stopped once measured
        run.http("GET", f"http://127.0.0.1:{port}/")
