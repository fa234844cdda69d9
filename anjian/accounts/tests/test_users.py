"""User management by the town office: scoped lists, creation with a role, deactivation."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.tests.helpers import audited

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:user_list")


def test_town_office_sees_its_own_people_not_the_other_towns(client, world, login):
    login("town_office_a")
    html = client.get(LIST).content.decode()
    assert "inspector_a" in html
    assert "enterprise_a" in html
    assert "enterprise_b" not in html
    assert "town_office_b" not in html


def test_district_sees_both_towns(client, world, login):
    login("district_officer")
    html = client.get(LIST + "?q=enterprise").content.decode()
    assert "enterprise_a" in html
    assert "enterprise_b" in html


@pytest.mark.parametrize(
    "persona", ["enterprise_a", "inspector_a", "village_officer_a", "expert_a"]
)
def test_roles_without_user_management_get_403(client, world, login, persona):
    login(persona)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_user_list_search_and_filters(client, world, login):
    login("town_office_a")
    html = client.get(LIST + "?q=13900000001").content.decode()
    assert "inspector_a" in html and "leader_a" not in html
    html = client.get(LIST + "?role=enterprise").content.decode()
    assert "enterprise_a" in html and "inspector_a" not in html
    world.leader_a.is_active = False
    world.leader_a.save(update_fields=["is_active"])
    html = client.get(LIST + "?is_active=0").content.decode()
    assert "leader_a" in html and "inspector_a" not in html


def test_user_list_htmx_returns_the_table_only(client, world, login):
    login("town_office_a")
    response = client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="table"' in html
    assert "<html" not in html


def test_user_list_excel_export_is_scoped_and_audited(client, world, login):
    login("town_office_a")
    response = client.get(LIST + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "用户名"
    names = {row[0] for row in rows[1:]}
    assert "inspector_a" in names
    assert "enterprise_b" not in names
    assert audited("export.downloaded", actor=world.town_office_a) is not None


def test_user_detail_is_404_outside_the_town(client, world, login):
    login("town_office_a")
    assert (
        client.get(reverse("accounts:user_detail", args=[world.inspector_a.pk])).status_code == 200
    )
    assert (
        client.get(reverse("accounts:user_detail", args=[world.enterprise_b.pk])).status_code == 404
    )
    assert client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404


def test_user_detail_shows_roles_and_recent_audit_entries(client, world, login):
    login("town_office_a")
    html = client.get(
        reverse("accounts:user_detail", args=[world.enterprise_a.pk])
    ).content.decode()
    assert world.unit_a.name in html
    assert "role.assigned" in html


def _create(client, **overrides):
    data = {
        "username": "zhangsan",
        "name": "张三",
        "mobile": "+86 138 0000 1234",
        "email": "",
        "password": "Initial#Pass2026",
        "role": Role.VILLAGE_OFFICER,
        "title": "安全员",
    }
    data.update(overrides)
    return client.post(reverse("accounts:user_create"), data)


def test_town_office_creates_a_user_with_a_role_in_its_town(client, world, login):
    office = login("town_office_a")
    response = _create(client, region=world.village_a1.pk)
    user = User.objects.get(username="zhangsan")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert user.mobile == "13800001234"
    assert user.must_change_password
    assert user.check_password("Initial#Pass2026")
    ra = RoleAssignment.objects.get(user=user)
    assert (ra.role, ra.region, ra.title) == (Role.VILLAGE_OFFICER, world.village_a1, "安全员")
    assert audited("user.created", actor=office, target_id=str(user.pk)) is not None
    assert audited("role.assigned", actor=office, target_id=str(ra.pk)) is not None


def test_a_role_in_another_town_is_refused(client, world, login):
    login("town_office_a")
    response = _create(client, region=world.village_b1.pk)
    assert response.status_code == 200
    assert not User.objects.filter(username="zhangsan").exists()
    assert "region" in response.context["form"].errors


def test_service_refuses_a_role_outside_the_offices_town(world):
    from django.core.exceptions import ValidationError

    from anjian.accounts.services import role_assign, user_create_with_role

    with pytest.raises(ValidationError) as info:
        user_create_with_role(
            actor=world.town_office_a,
            username="lisi",
            name="李四",
            password="Initial#Pass2026",
            role=Role.ENTERPRISE,
            unit=world.unit_b,
        )
    assert "只能" in " ".join(info.value.messages)
    assert not User.objects.filter(username="lisi").exists()  # nothing half-written
    with pytest.raises(ValidationError):
        role_assign(
            actor=world.town_office_a, user=world.inspector_a, role=Role.LEADER, region=world.town_b
        )
    with pytest.raises(ValidationError):
        role_assign(
            actor=world.town_office_a,
            user=world.inspector_a,
            role=Role.DISTRICT,
            region=world.district,
        )


def test_the_scope_must_fit_the_role(client, world, login):
    login("town_office_a")
    response = _create(client, role=Role.ENTERPRISE, region=world.village_a1.pk)
    assert response.status_code == 200
    assert "监管对象" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_bad_mobile_number_gets_a_chinese_message(client, world, login):
    login("town_office_a")
    response = _create(client, mobile="12345", region=world.village_a1.pk)
    assert response.status_code == 200
    assert "手机号“12345”无效" in response.content.decode()
    assert "mobile" in response.context["form"].errors
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_weak_initial_password_is_refused(client, world, login):
    login("town_office_a")
    response = _create(client, password="12345678", region=world.village_a1.pk)
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="zhangsan").exists()


def test_deactivate_needs_a_reason_and_reactivate(client, world, login):
    office = login("town_office_a")
    url = reverse("accounts:user_deactivate", args=[world.inspector_a.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "原因" in response.content.decode()
    world.inspector_a.refresh_from_db()
    assert world.inspector_a.is_active

    response = client.post(url, {"reason": "调离本镇"})
    assert response.status_code == 302
    world.inspector_a.refresh_from_db()
    assert not world.inspector_a.is_active
    entry = audited("user.deactivated", actor=office)
    assert entry.reason == "调离本镇"
    assert entry.changes == {"is_active": [True, False]}

    response = client.post(
        reverse("accounts:user_activate", args=[world.inspector_a.pk]), {"reason": ""}
    )
    assert response.status_code == 302
    world.inspector_a.refresh_from_db()
    assert world.inspector_a.is_active
    assert audited("user.activated", actor=office) is not None


def test_deactivating_someone_in_another_town_is_404(client, world, login):
    login("town_office_a")
    url = reverse("accounts:user_deactivate", args=[world.enterprise_b.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    world.enterprise_b.refresh_from_db()
    assert world.enterprise_b.is_active


def test_district_may_view_but_not_manage_users(client, world, login):
    login("district_officer")
    assert (
        client.get(reverse("accounts:user_detail", args=[world.inspector_a.pk])).status_code == 200
    )
    url = reverse("accounts:user_deactivate", args=[world.inspector_a.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_revoke_a_role(client, world, login):
    office = login("town_office_a")
    ra = RoleAssignment.objects.get(user=world.leader_a)
    response = client.post(reverse("accounts:role_revoke", args=[ra.pk]), {"reason": "换届"})
    assert response.status_code == 302
    ra.refresh_from_db()
    assert not ra.is_active
    entry = audited("role.revoked", actor=office, target_id=str(ra.pk))
    assert entry.reason == "换届"
    other = RoleAssignment.objects.get(user=world.enterprise_b)
    assert client.post(reverse("accounts:role_revoke", args=[other.pk])).status_code == 404


def test_assign_an_extra_role_within_the_town(client, world, login):
    office = login("town_office_a")
    url = reverse("accounts:user_role_add", args=[world.inspector_a.pk])
    response = client.post(
        url, {"role": Role.COMMITTEE_MEMBER, "committee": world.committee_a_fire.pk}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user=world.inspector_a, role=Role.COMMITTEE_MEMBER, committee=world.committee_a_fire
    ).exists()
    assert audited("role.assigned", actor=office) is not None
    response = client.post(url, {"role": Role.COMMITTEE_MEMBER, "committee": world.committee_b.pk})
    assert response.status_code == 400
