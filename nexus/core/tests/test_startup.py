"""A server process loads the whole application at start-up and freezes it, so
Python's full collections no longer traverse it (a pause of ~140 ms each), and
collects young objects less often."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

LOADED_LATE = ("nexus.graphql", "nexus.challenges.api.rest")  # by the URLconf, not by setup

PROBE = """
import gc, json, sys
import {module}
from django.db import connections
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold(),
    "loaded": [name for name in {loaded_late!r} if name in sys.modules],
    "connected": [alias for alias in connections if connections[alias].connection is not None],
}}))
"""


@pytest.mark.parametrize("module", ["nexus.wsgi", "nexus.asgi"])
def test_the_server_entry_points_load_the_app_and_freeze_it(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "nexus.settings"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, loaded_late=LOADED_LATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])

    assert probe["loaded"] == list(LOADED_LATE)
    # Django, the apps, the URLconf, the views and the schema: well over 50,000 objects
    assert probe["frozen"] > 50_000
    # young collections every 20,000 new objects, not every 700
    assert probe["threshold"][0] == 20_000
    # gunicorn's master loads the app and forks its workers (deploy/gunicorn.conf.py):
    # a connection opened here would be shared by every worker.
    assert probe["connected"] == []


def test_gunicorn_loads_the_app_once_in_its_master_and_forks_its_workers(free_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "nexus.settings"
    port = free_port
    master = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "nexus.wsgi:application",
            "--config",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    answer = json.load(r)
            except OSError:
                assert master.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        assert answer is not None
        assert answer["status"] == "ok"
        # The master itself imported the app (its markdown sanitiser's library is
        # mapped there): a recycled worker is a fork with nothing left to import.
        assert "nh3" in Path(f"/proc/{master.pid}/maps").read_text()
    finally:
        os.killpg(master.pid, signal.SIGTERM)
        master.wait(timeout=30)
