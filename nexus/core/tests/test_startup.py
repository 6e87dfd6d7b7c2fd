"""A server process loads the whole application at start-up and freezes it, so
Python's full collections no longer traverse it (a pause of ~140 ms each), and
collects young objects less often."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

LOADED_LATE = ("nexus.graphql", "nexus.challenges.api.rest")  # by the URLconf, not by setup

PROBE = """
import gc, json, sys
import {module}
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold(),
    "loaded": [name for name in {loaded_late!r} if name in sys.modules],
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
