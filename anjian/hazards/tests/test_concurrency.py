"""Two people act on the same hazard at the same moment (PostgreSQL, real connections).

Each thread has its own database connection and its own transaction; a barrier releases them
together. The compare-and-set on ``version`` lets exactly one win: the other is told the hazard
changed (``StaleObject``), or, if it read the hazard after the winner committed, that the action
no longer fits the state (``InvalidTransition``). Either way the hazard has one closing event,
one audit record for it, and its rectification report one outcome. Recording a hazard while
the office edits its unit takes the unit's row and the audit chain in the same order as the edit,
so neither deadlocks.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import InvalidTransition, StaleObject
from anjian.core.testing.concurrency import Race, run_at_once
from anjian.core.testing.world import second_user
from anjian.hazards.choices import HazardLevel, HazardStatus, ReportOutcome
from anjian.hazards.models import Hazard
from anjian.hazards.services import hazard_transition
from anjian.hazards.tests.factories import make_hazard
from anjian.hazards.tests.states import days, hazard_in_state
from anjian.units import services as unit_services
from anjian.units.models import Unit, UnitKind
from anjian.units.services import unit_create, unit_update

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

ROUNDS = 5
S = HazardStatus


def race(contenders: dict[str, Callable[[], Any]]) -> Race:
    """``run_at_once``, where the only refusals a contender may meet are being told the hazard
    changed (``StaleObject``) or that the action no longer fits (``InvalidTransition``)."""
    outcome = run_at_once(contenders)
    unexpected = {
        name: exc
        for name, exc in outcome.raised.items()
        if not isinstance(exc, StaleObject | InvalidTransition)
    }
    assert not unexpected, unexpected
    return outcome


def race_actions(hazard: Hazard, contenders: dict[str, tuple[Any, str, str, dict]]) -> Race:
    """Each contender's (actor, action, note, data) on ``hazard``, all with the version read
    before the race."""
    version = hazard.version

    def transition(actor, action: str, note: str, data: dict):
        return lambda: hazard_transition(
            actor=actor,
            hazard_id=hazard.pk,
            action=action,
            expected_version=version,
            note=note,
            data=data,
        )

    return race({name: transition(*args) for name, args in contenders.items()})


def assert_one_winner(hazard: Hazard, outcome: Race, closing: dict[str, str]) -> str:
    """Exactly one contender won and wrote one event and one audit record; the other was told
    the hazard changed. Returns the winner's name."""
    assert len(outcome.results) == 1, (outcome.results, outcome.raised)
    assert len(outcome.raised) == 1, outcome.raised
    (winner,) = outcome.results
    (loser, refusal) = next(iter(outcome.raised.items()))
    if isinstance(refusal, StaleObject):
        assert "changed by someone else" in refusal.message
    else:
        assert "is not possible while the hazard is" in refusal.message
    action = closing[winner]
    hazard.refresh_from_db()
    actions = [closing[winner], closing[loser]]
    assert hazard.events.filter(type__in=[f"hazard.{a}" for a in actions]).count() == 1
    assert hazard.events.filter(type=f"hazard.{action}").count() == 1
    assert (
        AuditEntry.objects.filter(
            target_id=str(hazard.pk), action__in=[f"hazard.{a}" for a in actions]
        ).count()
        == 1
    )
    return winner


def test_two_rechecks_at_once_one_wins(world):
    other = second_user(world, "inspector_a2")
    for round_ in range(ROUNDS):
        hazard = hazard_in_state(world, "submitted")
        fail = round_ % 2 == 1  # pass against pass, then pass against fail
        second = ("fail", "仍未整改", {"deadline": days(5)}) if fail else ("pass", "", {})
        outcome = race_actions(
            hazard,
            {
                "first": (world.inspector_a, "pass", "", {}),
                "second": (other, *second),
            },
        )
        closing = {"first": "pass", "second": second[0]}
        winner = assert_one_winner(hazard, outcome, closing)
        report = hazard.reports.get()
        expected = ReportOutcome.PASSED if closing[winner] == "pass" else ReportOutcome.FAILED
        assert report.outcome == expected
        assert report.rechecked_by == (world.inspector_a if winner == "first" else other)
        assert hazard.status == (S.CLOSED if closing[winner] == "pass" else S.RECTIFYING)


def test_a_recheck_and_a_cancellation_at_once_one_wins(world):
    for _ in range(ROUNDS):
        hazard = hazard_in_state(world, "submitted")
        outcome = race_actions(
            hazard,
            {
                "recheck": (world.inspector_a, "pass", "", {}),
                "cancel": (world.town_office_a, "cancel", "录入重复", {}),
            },
        )
        winner = assert_one_winner(hazard, outcome, {"recheck": "pass", "cancel": "cancel"})
        report = hazard.reports.get()
        if winner == "recheck":
            assert (hazard.status, report.outcome) == (S.CLOSED, ReportOutcome.PASSED)
        else:
            assert (hazard.status, report.outcome) == (S.CANCELLED, ReportOutcome.WITHDRAWN)
            assert report.rechecked_by is None


def a_unit(world, name: str) -> Unit:
    """A new enterprise in 东梓关村 (village A1), for one round of a race on its row."""
    return unit_create(
        actor=None,
        name=name,
        region=world.village_a1,
        kind=UnitKind.ENTERPRISE,
        address="场口镇东梓关村",
    )


def editing(world, unit: Unit, **fields) -> Callable[[], Unit]:
    """The office's edit of ``unit`` (compare-and-set on the version read now)."""
    version = Unit.objects.get(pk=unit.pk).version
    return lambda: unit_update(
        actor=world.town_office_a, unit_id=unit.pk, expected_version=version, **fields
    )


