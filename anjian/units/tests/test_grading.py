"""Categories and grading: the rule that suggests a grade, the committee rules, the default
categories and the office's category page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.units import grading
from anjian.units.models import Category, Unit
from anjian.units.services import category_update, unit_create


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "blue"),
        ({"floors": ["", "yellow"]}, "yellow"),
        ({"floors": ["orange", "red", "yellow"]}, "red"),
        ({"size": "above"}, "yellow"),
        ({"size": "small_micro", "employees": 99}, "blue"),
        ({"employees": 100}, "yellow"),
        ({"employees": 300}, "orange"),
        ({"floors": ["red"], "employees": 300}, "red"),
        ({"hazards": 3}, "yellow"),
        ({"hazards": 6}, "orange"),
        ({"floors": ["orange"], "hazards": 6}, "red"),
        ({"major_hazards": 1}, "red"),
    ],
)
def test_the_grade_rule(kwargs, expected):
    assert grading.suggest_grade(**kwargs) == expected


def test_the_default_categories_are_seeded_with_their_floors(db):
    by_code = {c.code: c for c in Category.objects.all()}

    assert by_code["haz-chem-storage"].grade_floor == "red"
    assert by_code["haz-chem-use"].name == "危化品使用"
    three = Category.objects.filter(group="three_places")
    assert sorted(c.name for c in three) == sorted(
        ["有限空间作业", "粉尘涉爆", "喷涂作业", "涉氨制冷", "金属冶炼/高温熔融金属", "船舶修造"]
    )
    for code in ("fireworks", "fire-key-unit", "crowded-place", "three-in-one", "spray-painting"):
        assert code in by_code


@pytest.mark.parametrize(
    ("kind", "categories", "committee"),
    [
        ("enterprise", [], "committee_a_industry"),
        ("fireworks_shop", [], "committee_a_industry"),
        ("small_venue", [], "committee_a_fire"),
        ("street_shop", ["three-in-one"], "committee_a_fire"),
        ("street_shop", [], "committee_a_industry"),
        ("construction", [], None),  # town A has no construction committee in the test world
    ],
)
def test_the_rules_choose_the_committee_within_the_town(world, kind, categories, committee):
    unit = unit_create(
        actor=None,
        name="规则测试",
        region=world.village_a1,
        kind=kind,
        categories=Category.objects.filter(code__in=categories),
    )

    expected = getattr(world, committee) if committee else None
    assert unit.committee == expected


def test_the_committee_is_matched_by_short_name_first():
    class C:
        def __init__(self, name, short_name, kind="specialised"):
            self.name, self.short_name, self.kind = name, short_name, kind

    committees = [
        C("安委会", "安委会", "main"),
        C("某工业组", ""),
        C("工业、商贸企业专委会", "工业商贸"),
    ]

    picked = grading.pick_committee(committees, grading.INDUSTRY)

    assert picked.short_name == "工业商贸"


def test_a_village_is_suggested_from_the_address(world):
    villages = [world.village_a1, world.village_a2]

    assert grading.suggest_village("场口镇上沙村8号", villages) == world.village_a2
    assert grading.suggest_village("别处", villages) is None


def test_the_suggested_grade_follows_categories_size_and_employees(world):
    unit = unit_create(
        actor=None,
        name="杭州化工仓储有限公司",
        region=world.village_a1,
        kind="enterprise",
        categories=Category.objects.filter(code="haz-chem-storage"),
    )
    assert unit.suggested_grade == "red"

    small = unit_create(
        actor=None, name="小店", region=world.village_a1, kind="street_shop", employees=3
    )
    assert small.suggested_grade == "blue"


def test_raising_a_category_floor_re_suggests_its_units(world):
    spray = Category.objects.get(code="spray-coating")
    unit = unit_create(
        actor=None, name="喷涂厂", region=world.village_a1, kind="enterprise", categories=[spray]
    )
    assert unit.suggested_grade == "yellow"

    # A shared category's floor regrades every town's units: the district changes it.
    category_update(actor=world.district_officer, category_id=spray.pk, grade_floor="red")

    unit.refresh_from_db()
    assert unit.suggested_grade == "red"
    assert AuditEntry.objects.filter(action="category.updated", target_id=str(spray.pk)).exists()


# --- The category page ----------------------------------------------------------------------------


def test_the_office_manages_categories_and_every_write_is_audited(client, login, world):
    login("town_office_a")
    listing = client.get(reverse("units:category_list"))
    assert listing.status_code == 200
    assert "危化品存储" in listing.text
    assert 'data-testid="grade-rules"' in listing.text

    created = client.post(
        reverse("units:category_create"),
        {
            "code": "gas-cylinder",
            "name": "瓶装燃气使用",
            "group": "other",
            "grade_floor": "yellow",
            "is_active": "on",
        },
    )
    assert created.status_code == 302, created.context["form"].errors
    category = Category.objects.get(code="gas-cylinder")
    assert AuditEntry.objects.filter(action="category.created", target_id=str(category.pk)).exists()

    edited = client.post(
        reverse("units:category_edit", args=[category.code]),
        {"code": "gas-cylinder", "name": "瓶装燃气", "group": "other", "grade_floor": "orange"},
    )
    assert edited.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.grade_floor, category.is_active) == (
        "瓶装燃气",
        "orange",
        False,
    )
    assert AuditEntry.objects.filter(
        action="category.deactivated", target_id=str(category.pk)
    ).exists()


def test_a_category_code_must_be_unique(client, login, world):
    login("town_office_a")

    response = client.post(
        reverse("units:category_create"),
        {"code": "haz-chem-use", "name": "重复", "group": "other", "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_an_inactive_category_is_not_offered_on_a_new_unit(client, login, world):
    Category.objects.filter(code="ship-repair").update(is_active=False)
    login("town_office_a")

    response = client.get(reverse("units:unit_create"))

    assert "船舶修造" not in response.text
    assert "涉氨制冷" in response.text


def test_another_towns_own_category_is_not_offered_on_the_unit_form(client, login, world):
    Category.objects.create(code="changan-tea", name="常安茶叶加工", town=world.town_b)
    Category.objects.create(code="changkou-paper", name="场口造纸作坊", town=world.town_a)
    login("town_office_a")

    response = client.get(reverse("units:unit_create"))

    assert "常安茶叶加工" not in response.text
    assert "场口造纸作坊" in response.text
    assert "涉氨制冷" in response.text

    listing = client.get(reverse("units:unit_list"))  # the list's category filter
    assert "场口造纸作坊" in listing.text
    assert "常安茶叶加工" not in listing.text


@pytest.mark.parametrize("persona", ["inspector_a", "enterprise_a"])
def test_only_the_town_office_manages_categories(client, login, world, persona):
    login(persona)
    category = Category.objects.get(code="haz-chem-use")

    assert client.get(reverse("units:category_list")).status_code == 403
    response = client.post(
        reverse("units:category_edit", args=[category.code]),
        {"code": "haz-chem-use", "name": "改名", "group": "haz_chem"},
    )
    assert response.status_code == 403
    api = client.patch(
        f"/api/v1/units/categories/{category.code}",
        {"name": "改名"},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert Category.objects.get(pk=category.pk).name == "危化品使用"


def test_the_api_lists_and_changes_categories(client, login, world):
    login("town_office_a")
    listed = client.get("/api/v1/units/categories").json()
    assert "haz-chem-storage" in [c["code"] for c in listed]

    created = client.post(
        "/api/v1/units/categories",
        {"code": "lpg", "name": "液化气使用", "group": "other", "grade_floor": "yellow"},
        content_type="application/json",
    )
    assert created.status_code == 201
    patched = client.patch(
        f"/api/v1/units/categories/{created.json()['code']}",
        {"is_active": False},
        content_type="application/json",
    )
    assert patched.json()["is_active"] is False


def test_an_enterprise_may_read_the_category_list(client, login, world):
    login("enterprise_a")

    assert client.get("/api/v1/units/categories").status_code == 200
    assert Unit.objects.count() == 3
