"""Applies a catalog's kept translations to its .po file after ``makemessages``.

    python scripts/apply_translations.py anjian/units/locale [locale ...]

Each folder holds ``translations_zh_hans.py`` with the dicts ``T`` (msgid → Chinese), ``PLURALS``
(msgid → plural forms) and ``CONTEXT`` ((msgctxt, msgid) → Chinese), kept in code so that a re-run
of makemessages never loses a translation. Exits non-zero naming every msgid left untranslated;
then run ``compilemessages``.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib


def apply(folder: Path) -> list[str]:
    kept = runpy.run_path(str(folder / "translations_zh_hans.py"))
    texts, plurals, context = kept["T"], kept.get("PLURALS", {}), kept.get("CONTEXT", {})
    path = folder / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {
            "Project-Id-Version": "anjian",
            "Language-Team": "anjian",
            "Last-Translator": "anjian",
            "Language": "zh_Hans",
        }
    )
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = plurals.get(entry.msgid)
            if forms is None:
                missing.append(entry.msgid)
                continue
            entry.msgstr_plural = dict(enumerate(forms))
        elif entry.msgctxt:
            if (entry.msgctxt, entry.msgid) not in context:
                missing.append(f"{entry.msgctxt}|{entry.msgid}")
                continue
            entry.msgstr = context[(entry.msgctxt, entry.msgid)]
        elif entry.msgid in texts:
            entry.msgstr = texts[entry.msgid]
        else:
            missing.append(entry.msgid)
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(str(path))
    return [f"{path}: {msgid}" for msgid in missing]


def main(folders: list[str]) -> int:
    missing = [line for folder in folders for line in apply(Path(folder))]
    for line in missing:
        print("untranslated:", line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