def moving(world, unit: Unit) -> Callable[[], Unit]:
    """The office moves ``unit`` from 东梓关村 to 上沙村 (village A2)."""
    return editing(world, unit, region=world.village_a2, reason="搬迁至上沙村")


def cancelling(world, hazard: Hazard) -> Callable[[], Hazard]:
    """The office cancels ``hazard`` as a duplicate."""
    return lambda: hazard_transition(
        actor=world.town_office_a,
        hazard_id=hazard.pk,
        action="cancel",
        expected_version=hazard.version,
        note="录入重复",
    )


def test_recording_a_hazard_while_the_unit_is_edited_does_not_deadlock(world):
    """Recording a hazard re-suggests the unit's grade (the unit's row) and appends to the audit
    chain; editing the unit takes the same two locks. Both orders agree, so both succeed."""
    for round_ in range(ROUNDS):
        unit = a_unit(world, f"场口测试机械厂{round_}")
        for _ in range(2):
            make_hazard(world.inspector_a, unit)
        outcome = race(
            {
                "hazard": lambda unit=unit: make_hazard(world.inspector_a, unit),
                "unit": editing(world, unit, address=f"场口镇东梓关村{round_ + 10}号"),
            }
        )
        assert set(outcome.results) == {"hazard", "unit"}, outcome.raised
        assert unit.hazards.count() == 3


def test_recording_a_hazard_while_its_unit_moves_leaves_every_hazard_in_the_new_village(world):
    """A hazard carries its unit's village path (its scope). Recorded while the unit moves, it
    still ends up under the new village: the move waits for it, or it reads the new village."""
    for round_ in range(ROUNDS):
        unit = a_unit(world, f"场口迁址机械厂{round_}")
        make_hazard(world.inspector_a, unit)
        outcome = race(
            {
                "hazard": lambda unit=unit: make_hazard(world.inspector_a, unit),
                "move": moving(world, unit),
            }
        )
        assert set(outcome.results) == {"hazard", "move"}, outcome.raised
        assert unit.hazards.count() == 2
        assert set(unit.hazards.values_list("region_path", flat=True)) == {world.village_a2.path}


def test_cancelling_a_hazard_while_its_unit_moves_does_not_deadlock(world):
    """Cancelling a major hazard lowers its unit's suggested grade: the cancellation locks the
    hazard, then the unit. The move locks the unit's hazards before the unit. Both succeed, and the
    cancelled hazard moved too."""
    for round_ in range(ROUNDS):
        unit = a_unit(world, f"场口撤销机械厂{round_}")
        graded = Unit.objects.get(pk=unit.pk).suggested_grade
        hazard = make_hazard(world.inspector_a, unit, level=HazardLevel.MAJOR)
        outcome = race({"cancel": cancelling(world, hazard), "move": moving(world, unit)})
        assert set(outcome.results) == {"cancel", "move"}, outcome.raised
        hazard.refresh_from_db()
        assert (hazard.status, hazard.region_path) == (S.CANCELLED, world.village_a2.path)
        assert Unit.objects.get(pk=unit.pk).suggested_grade == graded


def test_cancelling_a_hazard_while_its_unit_is_edited_leaves_the_grade_of_the_hazards_left(
    world, monkeypatch
):
    """The edit suggests the unit's grade from its hazards with the unit's row locked: a
    cancellation at the same moment is counted, or suggests again after the edit. The edit is held
    for a moment after reading the hazards, so that the cancellation runs in between."""
    original = unit_services._hazard_history

    def held_in_edits(unit_ids):
        history = original(unit_ids)
        if sys._getframe(1).f_code.co_name == "unit_update":
            time.sleep(0.3)
        return history

    monkeypatch.setattr(unit_services, "_hazard_history", held_in_edits)
    for round_ in range(ROUNDS):
        unit = a_unit(world, f"场口改址机械厂{round_}")
        graded = Unit.objects.get(pk=unit.pk).suggested_grade
        hazard = make_hazard(world.inspector_a, unit, level=HazardLevel.MAJOR)
        assert Unit.objects.get(pk=unit.pk).suggested_grade != graded
        outcome = race(
            {
                "cancel": cancelling(world, hazard),
                "edit": editing(world, unit, address=f"场口镇东梓关村{round_ + 20}号"),
            }
        )
        assert set(outcome.results) == {"cancel", "edit"}, outcome.raised
        assert Unit.objects.get(pk=unit.pk).suggested_grade == graded


def test_a_hazard_recorded_while_a_move_holds_its_unit_waits_and_lands_in_the_new_village(
    world, monkeypatch
):
    """The move holds the unit's row for a moment after writing the new village; the hazard,
    recorded in that moment, waits for the move and is recorded under the new village (it was
    refused as "not found" when its lock rechecked the moved unit against the old village)."""
    original = unit_services._hazards_moved

    def held(unit_id):
        original(unit_id)
        time.sleep(0.4)

    monkeypatch.setattr(unit_services, "_hazards_moved", held)

    def recording_a_moment_later(unit: Unit) -> Callable[[], Hazard]:
        def record():
            time.sleep(0.15)
            return make_hazard(world.inspector_a, unit)

        return record

    for round_ in range(3):
        unit = a_unit(world, f"场口待迁机械厂{round_}")
        outcome = race({"hazard": recording_a_moment_later(unit), "move": moving(world, unit)})
        assert set(outcome.results) == {"hazard", "move"}, outcome.raised
        assert outcome.results["hazard"].region_path == world.village_a2.path
        assert Hazard.objects.get(pk=outcome.results["hazard"].pk).unit_id == unit.pk
