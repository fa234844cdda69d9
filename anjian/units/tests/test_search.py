"""Finding a unit: by name, pinyin, credit code, address or person; filters, sorting, export,
the API, and a fixed number of queries per page whatever the number of units."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anjian.units.models import (
    AssignmentStatus,
    Category,
    Engineer,
    ExpertAssignment,
    PersonRole,
    ServiceFirm,
    Unit,
    UnitPerson,
)
from anjian.units.search import name_pinyin
from anjian.units.services import unit_create, unit_refresh_register, unit_update


def names(response) -> set[str]:
    return {u.name for u in response.context["object_list"]}


@pytest.fixture
def town(world):
    """A few units of town A with register facts, and one unit of town B with a similar name."""
    haz = Category.objects.get(code="haz-chem-use")
    spray = Category.objects.get(code="spray-coating")
    innovation = unit_create(
        actor=None,
        name="杭州创新五金有限公司",
        region=world.village_a1,
        kind="enterprise",
        address="场口镇东梓关村18号",
        principal_name="沈国平",
        principal_mobile="13957112345",
        categories=[haz, spray],
        employees=320,
    )
    shop = unit_create(
        actor=None,
        name="上沙便民超市",
        region=world.village_a2,
        kind="street_shop",
        principal_name="何晓燕",
    )
    unit_update(
        actor=None,
        unit_id=shop.pk,
        expected_version=1,
        grade="red",
        grade_reason="“三合一”整改未完成",
    )
    other_town = unit_create(
        actor=None, name="杭州创新化工有限公司", region=world.village_b1, kind="enterprise"
    )
    UnitPerson.objects.create(
        unit=innovation, role=PersonRole.SAFETY_OFFICER, name="俞安全", mobile="13800001111"
    )
    firm = ServiceFirm.objects.create(region=world.town_a, name="富春安全技术服务有限公司")
    engineer = Engineer.objects.create(firm=firm, name="沈注安")
    ExpertAssignment.objects.create(
        unit=innovation, engineer=engineer, status=AssignmentStatus.ACTIVE
    )
    return {"innovation": innovation, "shop": shop, "other_town": other_town, "engineer": engineer}


def test_names_are_kept_in_pinyin():
    assert name_pinyin("杭州创新五金（演示001）") == (
        "hangzhouchuangxinwujinyanshi001",
        "hzcxwjys001",
    )


@pytest.mark.parametrize(
    "text",
    ["hzcx", "HZCX", "hangzhou", "hang zhou chuang", "创新五金", "东梓关村18号", "13957112345"],
)
def test_search_finds_by_name_pinyin_address_and_principal(client, login, town, text):
    login("town_office_a")

    found = names(client.get(reverse("units:unit_list"), {"q": text}))

    assert found == {"杭州创新五金有限公司"}  # never town B's 杭州创新化工


def test_search_finds_by_credit_code_and_by_a_person_of_the_unit(client, login, world, town):
    login("town_office_a")
    url = reverse("units:unit_list")

    assert names(client.get(url, {"q": "俞安全"})) == {"杭州创新五金有限公司"}
    assert names(client.get(url, {"q": "13800001111"})) == {"杭州创新五金有限公司"}
    assert names(client.get(url, {"q": "ma2h00006"})) == {world.unit_a.name}


def test_the_pinyin_is_updated_when_the_name_changes(client, login, town):
    unit_update(actor=None, unit_id=town["shop"].pk, expected_version=2, name="上沙平价超市")
    login("town_office_a")

    assert names(client.get(reverse("units:unit_list"), {"q": "sspj"})) == {"上沙平价超市"}
    assert names(client.get(reverse("units:unit_list"), {"q": "ssbm"})) == set()


def test_filters_by_category_grade_expert_village_kind_and_committee(client, login, world, town):
    login("town_office_a")
    url = reverse("units:unit_list")
    spray = Category.objects.get(code="spray-coating")

    assert names(client.get(url, {"category": spray.pk})) == {"杭州创新五金有限公司"}
    assert names(client.get(url, {"grade": "red"})) == {"上沙便民超市"}
    assert names(client.get(url, {"expert": town["engineer"].pk})) == {"杭州创新五金有限公司"}
    assert names(client.get(url, {"region": world.village_a2.pk})) == {
        world.unit_a2.name,
        "上沙便民超市",
    }
    assert names(client.get(url, {"kind": "street_shop"})) == {"上沙便民超市"}
    assert names(client.get(url, {"committee": world.committee_a_industry.pk})) == {
        world.unit_a.name,
        "杭州创新五金有限公司",
        "上沙便民超市",
    }
    assert "沈注安" in client.get(url).text


def test_sorting_by_grade_puts_the_most_watched_first(client, login, town):
    login("town_office_a")

    rows = client.get(reverse("units:unit_list"), {"sort": "grade"}).context["object_list"]

    assert [u.grade for u in rows][:1] == ["red"]
    by_name = client.get(reverse("units:unit_list"), {"sort": "-name"}).context["object_list"]
    assert [u.name for u in by_name] == sorted((u.name for u in by_name), reverse=True)


def test_the_export_keeps_the_filters_and_the_register_facts(client, login, town):
    login("town_office_a")

    response = client.get(reverse("units:unit_list"), {"q": "hzcx", "export": "xlsx"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, *data = rows
    assert [row[0] for row in data] == ["杭州创新五金有限公司"]
    record = dict(zip(header, data[0], strict=True))
    assert "13957112345" in record.values()
    assert "沈注安" in record.values()


def test_an_enterprise_finds_only_its_own_unit_even_by_pinyin(client, login, world, town):
    unit_refresh_register()  # the world's units were made without the services
    login("enterprise_a")

    assert names(client.get(reverse("units:unit_list"), {"q": "hzcx"})) == set()
    api = client.get("/api/v1/units", {"q": "hzcx"}).json()
    assert api["count"] == 0
    export = client.get(reverse("units:unit_list"), {"q": "hz", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [world.unit_a.name]


def test_the_api_searches_filters_and_sorts_like_the_page(client, login, world, town):
    login("town_office_a")

    body = client.get("/api/v1/units", {"q": "hangzhou"}).json()
    assert [u["name"] for u in body["items"]] == ["杭州创新五金有限公司"]
    item = body["items"][0]
    assert item["categories"] == ["haz-chem-use", "spray-coating"]
    assert (item["expert_name"], item["suggested_grade"]) == ("沈注安", "orange")
    red = client.get("/api/v1/units", {"grade": "red"}).json()
    assert [u["name"] for u in red["items"]] == ["上沙便民超市"]
    expert = client.get("/api/v1/units", {"expert": town["engineer"].pk}).json()
    assert expert["count"] == 1
    ordered = client.get("/api/v1/units", {"sort": "grade"}).json()
    assert ordered["items"][0]["grade"] == "red"


def add_units(world, n: int) -> None:
    haz = Category.objects.get(code="haz-chem-use")
    spray = Category.objects.get(code="spray-coating")
    firm = ServiceFirm.objects.get_or_create(region=world.town_a, name="测试服务机构")[0]
    engineer = Engineer.objects.create(firm=firm, name=f"工程师{n}")
    start = Unit.objects.count()
    for i in range(start, start + n):
        unit = unit_create(
            actor=None,
            name=f"测试单位{i:04d}",
            region=world.village_a1 if i % 2 else world.village_a2,
            kind="enterprise",
            categories=[haz, spray] if i % 2 else [haz],
        )
        if i % 3 == 0:
            ExpertAssignment.objects.create(
                unit=unit, engineer=engineer, status=AssignmentStatus.ACTIVE
            )


@pytest.mark.parametrize("params", [{}, {"q": "csdw", "sort": "grade"}])
def test_the_list_runs_a_fixed_number_of_queries_for_5_and_200_units(
    client, login, world, django_assert_max_num_queries, params
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login("town_office_a")
    url = reverse("units:unit_list")
    counts = []
    for n in (5, 195):
        add_units(world, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url, {**params, "category": Category.objects.get(code="haz-chem-use").pk}
            )
        assert response.status_code == 200
        assert response.context["object_list"]
        counts.append(len(queries))

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(14):
        client.get(url, params)


def test_the_api_list_runs_a_fixed_number_of_queries(
    client, login, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login("town_office_a")
    counts = []
    for n in (5, 195):
        add_units(world, n)
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/units", {"limit": 200}).json()
        assert body["count"] >= n
        counts.append(len(queries))

    assert counts[0] == counts[1]
