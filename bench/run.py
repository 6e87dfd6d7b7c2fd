#!/usr/bin/env python
"""`make bench`: how fast Nexus serves its hot paths, measured against its own ceiling.

For each scale (default 100,000 then 1,000,000 challenges) it seeds a
PostgreSQL database (`nexus_bench`, created if missing) with `bench/seed.py`,
serves Nexus the production way (gunicorn with deploy/gunicorn.conf.py and 2
workers, NEXUS_ENV=production, Redis cache, RabbitMQ broker so outbox
publishing is real) and loads each
scenario with wrk: many clients (-t2 -c16) for throughput and p99, then one
client (-t1 -c1) for the latency a lone reader sees. A scenario is a mix of
what users send, taken in turn: lists with and without each filter, in each
ordering, pages 1 to 5 by their cursors; details of challenges with 0 to 20
solutions; several GraphQL selections; answers to different challenges. Every scenario's
throughput is reported as a share of `/healthz`, the framework's own ceiling,
loaded on the same server just before it, so numbers compare across machines
and a machine whose speed drifts during the run moves both alike.

SQL queries per request are counted in-process, with Django's test client
and CaptureQueriesContext, against the same database and settings as the
server (a counting header would have to live in production code).

Two servers run side by side, identical but for NEXUS_CACHE_DISABLED=1 on the
second, so "cache off" scenarios are measured whether or not the cache
exists. Latencies judged against each other (the GraphQL list against the
REST list; the smallest scale against the largest, each served from its own
database) are measured in turn, round after round, so a machine whose speed
drifts slows both alike. A plain Django view, served and loaded the same way
once per run, says how fast the machine is against the one the targets were
set on. Results go to bench/results/<timestamp>-<scale>.json and
bench/results/latest.md, and the table is printed. Everything it talks to is
on the loopback interface.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCENARIO_LUA = ROOT / "bench" / "wrk" / "scenario.lua"
SEED_SCRIPT = ROOT / "bench" / "seed.py"
VENV_BIN = Path(sys.executable).parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"

DEFAULT_SCALES = (100_000, 1_000_000)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nexus_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own: flushed per scale
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
QUEUE_PREFIX = "bench-"
# bench.scale.loader.SEED_PASSWORD (a test keeps them equal; importing it needs Django).
SEED_PASSWORD = "nexus-seed-scale-2026"  # noqa: S105 -- the seeded people's, by design
SEED_EMAIL_DOMAIN = "seed.nexus.test"
BENCH_SECRET_KEY = "bench-only-secret-key-for-make-bench-never-for-real-deployments-0123"  # noqa: S105 -- loopback benchmark only
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WRK_INSTALL_HINT = (
    "wrk is not installed. It is a Debian package: `apt-get install wrk` "
    "(as root, after `apt-get update`), then run `make bench` again."
)
READY_TIMEOUT_S = 60
# Requests/s of `bench/plain.py` (a Django JSON view, gunicorn, 2 sync workers,
# wrk on the same machine) on the machine class the targets were set on.
# The absolute targets (posting, single-client p50, search p95) assume its speed.
REFERENCE_PLAIN_RPS = 6300
PLAIN_DJANGO = "plain Django JSON view"
# Latencies compared with each other (GraphQL against REST, one scale against
# another) are measured in turn, this many rounds of this many seconds each: on
# a shared machine whose speed drifts by up to 2x within minutes, two runs
# minutes apart compared the machine more than the code.
IN_TURN_ROUNDS = 5
IN_TURN_SECONDS = 2
STOP_TIMEOUT_S = 10
SEARCH_QUERIES = (
    "connection pool",
    "deadlock celery",
    "cursor pagination",
    "N+1 queries django",
    '"stale cache" redis',
    "migrations -docker",
)
LIST_PATH = "/api/v1/challenges/"
ORDERINGS = ("-created_at", "-last_activity_at", "-score")  # the first is the default
PAGES = 5  # each list is read from page 1 to page 5, by its cursors
DETAIL_SOLUTIONS = range(21)  # details of challenges with 0 to 20 solutions
GUIDES = 10
OPEN_CHALLENGES = 200  # posted on in turn
MIX_SEED = 25  # of the order each mix is taken in
ANSWER = "Benchmark answer {n}: use select_related and measure."
GRAPHQL_FIRST = 20
# What GraphQL clients select, from the least to every field a list row has.
GRAPHQL_SELECTIONS = (
    "id title",
    "id title score solutionCount createdAt author { username displayName }",
    "id title status technologies { slug name } tags { slug name }",
    "id title status score solutionCount commentCount viewCount lastActivityAt createdAt "
    "updatedAt acceptedSolutionId duplicateOfId currentRevisionId "
    "author { username displayName role } technologies { slug name } concepts { slug name } "
    "tags { slug name }",
)


# --- Pure parts: parsing wrk, ratios, targets, the table (tested in bench/tests) ----


_DURATION = re.compile(r"^\s*([0-9.]+)\s*(us|ms|s|m|h)\s*$")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_duration_ms(text: str) -> float:
    """wrk's durations ("812.00us", "1.23ms", "2.01s") in milliseconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"Not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def parse_wrk_output(text: str) -> dict[str, Any]:
    """What a `wrk --latency` run printed (with scenario.lua's BENCH_JSON line):
    rps, p50/p75/p90/p99 from the latency table, error counts and, when the
    JSON line is there, its exact p50/p90/p95/p99 (which win)."""
    result: dict[str, Any] = {"non_2xx": 0, "socket_errors": 0}
    if match := re.search(r"Requests/sec:\s+([0-9.]+)", text):
        result["rps"] = float(match.group(1))
    if match := re.search(r"(\d+) requests in ([0-9.]+\w+)", text):
        result["requests"] = int(match.group(1))
    for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", text, re.MULTILINE):
        result[f"p{percent}_ms"] = parse_duration_ms(value)
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        result["non_2xx"] = int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    ):
        result["socket_errors"] = sum(int(n) for n in match.groups())
    if match := re.search(r"^BENCH_JSON (\{.*\})\s*$", text, re.MULTILINE):
        exact = json.loads(match.group(1))
        for key in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"):
            result[key] = exact[key]
        result.setdefault("requests", exact["requests"])
    if "rps" not in result:
        raise ValueError("wrk printed no Requests/sec line")
    return result


