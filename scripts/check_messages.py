"""Fails when a Chinese catalog misses a string: extracts the messages again with makemessages into
a copy of every catalog and reports untranslated or fuzzy entries, and .mo files older than their .po."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

# The same list as the Makefile's `messages` target: test code and tools are not translated.
IGNORE = [
    "--ignore=.venv/*",
    "--ignore=staticfiles/*",
    "--ignore=data/*",
    "--ignore=test-artifacts/*",
    "--ignore=tests/*",
    "--ignore=bench/*",
    "--ignore=scripts/*",
    "--ignore=conftest.py",
    "--ignore=*/tests/*",
    "--ignore=anjian/core/testing/*",
]


def catalogs() -> list[Path]:
    found = list(ROOT.glob("locale/zh_Hans/LC_MESSAGES/django.po"))
    found += list(ROOT.glob("anjian/*/locale/zh_Hans/LC_MESSAGES/django.po"))
    return sorted(found)


def main() -> int:
    if shutil.which("msgfmt") is None:
        print("gettext is not installed (apt-get install gettext)")
        return 1
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv", ".git", "staticfiles", "data", "test-artifacts", "node_modules"
            ),
        )
        env = dict(os.environ, ANJIAN_DEBUG="true", PYTHONPATH=str(copy))
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-obsolete",
                *IGNORE,
            ],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
        for po_path in catalogs():
            rel = po_path.relative_to(ROOT)
            fresh = polib.pofile(str(copy / rel))
            for entry in fresh:
                if entry.obsolete:
                    continue
                if not entry.translated() or "fuzzy" in entry.flags:
                    problems.append(f"{rel}: untranslated {entry.msgid!r}")
        for po_path in catalogs():
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists():
                problems.append(f"{po_path.relative_to(ROOT)}: no compiled .mo")
        # A catalog for an app that has strings but no locale folder is a problem too.
        for app in sorted((copy / "anjian").iterdir()):
            new = app / "locale/zh_Hans/LC_MESSAGES/django.po"
            if new.exists() and not (ROOT / new.relative_to(copy)).exists():
                problems.append(f"{new.relative_to(copy)}: strings but no committed catalog")
    for line in problems[:200]:
        print(line)
    print(f"{len(problems)} problem(s) in {len(catalogs())} catalog(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
