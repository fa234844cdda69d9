"""The unit's suggested grade counts its hazards of the last twelve months (anjian.units.grading):
3–5 raise it one step, 6 or more two, a major hazard makes it red; cancelled hazards and hazards
older than twelve months do not count."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from anjian.hazards.selectors import HazardHistory, twelve_months_before, unit_hazard_history
from anjian.hazards.services import hazard_update
from anjian.hazards.tests.factories import act, make_hazard
from anjian.units.models import Unit
from anjian.units.services import unit_refresh_register, unit_update

pytestmark = pytest.mark.django_db


def suggested(unit) -> str:
    return Unit.objects.get(pk=unit.pk).suggested_grade


@pytest.fixture
def unit(world):
    unit_refresh_register(unit_ids=[world.unit_a.pk])
    assert suggested(world.unit_a) == "blue"  # no category, no size: the base grade
    return world.unit_a


def test_three_hazards_in_twelve_months_raise_the_grade_one_step(world, unit):
    make_hazard(world.inspector_a, unit)
    make_hazard(world.inspector_a, unit)
    assert suggested(unit) == "blue"
    make_hazard(world.inspector_a, unit)
    assert suggested(unit) == "yellow"
    for _ in range(3):
        make_hazard(world.inspector_a, unit)
    assert suggested(unit) == "orange"  # six: two steps
    assert suggested(world.unit_a2) in ("", "blue")  # another unit is untouched


def test_a_major_hazard_makes_the_unit_red(world, unit):
    make_hazard(world.inspector_a, unit, level="major")
    assert suggested(unit) == "red"


def test_raising_a_hazard_to_major_and_back_regrades_the_unit(world, unit):
    """Raised by the office's correction; back only by a downgrade a leader approved."""
    hazard = make_hazard(world.inspector_a, unit)
    assert suggested(unit) == "blue"
    hazard = hazard_update(
        actor=world.town_office_a,
        hazard_id=hazard.pk,
        expected_version=hazard.version,
        level="major",
        reason="复核认定为重大事故隐患",
    )
    assert suggested(unit) == "red"
    act(world.town_office_a, hazard, "request_downgrade", note="复核后不属于重大事故隐患")
    assert suggested(unit) == "red"  # a request changes nothing until a leader approves
    act(world.leader_a, hazard, "approve_downgrade")
    assert suggested(unit) == "blue"


def test_hazards_older_than_twelve_months_do_not_count(world, unit):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for _ in range(3):
        make_hazard(world.inspector_a, unit, found_at=long_ago, deadline_days=None)
    make_hazard(world.inspector_a, unit, found_at=long_ago, deadline_days=None, level="major")
    assert suggested(unit) == "blue"
    assert unit_hazard_history([unit.pk]) == {}


def test_hazards_drop_out_when_twelve_months_have_passed(world, unit):
    for _ in range(3):
        make_hazard(world.inspector_a, unit)
    assert suggested(unit) == "yellow"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=370)):
        unit_refresh_register(unit_ids=[unit.pk])
        assert suggested(unit) == "blue"


def test_a_cancelled_hazard_no_longer_counts(world, unit):
    hazards = [make_hazard(world.inspector_a, unit) for _ in range(3)]
    assert suggested(unit) == "yellow"
    act(world.town_office_a, hazards[0], "cancel", note="重复录入", duplicate_of=hazards[1].pk)
    assert suggested(unit) == "blue"


def test_editing_the_unit_keeps_the_hazard_history_in_its_suggestion(world, unit):
    make_hazard(world.inspector_a, unit, level="major")
    unit = Unit.objects.get(pk=unit.pk)
    unit = unit_update(
        actor=world.town_office_a,
        unit_id=unit.pk,
        expected_version=unit.version,
        address="场口镇东梓关村2号",
    )
    assert unit.suggested_grade == "red"


def test_the_history_counts_per_unit_in_one_query(world, unit, django_assert_num_queries):
    make_hazard(world.inspector_a, unit, level="major")
    make_hazard(world.inspector_a, unit)
    make_hazard(world.inspector_a, world.unit_a2)
    with django_assert_num_queries(1):
        history = unit_hazard_history([unit.pk, world.unit_a2.pk, world.unit_b.pk])
    assert history == {unit.pk: HazardHistory(2, 1), world.unit_a2.pk: HazardHistory(1, 0)}


def test_twelve_months_before_a_leap_day():
    assert twelve_months_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)
    assert twelve_months_before(datetime.date(2026, 5, 6)) == datetime.date(2025, 5, 6)


def test_the_nightly_job_lowers_the_grade_when_hazards_leave_the_window(world, unit):
    from anjian.units.tasks import unit_regrade_task

    for _ in range(3):
        make_hazard(world.inspector_a, unit)
    assert suggested(unit) == "yellow"
    unit_regrade_task.call()
    assert suggested(unit) == "yellow"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=370)):
        result = unit_regrade_task.call()
    assert result["changed"] >= 1
    assert suggested(unit) == "blue"