def ratio(value: float | None, ceiling: float | None) -> float | None:
    """`value` as a share of `ceiling` (e.g. a scenario's rps over /healthz's)."""
    if value is None or not ceiling:
        return None
    return value / ceiling


def in_turn_p50(rounds: Mapping[str, Sequence[float]]) -> dict[str, dict[str, Any]]:
    """Each entry's median p50 over the rounds it was measured in turn with the others."""
    return {
        name: {"p50_ms": statistics.median(values), "rounds_ms": list(values)}
        for name, values in rounds.items()
        if values
    }


def in_turn_ratio(base: Any, other: Any) -> float | None:
    """`other` over `base`, measured in turn: the median of each round's own ratio,
    so the rounds the machine ran slow (both slowed) count like the rest."""
    base_rounds = (base or {}).get("rounds_ms") or []
    other_rounds = (other or {}).get("rounds_ms") or []
    ratios = [b / a for a, b in zip(base_rounds, other_rounds, strict=False) if a > 0]
    return statistics.median(ratios) if ratios else None


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.2f}"


@dataclass(frozen=True)
class Check:
    target: str
    scale: int | None
    measured: str
    limit: str
    status: str  # pass, fail, n/a

    @classmethod
    def at_most(
        cls, target: str, scale: int | None, value: float | None, limit: float, unit: str = ""
    ) -> Check:
        return cls._bound(target, scale, value, limit, unit, "<=")

    @classmethod
    def at_least(
        cls, target: str, scale: int | None, value: float | None, limit: float, unit: str = ""
    ) -> Check:
        return cls._bound(target, scale, value, limit, unit, ">=")

    @classmethod
    def _bound(
        cls, target: str, scale: int | None, value: float | None, limit: float, unit: str, op: str
    ) -> Check:
        bound = f"{op} {limit:g}{unit}"
        if value is None:
            return cls(target, scale, "not measured", bound, "n/a")
        met = value <= limit if op == "<=" else value >= limit
        return cls(target, scale, f"{_number(value)}{unit}", bound, "pass" if met else "fail")


def _get(scenarios: Mapping[str, Any], key: str, *path: str) -> Any:
    value: Any = scenarios.get(key)
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def check_targets(result: Mapping[str, Any]) -> list[Check]:
    """The issue's targets that one scale's results can decide."""
    scale = int(result["scale"])
    s = result["scenarios"]
    checks = [
        Check.at_least(
            "Cached anonymous list mix: share of /healthz",
            scale,
            _get(s, "list_cached", "ratio"),
            0.70,
        ),
        Check.at_least(
            "Uncached list mix: share of /healthz", scale, _get(s, "list_uncached", "ratio"), 0.15
        ),
        Check.at_most(
            "Uncached list mix: SQL queries (most of any)",
            scale,
            _get(s, "list_uncached", "queries"),
            4,
        ),
        Check.at_most(
            "Uncached list mix: single-client p50",
            scale,
            _get(s, "list_uncached", "single", "p50_ms"),
            5.0,
            " ms",
        ),
        Check.at_least(
            "Challenge detail mix (cache off): share of /healthz",
            scale,
            _get(s, "detail_uncached", "ratio"),
            0.10,
        ),
        _fixed_queries(scale, _get(s, "detail_uncached")),
    ]
    search_p95 = _get(s, "search", "single", "p95_ms")
    if scale >= 1_000_000 or search_p95 is None:
        checks.append(Check.at_most("Search: single-client p95", scale, search_p95, 50.0, " ms"))
    else:
        checks.append(
            Check(
                "Search: single-client p95",
                scale,
                f"{search_p95:.2f} ms",
                "<= 50 ms at 1,000,000",
                "n/a",
            )
        )
    checks += [
        Check.at_least(
            "Posting a solution: requests/s", scale, _get(s, "post_solution", "rps"), 200
        ),
        Check.at_most(
            "Posting a solution: p99", scale, _get(s, "post_solution", "p99_ms"), 100.0, " ms"
        ),
        Check.at_most(
            "GraphQL list mix: single-client p50 over the REST list mix's (cache off), in turn",
            scale,
            in_turn_ratio(_get(s, "list_uncached", "in_turn"), _get(s, "graphql_list", "in_turn")),
            2.0,
            "x",
        ),
    ]
    return checks


def _fixed_queries(scale: int, detail: Mapping[str, Any] | None) -> Check:
    """Every detail of the mix (0 to 20 solutions) takes the same number of queries."""
    target = "Challenge detail mix: the same SQL queries for every detail"
    counts = (detail or {}).get("query_counts")
    if not counts:
        return Check(target, scale, "not measured", "equal", "n/a")
    low, high = min(counts), max(counts)
    measured = f"{low} for all {len(counts)}" if low == high else f"{low} to {high}"
    return Check(target, scale, measured, "equal", "pass" if low == high else "fail")


def check_growth(
    results: Sequence[Mapping[str, Any]], in_turn: Mapping[str, Any] | None = None
) -> list[Check]:
    """List and detail single-client p50 from the smallest to the largest scale:
    from `in_turn` (both scales served at once, measured in turn) when given,
    else from each scale's own run."""
    if len(results) < 2:
        return []
    small, large = results[0], results[-1]
    checks = []
    for key, label in (("list_uncached", "list"), ("detail_uncached", "detail")):
        if in_turn is not None:
            value = in_turn_ratio(_get(in_turn, key, "small"), _get(in_turn, key, "large"))
            how = ", in turn"
        else:
            value = ratio(
                _get(large["scenarios"], key, "single", "p50_ms"),
                _get(small["scenarios"], key, "single", "p50_ms"),
            )
            how = ""
        checks.append(
            Check.at_most(
                f"Uncached {label} mix p50 growth, {small['scale']:,} to {large['scale']:,}{how}",
                None,
                value,
                1.2,
                "x",
            )
        )
    return checks


