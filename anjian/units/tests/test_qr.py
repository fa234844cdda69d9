"""一企一码: printable stickers, for those who may see the unit only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.units.models import Unit


def test_sticker_shows_name_town_qr_and_hint(client, login, world):
    login("town_office_a")

    response = client.get(reverse("units:qr_sticker", args=[world.unit_a.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert world.unit_a.name in html
    assert world.town_a.name in html
    assert "<svg" in html
    assert f"/q/{world.unit_a.qr_token}/" in html
    assert "<img" not in html


def test_enterprise_prints_its_own_sticker(client, login, world):
    login("enterprise_a")
    assert client.get(reverse("units:qr_sticker", args=[world.unit_a.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["enterprise_b", "enterprise_a2", "town_office_b"])
def test_outsiders_cannot_open_a_units_sticker_by_page_or_api(client, login, world, persona):
    login(persona)

    assert client.get(reverse("units:qr_sticker", args=[world.unit_a.pk])).status_code == 404
    assert client.get(f"/api/v1/units/{world.unit_a.pk}/qr.svg").status_code == 404
    assert client.get(f"/api/v1/units/{world.unit_a.pk}/qr").status_code == 404


def test_sheet_holds_the_filtered_units_of_the_users_scope(client, login, world):
    login("town_office_a")

    response = client.get(reverse("units:qr_sheet"), {"region": world.village_a1.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert world.unit_a.name in html
    assert world.unit_a2.name not in html
    assert world.unit_b.name not in html
    assert html.count('data-testid="qr-sticker"') == 1


def test_sheet_of_an_enterprise_holds_only_its_unit(client, login, world):
    login("enterprise_b")

    html = client.get(reverse("units:qr_sheet")).content.decode()

    assert html.count('data-testid="qr-sticker"') == 1
    assert world.unit_b.name in html and world.unit_a.name not in html


def test_api_gives_the_qr_code_as_svg(client, login, world):
    login("enterprise_a")

    response = client.get(f"/api/v1/units/{world.unit_a.pk}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_office_reissues_a_code_and_the_old_one_stops_working(client, login, world):
    user = login("town_office_a")
    old = world.unit_a.qr_token

    response = client.post(reverse("units:qr_reissue", args=[world.unit_a.pk]))

    assert response.status_code == 302
    new = Unit.objects.get(pk=world.unit_a.pk).qr_token
    assert new != old
    client.logout()
    assert client.get(f"/q/{old}/").status_code == 404
    assert client.get(f"/q/{new}/").status_code == 200
    assert AuditEntry.objects.filter(action="unit.qr_reissued", actor=user).exists()


def test_enterprise_cannot_reissue_its_code(client, login, world):
    login("enterprise_a")
    old = world.unit_a.qr_token

    assert client.post(reverse("units:qr_reissue", args=[world.unit_a.pk])).status_code == 403
    assert client.post(f"/api/v1/units/{world.unit_a.pk}/qr/reissue").status_code == 403
    assert Unit.objects.get(pk=world.unit_a.pk).qr_token == old
