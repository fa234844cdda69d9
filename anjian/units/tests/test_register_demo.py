"""The demo town's register: categories as in the 2018 report, grades, pinyin; idempotent."""

from __future__ import annotations

import pytest

from anjian.audit.models import AuditEntry
from anjian.demo.loader import DemoReport, load_demo
from anjian.demo.register_demo import load_demo_register
from anjian.units.models import Unit


@pytest.fixture
def demo(db):
    """The demo town loaded once, then its register twice (one loading takes seconds: the
    three checks below share it)."""
    first = load_demo()  # the loader runs load_demo_register as one of its parts
    entries = AuditEntry.objects.count()
    second = DemoReport()
    load_demo_register(second)
    return first, second, entries, AuditEntry.objects.count()


def town_units():
    return Unit.objects.filter(region__parent__code="330111112000")


def test_the_demo_register_matches_the_report_and_is_idempotent(demo):
    check_categories()
    check_facts()
    check_idempotent(*demo)


def check_categories():
    units = town_units()

    assert units.filter(categories__code="haz-chem-storage").distinct().count() == 2
    assert units.filter(categories__code="haz-chem-use").distinct().count() == 48
    three = units.filter(categories__group="three_places").distinct()
    assert three.count() == 19
    assert any(u.categories.filter(group="three_places").count() == 2 for u in three)
    assert units.filter(categories__code="fireworks").count() == 1
    assert units.filter(categories__code="fire-key-unit", kind="small_venue").exists()


def check_facts():
    units = town_units()

    assert not units.filter(name_pinyin="").exists()
    assert not units.filter(grade="").exists()
    assert not units.filter(latitude__isnull=True).exists()
    for unit in units.filter(categories__code="haz-chem-storage"):
        assert unit.grade == "red"
    overridden = [u for u in units if u.grade != u.suggested_grade]
    assert 3 <= len(overridden) <= 6
    assert all(u.grade_reason for u in overridden)
    enterprise = units.filter(kind="enterprise").first()
    assert enterprise.legal_representative and enterprise.principal_mobile
    assert enterprise.industry_code and enterprise.industry_name
    for unit in units:
        assert 29.85 < float(unit.latitude) < 30.0 and 119.78 < float(unit.longitude) < 119.95


def check_idempotent(first, second, entries, again):
    assert first.created.get("unit register facts", 0) > 200
    assert second.created == {}
    assert entries == again
