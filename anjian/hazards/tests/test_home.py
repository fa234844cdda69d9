"""The home page's hazard cards count the role's own scope, nothing of another unit or town."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import act, make_hazard, photo

pytestmark = pytest.mark.django_db


def _cards(client, user):
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return {card.testid: card.value for s in response.context["sections"] for card in s.cards}


@pytest.fixture
def hazards(world):
    overdue = make_hazard(world.inspector_a, world.unit_a)
    Hazard.objects.filter(pk=overdue.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    submitted = make_hazard(world.inspector_a, world.unit_a, description="灭火器过期未更换")
    act(world.enterprise_a, submitted, "submit", photos=[photo()], description="已更换灭火器")
    major = make_hazard(world.town_office_a, world.unit_a2, level="major", deadline_days=None)
    make_hazard(world.town_office_b, world.unit_b)
    return {"overdue": overdue, "submitted": submitted, "major": major}


def test_the_office_sees_its_towns_queues(client, world, hazards):
    cards = _cards(client, world.town_office_a)
    assert cards["hazards-recheck"] == 1
    assert cards["hazards-overdue"] == 1
    assert cards["hazards-major"] == 1
    assert _cards(client, world.town_office_b)["hazards-overdue"] == 0


def test_an_enterprise_counts_only_its_own_units_hazards(client, world, hazards):
    assert _cards(client, world.enterprise_a)["hazards-open"] == 2
    assert _cards(client, world.enterprise_a2)["hazards-open"] == 1
    assert _cards(client, world.enterprise_b)["hazards-open"] == 1


def test_the_inspector_who_found_it_is_asked_to_recheck_it(client, world, hazards):
    cards = _cards(client, world.inspector_a)
    assert cards["hazards-recheck"] == 1
    assert cards["hazards-open"] == 3


def test_the_district_sums_its_towns(client, world, hazards):
    cards = _cards(client, world.district_officer)
    assert cards["hazards-open"] == 4
    assert cards["hazards-major"] == 1
