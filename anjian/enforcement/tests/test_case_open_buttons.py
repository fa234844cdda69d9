"""The inspection record and the hazard page offer "Open a case" (立案) where
``case_services.case_may_open_from`` says so: to roles that handle cases, for a finished record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.hazards.tests.factories import make_hazard
from anjian.inspections import services as inspections
from anjian.inspections.tests.factories import answer_all, finish, make_checklist

pytestmark = pytest.mark.django_db


def test_the_record_offers_a_case_once_finished_and_only_to_case_handlers(world, client):
    inspection = inspections.inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=make_checklist().pk
    )
    url = reverse("inspections:inspection_detail", args=[inspection.pk])
    client.force_login(world.inspector_a)
    assert 'data-testid="open-case"' not in client.get(url).content.decode()
    answer_all(world.inspector_a, inspection, "pass")
    finish(world.inspector_a, inspection)
    assert 'data-testid="open-case"' in client.get(url).content.decode()
    client.force_login(world.leader_a)  # sees the record, does not handle cases
    assert 'data-testid="open-case"' not in client.get(url).content.decode()


def test_the_hazard_page_offers_a_case_to_case_handlers_only(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    url = reverse("hazards:hazard_detail", args=[hazard.pk])
    client.force_login(world.inspector_a)
    assert 'data-testid="open-case"' in client.get(url).content.decode()
    client.force_login(world.enterprise_a)
    assert 'data-testid="open-case"' not in client.get(url).content.decode()


def test_the_pages_below_enforcement_ask_for_its_case_permission_by_name():
    # hazards and inspections sit below enforcement (the layers of pyproject.toml) and name the
    # permission instead of importing case_services.case_may_open_from.
    from anjian.enforcement.case_workflow import HANDLE
    from anjian.hazards import views as hazard_views
    from anjian.inspections import views as inspection_views

    assert hazard_views.OPEN_CASE == inspection_views.OPEN_CASE == HANDLE
