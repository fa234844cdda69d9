"""The unit register: creating and editing units by page, API and service, with clear messages,
compare-and-set, reasons where the rules are overruled, and an audit entry for every write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import StaleObject
from anjian.core.validators import credit_code_check_char
from anjian.units.models import Category, Unit
from anjian.units.services import unit_create, unit_update


def code_with_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


VALID = code_with_check("91330111MA2H0009X")


def wrong_check(code: str) -> str:
    wrong = "1" if code[-1] != "1" else "2"
    return code[:-1] + wrong


def form_data(world, **overrides):
    data = {
        "name": "杭州创新五金有限公司",
        "credit_code": "",
        "kind": "enterprise",
        "status": "operating",
        "region": world.village_a1.pk,
        "committee": "",
        "address": "场口镇东梓关村18号",
        "legal_representative": "王建国",
        "principal_name": "王建国",
        "principal_mobile": "13957112345",
        "latitude": "29.931200",
        "longitude": "119.862300",
        "industry_code": "C3311",
        "industry_name": "",
        "size": "below",
        "employees": "35",
        "standardisation": "none",
        "grade": "",
        "grade_reason": "",
    }
    data.update(overrides)
    return data


def edit_data(unit: Unit, **overrides):
    data = {
        "name": unit.name,
        "credit_code": unit.credit_code,
        "kind": unit.kind,
        "status": unit.status,
        "region": unit.region_id,
        "committee": unit.committee_id or "",
        "address": unit.address,
        "legal_representative": unit.legal_representative,
        "principal_name": unit.principal_name,
        "principal_mobile": unit.principal_mobile,
        "latitude": "" if unit.latitude is None else str(unit.latitude),
        "longitude": "" if unit.longitude is None else str(unit.longitude),
        "industry_code": unit.industry_code,
        "industry_name": unit.industry_name,
        "size": unit.size,
        "employees": "" if unit.employees is None else unit.employees,
        "standardisation": unit.standardisation,
        "categories": [c.pk for c in unit.categories.all()],
        "grade": unit.grade,
        "grade_reason": unit.grade_reason,
        "reason": "",
        "version": unit.version,
    }
    data.update(overrides)
    return data


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- Create by page --------------------------------------------------------------------------------


def test_the_office_registers_a_unit_with_its_register_facts(client, login, world):
    login("town_office_a")
    haz = Category.objects.get(code="haz-chem-use")

    response = client.post(
        reverse("units:unit_create"),
        form_data(world, credit_code=VALID.lower(), categories=[haz.pk]),
    )

    unit = Unit.objects.get(name="杭州创新五金有限公司")
    assert response.status_code == 302
    assert response.url == reverse("units:unit_detail", args=[unit.pk])
    assert unit.credit_code == VALID
    assert unit.industry_name == "金属结构制造"  # filled from the industry table
    assert unit.latitude == Decimal("29.931200")
    assert unit.suggested_grade == "orange"  # 危化品使用 floor
    assert unit.committee == world.committee_a_industry  # the rules chose the committee
    assert (unit.name_initials, unit.name_pinyin[:8]) == ("hzcxwjyxgs", "hangzhou")
    entry = AuditEntry.objects.get(action="unit.created", target_id=str(unit.pk))
    assert entry.actor == world.town_office_a
    assert entry.changes["categories"] == [None, ["haz-chem-use"]]


@pytest.mark.parametrize(
    ("credit_code", "message"),
    [
        (VALID, None),
        (wrong_check(VALID), "check character"),
        (VALID[:17], "18 characters"),
        ("91330111MA2H0009I" + "1", "“I”"),
        ("91330111MA2H0009O" + "1", "“O”"),
        ("91330111MA2H0009S" + "1", "“S”"),
        ("91330111MA2H0009V" + "1", "“V”"),
        ("91330111MA2H0009Z" + "1", "“Z”"),
    ],
)
def test_the_unit_form_checks_the_credit_code_naming_the_wrong_character(
    client, login, world, settings, credit_code, message
):
    settings.LANGUAGE_CODE = "en"
    login("town_office_a")

    response = client.post(
        reverse("units:unit_create"),
        form_data(world, credit_code=credit_code),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    errors = field_errors(response, "credit_code")
    assert len(errors) == 1 and message in errors[0], errors
    if message.startswith("“"):
        assert "Character 17" in errors[0]
    if message == "check character":
        expected = VALID[-1]
        assert f"should be “{expected}”" in errors[0]
    assert not Unit.objects.filter(name="杭州创新五金有限公司").exists()


def test_the_credit_code_message_is_chinese_by_default(client, login, world):
    login("town_office_a")

    response = client.post(reverse("units:unit_create"), form_data(world, credit_code=VALID[:17]))

    assert "18" in field_errors(response, "credit_code")[0]
    assert "统一社会信用代码" in field_errors(response, "credit_code")[0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"principal_mobile": "1234567"}, "principal_mobile"),
        ({"latitude": "60.1", "longitude": "100.35"}, "latitude"),
        ({"latitude": "29.93", "longitude": "2.35"}, "longitude"),
        ({"latitude": "29.93", "longitude": ""}, "longitude"),
        ({"latitude": "北纬"}, "latitude"),
        ({"industry_code": "3311"}, "industry_code"),
        ({"industry_code": "C331111"}, "industry_code"),
        ({"employees": "-3"}, "employees"),
        ({"name": "  "}, "name"),
    ],
)
def test_the_unit_form_refuses_wrong_facts_on_the_field(client, login, world, overrides, field):
    login("town_office_a")

    response = client.post(reverse("units:unit_create"), form_data(world, **overrides))

    assert response.status_code == 200
    assert field_errors(response, field), response.context["form"].errors


def test_lower_case_industry_codes_and_full_width_mobiles_are_accepted(client, login, world):
    login("town_office_a")

    client.post(
        reverse("units:unit_create"),
        form_data(world, industry_code=" c3311 ", principal_mobile="＋86 139-5711-2345"),
    )

    unit = Unit.objects.get(name="杭州创新五金有限公司")
    assert (unit.industry_code, unit.principal_mobile) == ("C3311", "13957112345")


def test_a_credit_code_already_registered_names_the_other_unit(client, login, world):
    other = unit_create(
        actor=None, name="场口老厂", region=world.village_a2, kind="enterprise", credit_code=VALID
    )
    login("town_office_a")

    response = client.post(reverse("units:unit_create"), form_data(world, credit_code=VALID))

    assert other.name in field_errors(response, "credit_code")[0]


def test_a_credit_code_of_another_towns_unit_is_refused_without_naming_it(client, login, world):
    login("town_office_a")

    response = client.post(
        reverse("units:unit_create"), form_data(world, credit_code=world.unit_b.credit_code)
    )

    error = field_errors(response, "credit_code")[0]
    assert world.unit_b.name not in error
    assert world.unit_b.credit_code in error


def test_the_village_choices_are_only_the_offices_town(client, login, world):
    login("town_office_a")

    response = client.post(
        reverse("units:unit_create"), form_data(world, region=world.village_b1.pk)
    )

    assert field_errors(response, "region")
    assert not Unit.objects.filter(name="杭州创新五金有限公司").exists()


# --- Edit by page ----------------------------------------------------------------------------------


def make_unit(world, **facts):
    return unit_create(
        actor=world.town_office_a,
        name=facts.pop("name", "杭州创新五金有限公司"),
        region=facts.pop("region", world.village_a1),
        kind=facts.pop("kind", "enterprise"),
        **facts,
    )


def test_the_office_edits_a_unit_and_the_audit_keeps_before_and_after(client, login, world):
    unit = make_unit(world, employees=10)
    login("town_office_a")

    response = client.post(
        reverse("units:unit_edit", args=[unit.pk]),
        edit_data(unit, name="杭州创新精工有限公司", employees=120),
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.employees, unit.version) == ("杭州创新精工有限公司", 120, 2)
    assert unit.name_initials == "hzcxjgyxgs"
    assert unit.suggested_grade == "yellow"  # 100 or more employees
    entry = AuditEntry.objects.get(action="unit.updated", target_id=str(unit.pk))
    assert entry.changes["name"] == ["杭州创新五金有限公司", "杭州创新精工有限公司"]
    assert entry.changes["employees"] == [10, 120]
    assert entry.actor == world.town_office_a


def test_a_stale_edit_is_refused_with_a_reload_message(client, login, world):
    unit = make_unit(world)
    stale = edit_data(unit, name="第一次修改")
    unit_update(actor=world.town_office_a, unit_id=unit.pk, expected_version=1, address="新地址")
    login("town_office_a")

    response = client.post(reverse("units:unit_edit", args=[unit.pk]), stale)

    assert response.status_code == 409
    assert 'data-testid="reload-link"' in response.text
    assert response.context["form"].non_field_errors()
    unit.refresh_from_db()
    assert (unit.name, unit.address, unit.version) == ("杭州创新五金有限公司", "新地址", 2)


def test_a_stale_edit_by_service_raises_and_changes_nothing(world):
    unit = make_unit(world)
    unit_update(actor=None, unit_id=unit.pk, expected_version=1, employees=5)

    with pytest.raises(StaleObject):
        unit_update(actor=None, unit_id=unit.pk, expected_version=1, employees=7)

    unit.refresh_from_db()
    assert (unit.employees, unit.version) == (5, 2)
    assert AuditEntry.objects.filter(action="unit.updated", target_id=str(unit.pk)).count() == 1


def test_a_grade_other_than_the_suggested_one_needs_a_reason(client, login, world):
    unit = make_unit(world)  # nothing raises it: suggested blue
    login("town_office_a")
    url = reverse("units:unit_edit", args=[unit.pk])

    refused = client.post(url, edit_data(unit, grade="red"))
    assert refused.status_code == 200
    assert field_errors(refused, "grade_reason")
    same = client.post(url, edit_data(unit, grade="blue"))
    assert same.status_code == 302
    unit.refresh_from_db()
    accepted = client.post(url, edit_data(unit, grade="red", grade_reason="去年发生火灾"))
    assert accepted.status_code == 302

    unit.refresh_from_db()
    assert (unit.suggested_grade, unit.grade, unit.grade_reason) == ("blue", "red", "去年发生火灾")
    entry = AuditEntry.objects.filter(action="unit.updated", target_id=str(unit.pk)).latest("pk")
    assert entry.changes["grade"] == ["blue", "red"]


def test_the_grade_reason_is_required_through_the_service_too(world):
    unit = make_unit(world)

    with pytest.raises(ValidationError) as caught:
        unit_update(actor=None, unit_id=unit.pk, expected_version=1, grade="orange")

    assert "grade_reason" in caught.value.message_dict


def test_changing_the_committee_or_village_needs_a_reason(client, login, world):
    unit = make_unit(world)
    assert unit.committee == world.committee_a_industry
    login("town_office_a")
    url = reverse("units:unit_edit", args=[unit.pk])

    refused = client.post(url, edit_data(unit, committee=world.committee_a_fire.pk))
    assert field_errors(refused, "reason")
    refused = client.post(url, edit_data(unit, region=world.village_a2.pk))
    assert field_errors(refused, "reason")
    accepted = client.post(
        url,
        edit_data(
            unit,
            committee=world.committee_a_fire.pk,
            region=world.village_a2.pk,
            reason="企业迁至上沙村，主要风险为消防",
        ),
    )

    assert accepted.status_code == 302
    unit.refresh_from_db()
    assert (unit.committee, unit.region) == (world.committee_a_fire, world.village_a2)
    entry = AuditEntry.objects.get(action="unit.updated", target_id=str(unit.pk))
    assert entry.reason == "企业迁至上沙村，主要风险为消防"
    assert entry.changes["committee"] == [world.committee_a_industry.pk, world.committee_a_fire.pk]


def test_a_committee_of_another_town_is_refused(world):
    unit = make_unit(world)

    with pytest.raises(ValidationError) as caught:
        unit_update(
            actor=None,
            unit_id=unit.pk,
            expected_version=1,
            committee=world.committee_b,
            reason="试试",
        )

    assert "committee" in caught.value.message_dict


# --- Who may edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["enterprise_a", "enterprise_b", "inspector_a", "expert_a"])
def test_only_the_office_edits_units_by_page(client, login, world, persona):
    login(persona)

    for unit in (world.unit_a, world.unit_b):
        response = client.post(
            reverse("units:unit_edit", args=[unit.pk]), edit_data(unit, name="越权修改")
        )
        assert response.status_code in {403, 404}
    assert client.get(reverse("units:unit_create")).status_code == 403
    assert not Unit.objects.filter(name="越权修改").exists()


def test_an_office_cannot_edit_another_towns_unit(client, login, world):
    login("town_office_b")

    response = client.get(reverse("units:unit_edit", args=[world.unit_a.pk]))

    assert response.status_code == 404


def test_the_edit_and_create_pages_render(client, login, world):
    login("town_office_a")

    assert client.get(reverse("units:unit_create")).status_code == 200
    page = client.get(reverse("units:unit_edit", args=[world.unit_a.pk]))
    assert page.status_code == 200
    assert 'id="industry-codes"' in page.text


# --- API ------------------------------------------------------------------------------------------


def test_the_api_creates_and_patches_a_unit(client, login, world):
    login("town_office_a")

    created = client.post(
        "/api/v1/units",
        {
            "name": "杭州创新五金有限公司",
            "region_id": world.village_a1.pk,
            "credit_code": VALID,
            "categories": ["haz-chem-storage"],
            "principal_mobile": "13957112345",
            "employees": 12,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["suggested_grade"], body["version"], body["allowed_actions"]) == (
        "red",
        1,
        ["change"],
    )
    assert body["committee_id"] == world.committee_a_industry.pk

    patched = client.patch(
        f"/api/v1/units/{body['id']}",
        {"expected_version": 1, "grade": "red", "address": "东梓关村20号"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["address"], patched.json()["version"]) == ("东梓关村20号", 2)

    stale = client.patch(
        f"/api/v1/units/{body['id']}",
        {"expected_version": 1, "address": "旧版本"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_object"
    audited = AuditEntry.objects.filter(target_id=str(body["id"]), action__startswith="unit.")
    assert sorted(audited.values_list("action", flat=True)) == ["unit.created", "unit.updated"]


def test_the_api_names_the_wrong_field(client, login, world):
    login("town_office_a")

    response = client.post(
        "/api/v1/units",
        {"name": "坏代码", "region_id": world.village_a1.pk, "credit_code": wrong_check(VALID)},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "credit_code"


def test_the_api_patch_needs_a_reason_to_move_the_committee(client, login, world):
    login("town_office_a")

    response = client.patch(
        f"/api/v1/units/{world.unit_a.pk}",
        {"expected_version": world.unit_a.version, "committee_id": world.committee_a_fire.pk},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "reason"


@pytest.mark.parametrize("persona", ["enterprise_a", "enterprise_b", "village_officer_a"])
def test_only_the_office_edits_units_by_api(client, login, world, persona):
    login(persona)

    for unit in (world.unit_a, world.unit_b):
        response = client.patch(
            f"/api/v1/units/{unit.pk}",
            {"expected_version": unit.version, "name": "越权修改"},
            content_type="application/json",
        )
        assert response.status_code in {403, 404}
    created = client.post(
        "/api/v1/units",
        {"name": "越权修改", "region_id": world.village_a1.pk},
        content_type="application/json",
    )
    assert created.status_code == 403
    assert not Unit.objects.filter(name="越权修改").exists()


def test_an_office_patching_another_towns_unit_gets_404(client, login, world):
    login("town_office_b")

    response = client.patch(
        f"/api/v1/units/{world.unit_a.pk}",
        {"expected_version": 1, "name": "越权修改"},
        content_type="application/json",
    )

    assert response.status_code == 404


def test_the_api_refuses_a_village_of_another_town(client, login, world):
    login("town_office_a")

    response = client.post(
        "/api/v1/units",
        {"name": "外镇单位", "region_id": world.village_b1.pk},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "region_id"


# --- The unit page ---------------------------------------------------------------------------------


def test_the_unit_page_shows_the_file_on_one_screen_and_prints(client, login, world):
    unit = make_unit(world, principal_name="王建国", principal_mobile="13957112345")
    login("town_office_a")

    page = client.get(reverse("units:unit_detail", args=[unit.pk]))
    for tab in ("facts", "documents", "people", "inspections", "hazards", "permits", "trainings"):
        assert f'data-testid="tab-{tab}"' in page.text
    assert "13957112345" in page.text
    assert 'data-testid="unit-edit-link"' in page.text

    printed = client.get(reverse("units:unit_print", args=[unit.pk]))
    assert printed.status_code == 200
    assert 'data-testid="main-nav"' not in printed.text
    assert "units/print.css" in printed.text
    assert "王建国" in printed.text


def test_the_print_page_of_another_unit_is_404_for_an_enterprise(client, login, world):
    login("enterprise_a")

    assert client.get(reverse("units:unit_print", args=[world.unit_b.pk])).status_code == 404
    page = client.get(reverse("units:unit_detail", args=[world.unit_a.pk]))
    assert 'data-testid="unit-edit-link"' not in page.text
