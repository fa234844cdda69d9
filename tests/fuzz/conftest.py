"""The fuzzing run (issue 17 §3): registered as the marker ``fuzz`` and run only when asked for
with ``-m fuzz`` (it takes minutes, so the ordinary runs leave it out)."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "fuzz: schemathesis fuzzing of the OpenAPI schema (-m fuzz)")


def pytest_collection_modifyitems(config, items):
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="fuzzing runs only with -m fuzz")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)
