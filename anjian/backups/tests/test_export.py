"""The export of everything in open formats: JSON and CSV of every table, the files, a manifest;
no secrets."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from django.core.management import call_command

from anjian.backups.exports import export_all

pytestmark = pytest.mark.django_db


def test_export_writes_json_csv_files_and_no_secrets(world, tmp_path):
    media = tmp_path / "media"
    (media / "units").mkdir(parents=True)
    (media / "units" / "许可证.pdf").write_bytes(b"%PDF-1.4 licence")
    out = tmp_path / "export"
    manifest = export_all(out, media_root=media)

    units = json.loads((out / "json" / "units.unit.json").read_text(encoding="utf-8"))
    assert {u["fields"]["name"] for u in units} >= {world.unit_a.name, world.unit_b.name}
    assert "杭州甲乙机械有限公司" in (out / "json" / "units.unit.json").read_text(encoding="utf-8")
    with (out / "csv" / "units.unit.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == manifest["counts"]["units.unit"] == len(units)

    users = (out / "csv" / "accounts.user.csv").read_text(encoding="utf-8-sig")
    assert "password" not in users.splitlines()[0].split(",")
    assert "md5$" not in users and "pbkdf2" not in users
    assert not (out / "json" / "accounts.apitoken.json").exists()
    assert not (out / "json" / "sessions.session.json").exists()

    copied = out / "media" / "units" / "许可证.pdf"
    assert copied.read_bytes() == b"%PDF-1.4 licence"
    assert manifest["files"]["units/许可证.pdf"] == hashlib.sha256(copied.read_bytes()).hexdigest()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert (out / "README.txt").exists()


def test_export_refuses_a_folder_that_is_not_empty(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "none"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "old.txt").write_text("old")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_all", str(tmp_path / "x"))
