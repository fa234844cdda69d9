"""Region pages and API: each role sees its own part of the tree; others get 403 or 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.regions.models import Region
from anjian.units.services import unit_create

CSV_NEW_VILLAGE = (
    "code,name,level,parent_code,community\n"
    "330111112000,场口镇,town,330111000000,\n"
    "330111112211,新建村,village,330111112000,\n"
)


def names(response) -> set[str]:
    return {r.name for r in response.context["object_list"]}


def test_town_office_lists_its_town_and_villages_only(client, login, world):
    login("town_office_a")

    response = client.get(reverse("regions:region_list"))

    assert response.status_code == 200
    assert names(response) == {"场口镇", "东梓关村", "上沙村"}


def test_district_lists_the_whole_district_and_filters_by_level(client, login, world):
    login("district_officer")

    response = client.get(reverse("regions:region_list"), {"level": "town"})

    assert names(response) == {"场口镇", "常安镇"}
    assert names(client.get(reverse("regions:region_list"), {"q": "3301111132"})) == {"大庄村"}


def test_village_officer_sees_only_their_village(client, login, world):
    login("village_officer_a")

    assert names(client.get(reverse("regions:region_list"))) == {"东梓关村"}
    assert client.get(reverse("regions:region_detail", args=[world.town_a.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["enterprise_a", "expert_a", "committee_member_a"])
def test_roles_without_regions_get_403(client, login, world, persona):
    login(persona)

    assert client.get(reverse("regions:region_list")).status_code == 403
    assert client.get("/api/v1/regions").status_code == 403
    assert client.get(f"/api/v1/regions/{world.village_a1.pk}").status_code == 403


def test_another_towns_region_is_404_for_the_town_office(client, login, world):
    login("town_office_a")

    assert client.get(reverse("regions:region_detail", args=[world.town_b.pk])).status_code == 404
    assert client.get(f"/api/v1/regions/{world.village_b1.pk}").status_code == 404


def test_the_detail_shows_children_breadcrumb_and_units_below(client, login, world):
    unit_create(actor=None, name="上沙五金厂", region=world.village_a2, kind="enterprise")
    login("town_office_a")

    response = client.get(reverse("regions:region_detail", args=[world.town_a.pk]))

    assert response.status_code == 200
    children = dict((child.name, units) for child, units in response.context["children"])
    assert children == {"东梓关村": 1, "上沙村": 2}
    assert response.context["units_below"] == 3
    crumbs = [(c.region.name, c.visible) for c in response.context["breadcrumb"]]
    assert crumbs == [("浙江省", False), ("杭州市", False), ("富阳区", False)]


def test_the_export_holds_the_towns_regions(client, login, world):
    login("town_office_a")

    response = client.get(reverse("regions:region_list"), {"export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_lists_with_filters_and_shows_one_region(client, login, world):
    login("town_office_a")

    body = client.get("/api/v1/regions", {"parent": world.town_a.pk}).json()
    assert {r["name"] for r in body["items"]} == {"东梓关村", "上沙村"}
    assert body["count"] == 2
    assert {
        r["code"] for r in client.get("/api/v1/regions", {"level": "town"}).json()["items"]
    } == {"330111112000"}
    assert client.get("/api/v1/regions", {"q": "东梓"}).json()["count"] == 1
    one = client.get(f"/api/v1/regions/{world.village_a1.pk}").json()
    assert one["path"].endswith("/330111112000/330111112201/")


def test_the_district_may_import_regions_of_its_district(client, login, world):
    login("district_officer")

    response = client.post("/api/v1/regions/import", CSV_NEW_VILLAGE, content_type="text/csv")

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 1}
    assert Region.objects.filter(code="330111112211", parent=world.town_a).exists()


def test_an_import_with_a_bad_row_is_refused_whole_with_the_row_named(client, login, world):
    login("district_officer")
    text = CSV_NEW_VILLAGE + "330111112212,,village,330111112000,\n"

    response = client.post("/api/v1/regions/import", text, content_type="text/csv")

    assert response.status_code == 422
    assert "第 4 行" in response.json()["error"]["message"]
    assert not Region.objects.filter(code="330111112211").exists()


@pytest.mark.parametrize("persona", ["town_office_a", "leader_a", "village_officer_a"])
def test_only_the_district_may_import_regions(client, login, world, persona):
    login(persona)

    response = client.post("/api/v1/regions/import", CSV_NEW_VILLAGE, content_type="text/csv")

    assert response.status_code == 403
    assert not Region.objects.filter(code="330111112211").exists()
