"""The fuzzing run (issue 17 §3): the marker ``fuzz`` (registered in pyproject.toml) runs only when
asked for with ``-m fuzz`` (`make test-fuzz`; it takes minutes, so the ordinary runs leave it out)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="fuzzing runs only with -m fuzz")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)
