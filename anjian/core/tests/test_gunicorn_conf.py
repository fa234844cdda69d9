"""gunicorn's settings (``config/gunicorn.conf.py``): the arbiter loads the app and builds its URLs and
API before forking, so that a worker, first or recycled, starts warm; and it holds no database
connection that the forked workers would share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

ARBITER = """
import runpy, sys
conf = runpy.run_path("config/gunicorn.conf.py")
assert conf["preload_app"] is True
from config.wsgi import application  # what gunicorn's preload does
before = "anjian.hazards.api" in sys.modules
conf["when_ready"](None)
from django.db import connections
print(before, "anjian.hazards.api" in sys.modules, [c.connection for c in connections.all()])
"""


def test_the_arbiter_builds_the_api_before_forking_and_keeps_no_database_connection():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ANJIAN_SECRET_KEY": "test-" + "x" * 45,
        "ANJIAN_DEBUG": "false",
        "ANJIAN_ALLOWED_HOSTS": "127.0.0.1",
    }
    out = subprocess.run(
        [sys.executable, "-c", ARBITER], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[-2] == "False True [None]"