def _ms(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


def render_table(result: Mapping[str, Any]) -> str:
    """One scale's scenarios as a markdown table."""
    lines = [
        f"### {int(result['scale']):,} challenges",
        "",
        "| scenario | req/s | x /healthz | /healthz req/s just before | p50 ms | p99 ms | "
        "1-client p50 ms | 1-client p95 ms | SQL/req | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for scenario in result["scenarios"].values():
        single = scenario.get("single") or {}
        rps = scenario.get("rps")
        share = scenario.get("ratio")
        ceiling = scenario.get("healthz_rps")
        lines.append(
            f"| {scenario['label']} | {f'{rps:,.0f}' if rps is not None else '-'} | "
            f"{f'{share:.2f}' if share is not None else '-'} | "
            f"{f'{ceiling:,.0f}' if ceiling is not None else '-'} | "
            f"{_ms(scenario.get('p50_ms'))} | {_ms(scenario.get('p99_ms'))} | "
            f"{_ms(single.get('p50_ms'))} | "
            f"{_ms(single.get('p95_ms'))} | {scenario.get('queries', '-')} | "
            f"{scenario.get('note', '')} |"
        )
    return "\n".join(lines)


def render_checks(checks: Sequence[Check]) -> str:
    lines = ["| target | scale | measured | limit | result |", "| --- | ---: | --- | --- | --- |"]
    for check in checks:
        mark = {"pass": "✅ pass", "fail": "❌ fail"}.get(check.status, check.status)
        scale = f"{check.scale:,}" if check.scale else "both"
        lines.append(f"| {check.target} | {scale} | {check.measured} | {check.limit} | {mark} |")
    return "\n".join(lines)


def render_in_turn(
    results: Sequence[Mapping[str, Any]], growth_in_turn: Mapping[str, Any] | None
) -> str:
    """The single-client p50s measured in turn, as medians over their rounds."""
    lines = [
        "| measured in turn | scale | 1-client p50 ms (median) | rounds |",
        "| --- | ---: | ---: | ---: |",
    ]
    for result in results:
        for key in ("list_uncached", "graphql_list"):
            scenario = result["scenarios"].get(key) or {}
            measured = scenario.get("in_turn")
            if measured:
                lines.append(
                    f"| {scenario['label']} | {int(result['scale']):,} | "
                    f"{_ms(measured['p50_ms'])} | {len(measured['rounds_ms'])} |"
                )
    for pair in (growth_in_turn or {}).values():
        for side in ("small", "large"):
            measured = pair.get(side)
            if measured:
                lines.append(
                    f"| {pair['label']} | {int(pair[side + '_scale']):,} | "
                    f"{_ms(measured['p50_ms'])} | {len(measured['rounds_ms'])} |"
                )
    return "\n".join(lines) if len(lines) > 2 else ""


def render_report(
    results: Sequence[Mapping[str, Any]],
    machine: Mapping[str, Any],
    growth_in_turn: Mapping[str, Any] | None = None,
) -> str:
    checks = [check for result in results for check in check_targets(result)]
    checks += check_growth(results, growth_in_turn)
    in_turn = render_in_turn(results, growth_in_turn)
    settings = results[0]["settings"] if results else {}
    parts = [
        "## Benchmark",
        "",
        f"Run {machine.get('finished_at', '')} by `make bench` "
        f"(wrk {settings.get('threads')} threads x {settings.get('connections')} connections "
        f"for {settings.get('duration_s')} s per scenario, then 1 client; gunicorn with "
        f"{settings.get('workers')} sync workers; load generator on the same machine).",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine.items() if key != "finished_at"),
        "",
        *(part for result in results for part in (render_table(result), "")),
        *(
            (
                "### Compared in turn",
                "",
                "Latencies compared with each other are measured in turn, one client, "
                f"{IN_TURN_SECONDS} s each, round after round, so a change in the "
                "machine's speed slows both alike. A target takes the median of the "
                "rounds' own ratios; the table shows each one's median p50.",
                "",
                in_turn,
                "",
            )
            if in_turn
            else ()
        ),
        "### Targets",
        "",
        render_checks(checks),
        "",
    ]
    for result in results:
        seed = result.get("seed") or {}
        if seed.get("summary"):
            parts.append(f"Seeding to {int(result['scale']):,}: {seed['summary']}")
        if (seed.get("search_index") or {}).get("summary"):
            parts.append(
                f"Search index at {int(result['scale']):,}: {seed['search_index']['summary']}"
            )
        if result.get("vacuum_s") is not None:
            parts.append(
                f"Vacuumed at {int(result['scale']):,} before measuring: {result['vacuum_s']} s"
            )
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


# --- Talking to the machine -------------------------------------------------------------


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"The benchmark only talks to the loopback interface, not {host!r}.")
    return url


def machine_info(database_url: str) -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    info = {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "memory": memory,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Python": platform.python_version(),
        "Django": _module_version("django"),
        "gunicorn": _module_version("gunicorn"),
        "PostgreSQL": _postgres_version(database_url),
        "wrk": _wrk_version(),
    }
    return info


def _module_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _postgres_version(database_url: str) -> str:
    import psycopg

    with psycopg.connect(_libpq(database_url), connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"


def _wrk_version() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        return "missing"
    done = subprocess.run(  # noqa: S603 -- a fixed local binary
        [wrk, "-v"], capture_output=True, text=True, timeout=10, check=False
    )
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0] if first else "unknown"


