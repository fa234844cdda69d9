"""Chinese of this app's catalog, kept in code (``scripts/apply_translations.py`` applies it).

Each part of the app keeps its own strings in ``zh_<part>.py`` beside this file (same
``T``/``PLURALS``/``CONTEXT`` dicts), merged below.
"""

from __future__ import annotations

import runpy
from pathlib import Path

T: dict[str, str] = {}
PLURALS: dict[str, list[str]] = {}
CONTEXT: dict[tuple[str, str], str] = {}

for _part in sorted(Path(__file__).resolve().parent.glob("zh_*.py")):
    _kept = runpy.run_path(str(_part))
    T.update(_kept.get("T", {}))
    PLURALS.update(_kept.get("PLURALS", {}))
    CONTEXT.update(_kept.get("CONTEXT", {}))
