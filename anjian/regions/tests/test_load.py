"""Loading the Region tree from CSV: idempotent, all or nothing, errors named by row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from anjian.audit.models import AuditEntry
from anjian.regions.models import Region, RegionLevel
from anjian.regions.services import regions_load_csv

DEMO = Path(__file__).resolve().parents[1] / "data" / "fuyang-demo.csv"

pytestmark = pytest.mark.django_db


def load_command(path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_regions", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_the_demo_file_builds_the_district_with_two_towns_and_their_villages():
    code, out, _err = load_command(DEMO)

    assert code == 0
    towns = {r.name: r for r in Region.objects.towns()}
    assert set(towns) == {"场口镇", "常安镇"}
    changkou = Region.objects.filter(parent=towns["场口镇"])
    assert 10 <= changkou.count() <= 14
    assert changkou.get(name="场口社区").is_community
    assert changkou.get(code="330111112201").name == "东梓关村"
    assert 4 <= Region.objects.filter(parent=towns["常安镇"]).count() <= 5
    assert f"{Region.objects.count()}" in out


def test_loading_the_demo_file_twice_changes_nothing():
    load_command(DEMO)
    regions = list(Region.objects.order_by("pk").values())
    entries = AuditEntry.objects.count()

    code, out, _err = load_command(DEMO)

    assert code == 0
    assert list(Region.objects.order_by("pk").values()) == regions
    assert AuditEntry.objects.count() == entries
    assert "0" in out
    report = regions_load_csv(actor=None, text=DEMO.read_text(encoding="utf-8"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(regions))


def test_a_bad_row_rolls_back_the_whole_file_and_is_named_by_its_row(tmp_path):
    bad = tmp_path / "bad.csv"
    lines = DEMO.read_text(encoding="utf-8").splitlines()
    lines.insert(7, "330111112999x,错误村,village,330111112000,")  # becomes row 8 of the file
    bad.write_text("\n".join(lines), encoding="utf-8")

    code, _out, err = load_command(bad)

    assert code == 1
    assert "第 8 行" in err
    assert "330111112999X" in err or "330111112999x" in err
    assert Region.objects.count() == 0


def test_a_renamed_region_is_updated_and_audited():
    load_command(DEMO)
    text = DEMO.read_text(encoding="utf-8").replace("环山村", "环山新村")

    report = regions_load_csv(actor=None, text=text)

    assert (report.created, report.updated) == (0, 1)
    assert Region.objects.get(code="330111112209").name == "环山新村"
    assert AuditEntry.objects.filter(action="region.updated").count() == 1


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    bad = tmp_path / "columns.csv"
    bad.write_text("编码,名称\n330000000000,浙江省\n", encoding="utf-8")

    code, _out, err = load_command(bad)

    assert code == 1
    assert "code" in err
    assert not Region.objects.filter(level=RegionLevel.PROVINCE).exists()