def _libpq(url: str) -> str:
    # psycopg takes postgres:// URLs as they are; dj-database-url's aliases it does not.
    return re.sub(r"^postgresql?://", "postgresql://", url)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def ensure_database(database_url: str) -> None:
    """Create the benchmark's database if it is missing."""
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    admin = _libpq(_with_database(database_url, "postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def vacuum(database_url: str) -> float:
    """VACUUM (ANALYZE) the benchmark's database, as autovacuum keeps a live one,
    and return the seconds it took. Every run's posting scenario leaves dead rows
    behind (about 20,000 a run in the challenge and outbox tables), which slowed
    the next run's posts by a third where autovacuum is off (it is off on the
    machine that ran the README's table)."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(_libpq(database_url), autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return round(time.monotonic() - started, 1)


def flush_cache(redis_url: str) -> None:
    """Empty the benchmark's own Redis database: seeding bypasses the services, so
    pages cached at the previous scale would otherwise be served at this one."""
    import redis

    redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()


def dev_env(args: argparse.Namespace) -> dict[str, str]:
    """For manage.py commands and bench/seed.py: development settings, bench database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEXUS_", "BENCH_"))}
    env.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX="nexus-bench",
        CELERY_BROKER_URL=args.broker_url,
        CELERY_QUEUE_PREFIX=QUEUE_PREFIX,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("NEXUS_ENV", None)
    return env


def server_env(args: argparse.Namespace, *, cache: bool) -> dict[str, str]:
    """Production settings, as `make stack` runs them, with a benchmark-only key."""
    env = dev_env(args)
    env.update(
        NEXUS_ENV="production",
        SECRET_KEY=BENCH_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        JWT_ACCESS_MINUTES="240",
        LOG_LEVEL=args.server_log_level,
        OUTBOX_RELAY="true" if args.outbox == "relay" else "false",
    )
    if not cache:
        env["NEXUS_CACHE_DISABLED"] = "1"
    return env


def manage(
    args: argparse.Namespace, *command: str, timeout: float, script: Path = ROOT / "manage.py"
) -> str:
    """`manage.py command` (or another of our scripts) with `dev_env`; its output."""
    done = subprocess.run(  # noqa: S603 -- our own scripts
        [sys.executable, str(script), *command],
        cwd=ROOT,
        env=dev_env(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{script.name} {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(
    args: argparse.Namespace,
    name: str,
    port: int,
    *,
    cache: bool,
    app: str = "nexus.wsgi:application",
    ready_path: str = "/readyz",
) -> Server:
    log = Path(tempfile.mkstemp(prefix=f"nexus-bench-{name}-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 -- gunicorn from our virtualenv
            [
                str(VENV_BIN / "gunicorn"),
                app,
                "--config",  # production's: preloaded, recycled workers
                str(GUNICORN_CONFIG),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=server_env(args, cache=cache),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The {name} server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base}{ready_path}", timeout=2) as answer:  # noqa: S310 -- loopback
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    stop_server(server)
    raise SystemExit(f"The {name} server was not ready in {READY_TIMEOUT_S}s: see {log}")


def start_relay(args: argparse.Namespace) -> Server:
    """The outbox relay the servers' commits wake, as `make stack` runs it (port unused)."""
    log = Path(tempfile.mkstemp(prefix="nexus-bench-relay-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 -- our own manage.py
            [sys.executable, str(ROOT / "manage.py"), "relay_outbox", "--listen"],
            cwd=ROOT,
            env=server_env(args, cache=True),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server("relay", 0, process, log)


def stop_server(server: Server) -> None:
    """SIGTERM to the server's process group, then SIGKILL if it lingers."""
    if server.process.poll() is not None:
        return
    with suppress(OSError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with suppress(OSError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=STOP_TIMEOUT_S)


def http(
    method: str, url: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 -- loopback only
        _loopback(url), data=body, method=method, headers=dict(headers or {})
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 -- loopback
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- The mix: what each scenario cycles through (pure parts, tested) -----------------------


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    body: str | None = None  # JSON; "{n}" becomes a per-thread counter in scenario.lua


@dataclass
class Scenario:
    key: str
    label: str
    server: str  # "cache" or "nocache"
    requests: tuple[Request, ...]  # taken in turn
    token: str = ""
    note: str = ""
    skip: str = ""
    results: dict[str, Any] = field(default_factory=dict)


@dataclass
class Mix:
    """What set-up found in the database and through the servers, for `build_scenarios`."""

    token: str
    lists: list[str]  # REST list paths: each filter and ordering, pages 1 to 5
    details: dict[int, int]  # solutions -> a challenge with that many
    guides: list[str]  # slugs
    graphql: list[str]  # POST bodies of the GraphQL list
    open_ids: list[int]  # challenges posted on
    graphql_skip: str = ""  # why there are no GraphQL bodies


def list_filters(technology: str, tag: str) -> list[dict[str, str]]:
    """No filter, then each of the list's filters alone."""
    return [
        {},
        {"technology": technology},
        {"tag": tag},
        {"status": "solved"},
        {"unanswered": "true"},
    ]


def rest_list_path(filters: Mapping[str, str], ordering: str) -> str:
    """A REST list's first page; the default ordering goes unsaid, as clients leave it."""
    query = dict(filters) | ({"ordering": ordering} if ordering != ORDERINGS[0] else {})
    return LIST_PATH + (f"?{urlencode(query)}" if query else "")


def graphql_list_body(
    selection: str, filters: Mapping[str, str], ordering: str, after: str | None
) -> str:
    """A GraphQL list request: `first`, the filters, `ordering`, and `after` (a
    cursor from the previous page's `pageInfo.endCursor`) as a variable."""
    arguments = [f"first: {GRAPHQL_FIRST}"]
    arguments += [
        f"{name}: {value if name == 'unanswered' else json.dumps(value)}"
        for name, value in filters.items()
    ]
    arguments += [f"ordering: {json.dumps(ordering)}", "after: $after"]
    query = (
        f"query Challenges($after: String) {{ challenges({', '.join(arguments)}) "
        f"{{ results {{ {selection} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
    return json.dumps({"query": query, "variables": {"after": after}})


def top_ups(
    found: Mapping[int, int], spare: Sequence[tuple[int, int]], wanted: Sequence[int]
) -> list[tuple[int, int, int]]:
    """(challenge id, solutions to post, solutions it then has) for each wanted
    count no challenge has, from `spare` open challenges (id, solutions), the
    most answered first. Seeding gives up to 5 solutions; the rest are posted."""
    chosen = set(found.values())
    left = [(pk, count) for pk, count in spare if pk not in chosen]
    plan = []
    for want in wanted:
        if want in found:
            continue
        pick = next(((pk, count) for pk, count in left if count < want), None)
        if pick is not None:
            left.remove(pick)
            plan.append((pick[0], want - pick[1], want))
    return plan


def shuffled(requests: Iterable[Request]) -> tuple[Request, ...]:
    """The mix in a fixed random order: neighbours differ in filter, ordering and
    page, and every run (many clients or one) sends the same sequence."""
    mixed = list(requests)
    Random(MIX_SEED).shuffle(mixed)  # noqa: S311 -- an order, not a secret
    return tuple(mixed)


def build_scenarios(mix: Mix) -> list[Scenario]:
    lists = shuffled(Request(path) for path in mix.lists)
    details = shuffled(Request(f"/api/v1/challenges/{pk}/") for pk in mix.details.values())
    guides = tuple(Request(f"/api/v1/guides/{slug}/") for slug in mix.guides)
    search = tuple(Request("/api/v1/search/?q=" + quote(query)) for query in SEARCH_QUERIES)
    graphql = shuffled(Request("/graphql/", "POST", body) for body in mix.graphql)
    answer = json.dumps({"body": ANSWER})
    posts = tuple(
        Request(f"/api/v1/challenges/{pk}/solutions/", "POST", answer) for pk in mix.open_ids
    )
    counts = f"{min(mix.details, default=0)} to {max(mix.details, default=0)}"
    detail_note = f"{len(details)} challenges with {counts} solutions in turn"
    return [
        Scenario("healthz", "/healthz (ceiling)", "cache", (Request("/healthz"),)),
        Scenario(
            "list_cached",
            "Challenge list mix, anonymous, cached",
            "cache",
            lists,
            note=f"{len(lists)} URLs in turn",
        ),
        Scenario(
            "list_uncached",
            "Challenge list mix, anonymous, cache off",
            "nocache",
            lists,
            note=f"{len(lists)} URLs in turn",
        ),
        Scenario(
            "detail_cached", "Challenge detail mix, cached", "cache", details, note=detail_note
        ),
        Scenario(
            "detail_uncached",
            "Challenge detail mix, cache off",
            "nocache",
            details,
            note=detail_note,
        ),
        Scenario(
            "guide", "Guide detail mix", "cache", guides, note=f"{len(guides)} guides in turn"
        ),
        Scenario("search", "Search", "cache", search, note=f"{len(search)} queries in turn"),
        Scenario(
            "graphql_list",
            "GraphQL challenge list mix",
            "cache",
            graphql,
            note=f"{len(graphql)} queries in turn",
            skip=mix.graphql_skip,
        ),
        Scenario(
            "post_solution",
            "Post a solution (authenticated)",
            "cache",
            posts,
            token=mix.token,
            note=f"{len(posts)} open challenges in turn, outbox event published",
        ),
    ]


def wrk_requests(requests: Iterable[Request]) -> str:
    """The mix as scenario.lua reads it: a line per request, its method, path and
    body apart by tabs (JSON bodies hold neither a raw tab nor a newline)."""
    lines = [f"{r.method}\t{r.path}\t{r.body or ''}" for r in requests]
    if any(line.count("\t") != 2 or "\n" in line for line in lines):
        raise ValueError("A request of the mix holds a tab or a newline.")
    return "".join(f"{line}\n" for line in lines)


# --- Set-up: the mix, from the database and through the servers -----------------------------


class SetUpError(Exception):
    """A part of the mix could not be collected (the server answered an error)."""


@dataclass
class Seeded:
    """What the database holds for the mix."""

    email: str
    technology: str  # the most used, for the filter
    tag: str
    details: dict[int, int]  # solutions -> the oldest visible challenge with that many
    spare: list[tuple[int, int]]  # open challenges (id, solutions), the most answered first
    guides: list[str]
    open_ids: list[int]


def read_seeded(database_url: str) -> Seeded:
    import psycopg

    most = max(DETAIL_SOLUTIONS)
    visible = "NOT is_hidden AND deleted_at IS NULL"
    with psycopg.connect(_libpq(database_url), connect_timeout=5) as conn:

        def rows(query: str) -> list[Any]:
            return conn.execute(query).fetchall()

        def one(query: str) -> Any:
            found = rows(query)
            if not found:
                raise SystemExit(f"The seeded database has nothing for: {query}")
            return found[0][0]

        def most_used(table: str, link: str, column: str) -> str:
            return str(
                one(
                    f"SELECT t.slug FROM {table} t JOIN {link} l ON l.{column} = t.id "  # noqa: S608 -- constants
                    "GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1"
                )
            )

        return Seeded(
            email=one(
                "SELECT email FROM accounts_user "  # noqa: S608 -- a constant
                f"WHERE email LIKE '%@{SEED_EMAIL_DOMAIN}' ORDER BY id LIMIT 1"
            ),
            technology=most_used(
                "knowledge_technology", "challenges_challenge_technologies", "technology_id"
            ),
            tag=most_used("knowledge_tag", "challenges_challenge_tags", "tag_id"),
            details=dict(
                rows(
                    "SELECT DISTINCT ON (solution_count) solution_count, id "  # noqa: S608 -- constants
                    f"FROM challenges_challenge WHERE {visible} AND solution_count <= {most} "
                    "ORDER BY solution_count, id"
                )
            ),
            spare=[
                (pk, count)
                for pk, count in rows(
                    "SELECT id, solution_count FROM challenges_challenge "  # noqa: S608 -- constants
                    f"WHERE {visible} AND status = 'open' AND solution_count < {most} "
                    f"ORDER BY solution_count DESC, id LIMIT {len(DETAIL_SOLUTIONS) * 2}"
                )
            ],
            guides=[
                slug
                for (slug,) in rows(
                    "SELECT slug FROM knowledge_guide WHERE status = 'published' "  # noqa: S608 -- constants
                    f"AND deleted_at IS NULL ORDER BY id DESC LIMIT {GUIDES}"
                )
            ],
            open_ids=[
                pk
                for (pk,) in rows(
                    f"SELECT id FROM challenges_challenge WHERE {visible} AND status = 'open' "  # noqa: S608 -- constants
                    f"ORDER BY id DESC LIMIT {OPEN_CHALLENGES}"
                )
            ],
        )


def sign_in(base: str, email: str) -> str:
    status, body = http(
        "POST",
        f"{base}/api/v1/auth/token/",
        body=json.dumps({"email": email, "password": SEED_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    if status != 200:
        raise SystemExit(f"Could not sign in as {email}: {status} {body[:300]!r}")
    return str(json.loads(body)["access"])


def send(request: Request, base: str, token: str = "", n: str = "0") -> tuple[int, bytes]:
    """One request of a mix, as scenario.lua sends it."""
    headers = {"Content-Type": "application/json"} if request.body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = request.body.replace("{n}", n).encode() if request.body is not None else None
    return http(request.method, base + request.path, body=body, headers=headers)


def answer_up_to(base: str, token: str, seeded: Seeded) -> dict[int, int]:
    """Challenges with each count of `DETAIL_SOLUTIONS`, posting answers through
    the API (as people answer) where the database has none with that many."""
    details = dict(seeded.details)
    for pk, posts, count in top_ups(seeded.details, seeded.spare, DETAIL_SOLUTIONS):
        answer = Request(
            f"/api/v1/challenges/{pk}/solutions/", "POST", json.dumps({"body": ANSWER})
        )
        for n in range(posts):
            status, body = send(answer, base, token, n=f"set-up {n}")
            if status != 201:
                raise SystemExit(f"Could not answer challenge {pk}: {status} {body[:300]!r}")
        details[count] = pk
    return dict(sorted(details.items()))


def rest_pages(base: str, first: str) -> list[str]:
    """A REST list's first page and the ones after it by its `next` links, up to `PAGES`."""
    paths = [first]
    while len(paths) < PAGES:
        status, body = http("GET", base + paths[-1])
        if status != 200:
            raise SystemExit(f"{paths[-1]} answered {status}: {body[:300]!r}")
        following = json.loads(body).get("next")
        if not following:
            break
        link = urlsplit(following)
        paths.append(f"{link.path}?{link.query}")
    return paths


def graphql_cursors(base: str, filters: Mapping[str, str], ordering: str) -> list[str | None]:
    """`after` for pages 1 to `PAGES` of a GraphQL list, by its `pageInfo.endCursor`."""
    cursors: list[str | None] = [None]
    while len(cursors) < PAGES:
        body = graphql_list_body(GRAPHQL_SELECTIONS[0], filters, ordering, cursors[-1])
        status, answer = send(Request("/graphql/", "POST", body), base)
        try:
            data = json.loads(answer)
        except ValueError:
            data = {}
        try:
            info = data["data"]["challenges"]["pageInfo"]
        except (KeyError, TypeError) as exc:
            errors = data.get("errors") if isinstance(data, dict) else None
            said = errors[0].get("message") if errors else answer[:200].decode(errors="replace")
            raise SetUpError(f"the server answered {status}: {said}") from exc
        if not info["hasNextPage"]:
            break
        cursors.append(info["endCursor"])
    return cursors


def set_up(database_url: str, cache_base: str, nocache_base: str) -> Mix:
    """The requests of every mix: lists and GraphQL pages followed through the
    servers (cursors are opaque), details chosen by their solutions."""
    seeded = read_seeded(database_url)
    token = sign_in(cache_base, seeded.email)
    chains = [(f, o) for f in list_filters(seeded.technology, seeded.tag) for o in ORDERINGS]
    mix = Mix(
        token=token,
        lists=[path for f, o in chains for path in rest_pages(nocache_base, rest_list_path(f, o))],
        details=answer_up_to(cache_base, token, seeded),
        guides=seeded.guides,
        graphql=[],
        open_ids=seeded.open_ids,
    )
    try:
        for chain, (filters, ordering) in enumerate(chains):
            for page, after in enumerate(graphql_cursors(nocache_base, filters, ordering)):
                selection = GRAPHQL_SELECTIONS[(chain + page) % len(GRAPHQL_SELECTIONS)]
                mix.graphql.append(graphql_list_body(selection, filters, ordering, after))
    except SetUpError as error:
        mix.graphql, mix.graphql_skip = [], f"skipped: GraphQL set-up failed, {error}"
    return mix


def probe(scenario: Scenario, base: str) -> None:
    """Each request of the mix once: a scenario with a failing request is skipped,
    with a note (search, when its endpoint is not there)."""
    for request in dict.fromkeys(scenario.requests):
        status, answer = send(request, base, scenario.token)
        scenario.results["status"] = status
        if status == 404 and scenario.key == "search":
            scenario.skip = "skipped: /api/v1/search/ answers 404 (search not built yet)"
        elif status >= 400 or (request.path == "/graphql/" and b'"errors"' in answer):
            scenario.skip = f"skipped: {request.path} answered {status}: {answer[:120]!r}"
        if scenario.skip:
            return


def run_wrk(
    scenario: Scenario, base: str, *, threads: int, connections: int, duration: int
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit(WRK_INSTALL_HINT)
    with tempfile.NamedTemporaryFile("w", prefix="nexus-bench-", suffix=".requests") as mix:
        mix.write(wrk_requests(scenario.requests))
        mix.flush()
        command = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(SCENARIO_LUA),
            _loopback(base + scenario.requests[0].path),
        ]
        done = subprocess.run(  # noqa: S603 -- wrk against loopback
            command,
            env=dict(os.environ, BENCH_REQUESTS=mix.name, BENCH_TOKEN=scenario.token),
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=False,
        )
    if done.returncode:
        raise SystemExit(f"wrk failed for {scenario.key}:\n{done.stdout}\n{done.stderr}")
    return parse_wrk_output(done.stdout)


Runner = Callable[..., dict[str, Any]]


def measure(
    scenario: Scenario,
    ceiling: Scenario,
    base: str,
    args: argparse.Namespace,
    run: Runner = run_wrk,
) -> None:
    """Load `scenario` on `base` with many clients, then with one, and take its
    share of the `ceiling` (/healthz) loaded on the same server just before it.
    The machine's speed drifts by up to 2x within minutes; one /healthz at the
    start of a scale made the last scenarios' shares compare the machine then
    and now as much as the code."""
    loaded_settings = {
        "threads": args.threads,
        "connections": args.connections,
        "duration": args.duration,
    }
    if scenario is not ceiling:
        scenario.results["healthz_rps"] = run(ceiling, base, **loaded_settings)["rps"]
    loaded = run(scenario, base, **loaded_settings)
    single = run(scenario, base, threads=1, connections=1, duration=args.duration)
    scenario.results.update(loaded)
    scenario.results["single"] = single
    beside = loaded["rps"] if scenario is ceiling else scenario.results["healthz_rps"]
    scenario.results["ratio"] = ratio(loaded["rps"], beside)


def run_in_turn(
    entries: Sequence[tuple[str, Scenario, str]], *, rounds: int, seconds: int
) -> dict[str, dict[str, Any]]:
    """One-client wrk runs of each (name, scenario, base) in turn, `rounds` times."""
    measured: dict[str, list[float]] = {name: [] for name, _, _ in entries}
    for _ in range(rounds):
        for name, scenario, base in entries:
            run = run_wrk(scenario, base, threads=1, connections=1, duration=seconds)
            measured[name].append(run["p50_ms"])
    return in_turn_p50(measured)


def count_queries(args: argparse.Namespace, scenarios: Sequence[Scenario], *, cache: bool) -> None:
    """SQL queries of each request of each mix, counted in a child process with the
    server's settings: `query_counts` in the mix's order, `queries` the most."""
    chosen = [s for s in scenarios if (s.server == "cache") == cache and not s.skip]
    spec = [
        {"key": s.key, "token": s.token, "requests": [asdict(r) for r in s.requests]}
        for s in chosen
    ]
    done = subprocess.run(  # noqa: S603 -- this script, in another process
        [sys.executable, str(Path(__file__).resolve()), "--count-queries"],
        input=json.dumps(spec),
        cwd=ROOT,
        env=server_env(args, cache=cache),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"Counting queries failed:\n{done.stdout}\n{done.stderr}")
    counted: dict[str, list[int]] = json.loads(done.stdout.strip().splitlines()[-1])
    for scenario in chosen:
        scenario.results["query_counts"] = counted[scenario.key]
        scenario.results["queries"] = max(counted[scenario.key])


def counting_child() -> None:
    """In the child, for the mixes on stdin: each request three times (warming the
    cache and the connection), the third one counted."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts: dict[str, list[int]] = {}
    for item in json.load(sys.stdin):
        headers = {"Authorization": f"Bearer {item['token']}"} if item["token"] else {}
        counts[item["key"]] = []
        for request in item["requests"]:
            body = (request["body"] or "").replace("{n}", "counted")
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    if request["method"] == "POST":
                        client.post(
                            request["path"],
                            data=body,
                            content_type="application/json",
                            headers=headers,
                        )
                    else:
                        client.get(request["path"], headers=headers)
            counts[item["key"]].append(len(queries))
    print(json.dumps(counts))


def purge_queues(args: argparse.Namespace) -> None:
    """Drop the queues the benchmark's outbox events went to: no worker consumes them."""
    script = (
        "from kombu import Connection\n"
        "import sys\n"
        "with Connection(sys.argv[1], connect_timeout=5) as conn:\n"
        "    channel = conn.channel()\n"
        "    for name in sys.argv[2:]:\n"
        "        try:\n"
        "            channel.queue_delete(name)\n"
        "        except Exception:\n"
        "            channel = conn.channel()\n"
    )
    queues = [f"{QUEUE_PREFIX}{name}" for name in ("default", "events", "deliveries", "periodic")]
    subprocess.run(  # noqa: S603 -- our interpreter
        [sys.executable, "-c", script, args.broker_url, *queues],
        capture_output=True,
        timeout=30,
        check=False,
    )


def plain_django(args: argparse.Namespace, run: Runner = run_wrk) -> str:
    """How fast this machine is, for the absolute targets: `bench/plain.py`
    served and loaded as the scenarios are, against the targets' machine."""
    server = start_server(
        args, "plain", args.port + 4, cache=False, app="bench.plain:application", ready_path="/"
    )
    try:
        loaded = run(
            Scenario("plain", PLAIN_DJANGO, "plain", (Request("/"),)),
            server.base,
            threads=args.threads,
            connections=args.connections,
            duration=args.duration,
        )
    finally:
        stop_server(server)
    return plain_note(loaded["rps"])


def plain_note(rps: float) -> str:
    return (
        f"{rps:,.0f} req/s, {rps / REFERENCE_PLAIN_RPS:.2f}x the {REFERENCE_PLAIN_RPS:,} "
        "of the machine the targets were set on"
    )


# --- One scale ------------------------------------------------------------------------------


def seed(args: argparse.Namespace, scale: int) -> dict[str, Any]:
    print(f"Seeding to {scale:,} challenges...", flush=True)
    started = time.monotonic()
    output = manage(
        args,
        "--challenges",
        str(scale),
        "--batch",
        str(args.batch),
        timeout=args.seed_timeout,
        script=SEED_SCRIPT,
    )
    summary = next((line for line in output.splitlines() if line.startswith("Loaded")), "")
    if not summary:
        summary = next(iter(output.splitlines()), "")
    print(f"  {summary}", flush=True)
    return {"seconds": round(time.monotonic() - started, 1), "summary": summary}


def index_search(args: argparse.Namespace) -> dict[str, Any]:
    """Seeded rows bypass the services that keep the search index, so rebuild it with
    the search app's `reindex` command, when there is one."""
    if "reindex" not in manage(args, "help", "--commands", timeout=120).split():
        return {"summary": "no reindex command: search index not built"}
    print("Rebuilding the search index...", flush=True)
    started = time.monotonic()
    output = manage(args, "reindex", timeout=args.seed_timeout)
    seconds = round(time.monotonic() - started, 1)
    documents = ", ".join(line.strip() for line in output.splitlines() if line.strip())
    print(f"  {documents} in {seconds}s", flush=True)
    return {"seconds": seconds, "summary": f"{documents} in {seconds}s"}


def bench_scale(args: argparse.Namespace, scale: int) -> dict[str, Any]:
    seeded: dict[str, Any] = {"summary": "not seeded (--skip-seed)"}
    if not args.skip_seed:
        seeded = seed(args, scale)
        seeded["search_index"] = index_search(args)
    print("  Vacuuming...", flush=True)
    vacuumed_s = vacuum(args.database_url)
    flush_cache(args.redis_url)
    servers: dict[str, Server] = {}
    try:
        if args.outbox == "relay":
            servers["relay"] = start_relay(args)
        servers["cache"] = start_server(args, "cache", args.port, cache=True)
        servers["nocache"] = start_server(args, "nocache", args.port + 1, cache=False)
        print("  Collecting the mixes...", flush=True)
        mix = set_up(args.database_url, servers["cache"].base, servers["nocache"].base)
        scenarios = [
            s for s in build_scenarios(mix) if not args.only or s.key in args.only | {"healthz"}
        ]
        for scenario in scenarios:
            if not scenario.skip:
                probe(scenario, servers[scenario.server].base)
        for cache in (True, False):
            count_queries(args, scenarios, cache=cache)
        ceiling = next(s for s in scenarios if s.key == "healthz")
        for scenario in scenarios:
            if scenario.skip:
                continue
            print(f"  {scenario.label}...", flush=True)
            measure(scenario, ceiling, servers[scenario.server].base, args)
        paired = [s for s in scenarios if s.key in ("list_uncached", "graphql_list") and not s.skip]
        if len(paired) == 2:
            print("  The REST and GraphQL lists in turn...", flush=True)
            measured = run_in_turn(
                [(s.key, s, servers[s.server].base) for s in paired],
                rounds=IN_TURN_ROUNDS,
                seconds=IN_TURN_SECONDS,
            )
            for scenario in paired:
                scenario.results["in_turn"] = measured[scenario.key]
    finally:
        for server in servers.values():
            stop_server(server)
        purge_queues(args)
    return {
        "scale": scale,
        "timestamp": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "seed": seeded,
        "vacuum_s": vacuumed_s,
        "settings": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "workers": args.workers,
            "outbox": args.outbox,
            "cache_disabled_by": "NEXUS_CACHE_DISABLED=1 on the second server",
        },
        "scenarios": {
            s.key: {
                "label": s.label,
                "server": s.server,
                "mix": [asdict(r) for r in s.requests],
                "note": s.skip or s.note,
                **s.results,
            }
            for s in scenarios
        },
    }


def _scale_database(base_url: str, scale: int) -> str:
    """The database of one scale, with --database-per-scale: nexus_bench_100000."""
    return _with_database(base_url, f"{urlsplit(base_url).path.lstrip('/')}_{scale}")


def measure_growth_in_turn(
    args: argparse.Namespace, base_url: str, small: int, large: int
) -> dict[str, Any] | None:
    """The uncached list and detail at the smallest and largest scales, served at
    once from their own databases and measured in turn (`IN_TURN_ROUNDS`)."""
    keys = [k for k in ("list_uncached", "detail_uncached") if not args.only or k in args.only]
    if not keys:
        return None
    print("Both scales in turn...", flush=True)
    servers: list[Server] = []
    entries: list[tuple[str, Scenario, str]] = []
    labels: dict[str, str] = {}
    try:
        for offset, (side, scale) in enumerate((("small", small), ("large", large))):
            scoped = argparse.Namespace(**vars(args))
            scoped.database_url = _scale_database(base_url, scale)
            server = start_server(scoped, f"nocache-{scale}", args.port + 2 + offset, cache=False)
            servers.append(server)
            mix = set_up(scoped.database_url, server.base, server.base)
            for scenario in build_scenarios(mix):
                if scenario.key in keys:
                    labels[scenario.key] = scenario.label
                    entries.append((f"{scenario.key}:{side}", scenario, server.base))
        measured = run_in_turn(entries, rounds=IN_TURN_ROUNDS, seconds=IN_TURN_SECONDS)
    finally:
        for server in servers:
            stop_server(server)
    return {
        key: {
            "label": labels[key],
            "small_scale": small,
            "large_scale": large,
            "small": measured.get(f"{key}:small"),
            "large": measured.get(f"{key}:large"),
        }
        for key in keys
    }


# --- The run ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scales",
        default=",".join(str(s) for s in DEFAULT_SCALES),
        help="Challenge counts to seed to and measure, in order (default 100000,1000000).",
    )
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument(
        "--port",
        type=int,
        default=8790,
        help="First of five loopback ports (two servers per scale, two for the scales in "
        "turn, one for the plain Django view).",
    )
    parser.add_argument("--batch", type=int, default=10_000, help="bench/seed.py --batch.")
    parser.add_argument("--seed-timeout", type=int, default=7200, help="Seconds per seeding.")
    parser.add_argument("--skip-seed", action="store_true", help="Measure the data as it is.")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--database-per-scale",
        action="store_true",
        help="A database per scale (nexus_bench_100000, ...): seed each once, then "
        "measure again with --skip-seed.",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--broker-url", default=DEFAULT_BROKER_URL)
    parser.add_argument(
        "--server-log-level",
        default="WARNING",
        help="LOG_LEVEL of the servers (INFO logs a line per request, which is then measured).",
    )
    parser.add_argument(
        "--outbox",
        choices=("relay", "on-commit"),
        default="relay",
        help="Who publishes outbox events: the relay process (OUTBOX_RELAY, as `make stack` "
        "runs) or each request after its commit.",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(),
        help="Measure only these scenarios (comma-separated keys, e.g. list_uncached); "
        "/healthz always runs, as every ratio needs it.",
    )
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.count_queries:
        args.scale_list = [int(s.replace("_", "")) for s in args.scales.split(",") if s.strip()]
        if not args.scale_list or min(args.scale_list) < 10:
            parser.error("--scales: comma-separated challenge counts of at least 10.")
        for url in (args.database_url, args.redis_url, args.broker_url):
            _loopback(url)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.count_queries:
        counting_child()
        return 0
    sys.path.insert(0, str(ROOT))
    if not shutil.which("wrk"):
        print(WRK_INSTALL_HINT, file=sys.stderr)
        return 2
    machine: dict[str, str] = {}
    args.results.mkdir(parents=True, exist_ok=True)
    results = []
    base_url = args.database_url
    for scale in args.scale_list:
        if args.database_per_scale:
            args.database_url = _scale_database(base_url, scale)
        ensure_database(args.database_url)
        if not machine:
            machine = machine_info(args.database_url)
            print("A plain Django view, for the machine's speed...", flush=True)
            machine[PLAIN_DJANGO] = plain_django(args)
        print(f"Migrating the benchmark database ({urlsplit(args.database_url).path[1:]})...")
        manage(args, "migrate", "--noinput", timeout=600)
        result = bench_scale(args, scale)
        result["machine"] = machine
        path = args.results / f"{result['timestamp']}-{scale}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"Wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        results.append(result)
    growth_in_turn = None
    if args.database_per_scale and len(results) >= 2:
        growth_in_turn = measure_growth_in_turn(
            args, base_url, results[0]["scale"], results[-1]["scale"]
        )
        if growth_in_turn:
            path = args.results / f"{results[-1]['timestamp']}-growth.json"
            path.write_text(json.dumps(growth_in_turn, indent=2) + "\n")
    machine["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = render_report(results, machine, growth_in_turn)
    (args.results / "latest.md").write_text(report)
    print()
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
