"""A hazard carries its unit's village path (``Hazard.region_path``), which scopes it: set when it
is recorded (by the service, by ``save`` and in bulk), copied for hazards recorded before the column
existed, and moved with the unit when the unit moves to another village."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import make_hazard
from anjian.hazards.tests.test_api import BASE, bearer
from anjian.units.services import unit_update

pytestmark = pytest.mark.django_db


def listed(client, user) -> set[int]:
    body = client.get(BASE, {"queue": "all"}, **bearer(user)).json()
    return {row["id"] for row in body["items"]}


def test_a_recorded_hazard_carries_its_units_village_path(world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    assert Hazard.objects.get(pk=hazard.pk).region_path == world.village_a1.path


def test_hazards_written_in_bulk_or_saved_directly_get_the_path_too(world):
    fields = {
        "location": "仓库",
        "description": "通道堵塞",
        "hazard_type": "unsafe_condition",
        "category": "fire",
        "source": "self_check",
        "found_at": "2026-11-02T09:00+08:00",
    }
    bulk = Hazard.objects.bulk_create([Hazard(unit=world.unit_a2, **fields)])
    saved = Hazard(unit=world.unit_b, **fields)
    saved.save()
    paths = dict(Hazard.objects.values_list("pk", "region_path"))
    assert paths == {bulk[0].pk: world.village_a2.path, saved.pk: world.village_b1.path}


def test_the_migration_copies_the_path_of_every_hazard_recorded_before_it(world):
    a = make_hazard(world.inspector_a, world.unit_a)
    b = make_hazard(world.town_office_b, world.unit_b)
    Hazard.objects.update(region_path="")
    migration = importlib.import_module("anjian.hazards.migrations.0003_hazard_region_path")
    migration.copy_unit_region_paths(apps, None)
    assert dict(Hazard.objects.values_list("pk", "region_path")) == {
        a.pk: world.village_a1.path,
        b.pk: world.village_b1.path,
    }


def test_when_a_unit_moves_to_another_village_its_hazards_move_with_it(world, client):
    """The village officer of 东梓关村 sees the unit's hazards until the unit moves to 上沙村; the
    town office sees them before and after; nothing else changes on the hazard."""
    hazard = make_hazard(world.inspector_a, world.unit_a)
    version = hazard.version
    assert hazard.pk in listed(client, world.village_officer_a)
    unit = unit_update(
        actor=world.town_office_a,
        unit_id=world.unit_a.pk,
        expected_version=world.unit_a.version,
        region=world.village_a2,
        reason="搬迁至上沙村",
    )
    hazard.refresh_from_db()
    assert unit.region == world.village_a2
    assert (hazard.region_path, hazard.version) == (world.village_a2.path, version)
    assert hazard.pk not in listed(client, world.village_officer_a)
    assert hazard.pk in listed(client, world.town_office_a)
    page = client.get(f"{BASE}/{hazard.pk}", **bearer(world.village_officer_a))
    assert page.status_code == 404
