"""Photos are reachable only through the scoped views: not under /media, not across units."""

import pytest
from django.urls import reverse

from anjian.hazards.tests.factories import act, make_hazard, photo

pytestmark = pytest.mark.django_db


def test_no_photo_is_served_under_media_even_to_its_own_unit(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    stored = hazard.photos.get()
    client.force_login(world.enterprise_a)
    for name in (stored.image.name, stored.original.name):
        assert client.get(f"/media/{name}").status_code == 404
    assert client.get(reverse("hazards:photo_image", args=[stored.pk])).status_code == 200


def test_another_units_photos_and_reports_cannot_be_guessed(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    act(world.enterprise_a, hazard, "submit", photos=[photo("after.jpg")], description="已整改")
    client.force_login(world.enterprise_a2)
    for stored in hazard.photos.all():
        for name in ("hazards:photo_image", "hazards:photo_original"):
            assert client.get(reverse(name, args=[stored.pk])).status_code == 404
        assert client.get(f"/api/v1/hazards/photos/{stored.pk}").status_code == 404
    assert client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).status_code == 404
    assert client.get(f"/api/v1/hazards/{hazard.pk}/events").status_code == 404
