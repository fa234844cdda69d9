"""The audit browser (pages and API): scoped to the office's town, searchable, exportable."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anjian.accounts.models import RoleAssignment
from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_record, snapshot


@pytest.fixture
def marked(world):
    """One entry about a unit of each town, easy to find by their object names."""
    a = audit_record(
        actor=world.town_office_a,
        action="unit.updated",
        obj=world.unit_a,
        before={"address": "旧地址", "name": world.unit_a.name},
        after={"address": "场口镇东梓关村1号", "name": world.unit_a.name},
        reason="地址变更",
    )
    b = audit_record(actor=world.town_office_b, action="unit.updated", obj=world.unit_b)
    return a, b


def test_town_office_sees_entries_of_its_town_and_not_of_the_other(client, login, marked):
    a, b = marked
    login("town_office_a")

    response = client.get(reverse("audit:entry_list"))

    assert response.status_code == 200
    ids = {e.pk for e in response.context["object_list"]}
    assert a.pk in ids
    assert b.pk not in ids
    assert client.get(reverse("audit:entry_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("audit:entry_detail", args=[b.pk])).status_code == 404


def test_district_sees_entries_of_both_towns(client, login, marked):
    a, b = marked
    login("district_officer")

    response = client.get(reverse("audit:entry_list"), {"action": "unit.updated"})

    assert {e.pk for e in response.context["object_list"]} == {a.pk, b.pk}


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector_a", "committee_member_a"])
def test_roles_without_the_audit_record_get_403(client, login, marked, persona):
    a, _b = marked
    login(persona)

    assert client.get(reverse("audit:entry_list")).status_code == 403
    assert client.get(reverse("audit:entry_detail", args=[a.pk])).status_code == 403
    assert client.get("/api/v1/audit/entries").status_code == 403
    assert client.get(f"/api/v1/audit/entries/{a.pk}").status_code == 403


def test_the_detail_page_shows_changes_as_a_before_and_after_table(client, login, marked):
    a, _b = marked
    login("town_office_a")

    response = client.get(reverse("audit:entry_detail", args=[a.pk]))

    assert 'data-testid="changes"' in response.text
    assert "旧地址" in response.text
    assert "场口镇东梓关村1号" in response.text
    assert "地址变更" in response.text
    assert [row["field"] for row in response.context["rows"]] == ["地址"]


def test_the_list_filters_by_action_actor_object_type_and_date(client, login, marked, world):
    a, _b = marked
    login("town_office_a")
    url = reverse("audit:entry_list")

    def ids(**params):
        return {e.pk for e in client.get(url, params).context["object_list"]}

    assert ids(action="unit.updated") == {a.pk}
    assert a.pk in ids(action="unit.")
    assert a.pk not in ids(action="region.")
    assert ids(actor="town_office_a", action="unit.updated") == {a.pk}
    assert a.pk in ids(object_type="units.unit")
    assert a.pk not in ids(object_type="regions.region")
    today = timezone.localdate(a.occurred_at).isoformat()  # the date the town sees (Beijing)
    assert a.pk in ids(date_from=today, date_to=today)
    assert a.pk not in ids(date_from="2000-01-01", date_to="2000-01-02")
    assert ids(q="地址变更") == {a.pk}


def test_the_list_paginates(client, login, world):
    for i in range(60):
        audit_record(actor=None, action="test.bulk", obj=world.unit_a, target_repr=f"批量{i}")
    login("town_office_a")

    first = client.get(reverse("audit:entry_list"), {"action": "test.bulk"})
    second = client.get(reverse("audit:entry_list"), {"action": "test.bulk", "page": 2})

    assert len(first.context["object_list"]) == 50
    assert len(second.context["object_list"]) == 10
    assert 'data-testid="pagination"' in first.text


def test_the_export_holds_only_the_towns_entries_and_is_itself_recorded(client, login, marked):
    a, _b = marked
    login("town_office_a")

    response = client.get(reverse("audit:entry_list"), {"action": "unit.updated", "export": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [a.pk]
    assert AuditEntry.objects.filter(action="export.downloaded", actor=a.actor).exists()


def test_the_api_lists_scoped_entries_with_filters_and_limits(client, login, marked):
    a, b = marked
    login("town_office_a")

    body = client.get("/api/v1/audit/entries", {"action": "unit.updated"}).json()
    assert [item["id"] for item in body["items"]] == [a.pk]
    assert body["count"] == 1
    assert body["items"][0]["object_type"] == "units.unit"
    assert body["items"][0]["changes"]["address"] == ["旧地址", "场口镇东梓关村1号"]

    page = client.get("/api/v1/audit/entries", {"limit": 2, "offset": 1}).json()
    assert len(page["items"]) == 2
    assert page["count"] > 2

    assert client.get(f"/api/v1/audit/entries/{a.pk}").json()["reason"] == "地址变更"
    assert client.get(f"/api/v1/audit/entries/{b.pk}").status_code == 404
    bad = client.get("/api/v1/audit/entries", {"object_type": "nope.nothing"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid"


def test_entries_about_roles_and_users_belong_to_the_region_of_their_scope(world):
    enterprise = RoleAssignment.objects.get(user=world.enterprise_a)
    member = RoleAssignment.objects.get(user=world.committee_member_a)

    by_unit = audit_record(actor=None, action="role.changed", obj=enterprise)
    by_committee = audit_record(actor=None, action="role.changed", obj=member)
    about_user = audit_record(actor=None, action="auth.login", obj=world.enterprise_b)
    by_actor = audit_record(actor=world.town_office_a, action="export.downloaded")
    about_region = audit_record(actor=None, action="region.updated", obj=world.village_a2)

    assert by_unit.region_id == world.unit_a.region_id
    assert by_committee.region_id == world.town_a.pk
    assert about_user.region_id == world.unit_b.region_id
    assert by_actor.region_id == world.town_a.pk
    assert about_region.region_id == world.village_a2.pk


def test_the_admin_shows_entries_read_only(client, world):
    from anjian.accounts.models import User

    admin = User.objects.create_superuser(
        "root", "Root#2026-pass", name="root", must_change_password=False
    )
    client.force_login(admin)
    entry = AuditEntry.objects.order_by("pk").first()

    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    delete = client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert snapshot(entry)["reason"] == AuditEntry.objects.get(pk=entry.pk).reason
