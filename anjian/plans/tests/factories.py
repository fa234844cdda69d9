"""Test helpers of the annual plan: units in bulk, an expert on contract, a finished inspection."""

from __future__ import annotations

import itertools

from anjian.inspections import services as inspection_services
from anjian.inspections.tests.factories import answer_all, finish
from anjian.units.experts import engineer_create, expert_assign, firm_create
from anjian.units.models import Unit, UnitKind

_seq = itertools.count(1)


def bulk_units(villages, n: int, *, grades=("blue", "yellow", "yellow", "blue", "orange")):
    """``n`` units spread over ``villages`` with the grades in turn (one insert per batch)."""
    units = [
        Unit(
            name=f"测试单位{next(_seq):05d}",
            kind=UnitKind.ENTERPRISE,
            region=villages[i % len(villages)],
            grade=grades[i % len(grades)],
            suggested_grade=grades[i % len(grades)],
        )
        for i in range(n)
    ]
    return Unit.objects.bulk_create(units)


def contract_expert(world, unit=None, user=None):
    """The expert persona's engineer on contract for ``unit`` (unit A by default)."""
    firm = firm_create(actor=None, region=world.town_a, name=f"安全服务公司{next(_seq)}")
    engineer = engineer_create(actor=None, firm=firm, name="工程师", user=user or world.expert_a)
    expert_assign(actor=None, unit=unit or world.unit_a, engineer=engineer)
    return engineer


def finished_inspection(actor, inspection):
    answer_all(actor, inspection)
    return finish(actor, inspection)


def start_plain(actor, unit, checklist, **kwargs):
    return inspection_services.inspection_start(
        actor=actor, unit_id=unit.pk, checklist_id=checklist.pk, **kwargs
    )
