"""Tables shared by every town (issue 16 §3): the legal provisions with their fine ranges, the
hazard sub-grades and the unit categories.

A shared row (no town) is changed only by the district or an administrator; a town adds its own
rows, which only that town changes and other towns do not see. Each table through its page and
its API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from anjian.accounts.services import api_token_issue
from anjian.enforcement.models import LegalProvision
from anjian.hazards.models import HazardSubGrade
from anjian.units.models import Category

pytestmark = pytest.mark.django_db


@dataclass
class Table:
    model: Any
    list_url: str  # the page
    api: str  # the API collection
    create: dict  # a new row through the API
    change: dict  # a change through the API (expected_version added where the table has it)
    key: str = "id"  # how the API and the edit page address a row
    edit_url: str = ""
    shared: dict | None = None  # the fields of a shared row made directly

    def make_shared(self):
        return self.model.objects.create(**self.shared)

    def address(self, row) -> str:
        return str(getattr(row, self.key if self.key != "id" else "pk"))

    def patch_body(self, row) -> dict:
        body = dict(self.change)
        if hasattr(row, "version"):
            body["expected_version"] = row.version
        return body


TABLES = {
    "provisions": Table(
        LegalProvision,
        "cases:provision_list",
        "/api/v1/cases/provisions",
        {"law": "某镇规定", "article": "第三条", "violation": "v", "penalty_text": "p"},
        {"fine_max_organisation": "99999"},
        edit_url="cases:provision_edit",
        shared={
            "law": "《安全生产法》",
            "article": "第九十九条",
            "violation": "未如实记录隐患排查治理情况",
            "penalty_text": "责令限期改正，处十万元以下的罚款",
            "fine_max_organisation": "100000",
        },
    ),
    "sub-grades": Table(
        HazardSubGrade,
        "hazards:subgrade_list",
        "/api/v1/hazards/sub-grades",
        {"level": "major", "code": "town-major-1", "name": "镇定重大一级"},
        {"name": "改名"},
        edit_url="hazards:subgrade_edit",
        shared={"level": "major", "code": "shared-major-1", "name": "重大一级"},
    ),
    "categories": Table(
        Category,
        "units:category_list",
        "/api/v1/units/categories",
        {"code": "town-lpg", "name": "液化气使用", "group": "other", "grade_floor": "yellow"},
        {"name": "改名"},
        key="code",
        edit_url="units:category_edit",
        shared={"code": "shared-cat", "name": "涉爆粉尘", "group": "industry_risk"},
    ),
}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_issue(user=user, name='t').raw}"}


def api_patch(client, table: Table, row, user):
    return client.patch(
        f"{table.api}/{table.address(row)}",
        json.dumps(table.patch_body(row)),
        content_type="application/json",
        headers=bearer(user),
    )


@pytest.mark.parametrize("name", TABLES)
def test_a_town_may_not_change_a_shared_row_the_district_may(world, client, name):
    table = TABLES[name]
    row = table.make_shared()
    before = table.model.objects.filter(pk=row.pk).values().get()
    for persona in ("town_office_b", "town_office_a"):
        refused = api_patch(client, table, row, world.users[persona])
        assert refused.status_code == 403, (persona, refused.content)
        assert "区" in refused.json()["error"]["message"]  # only the district changes it
    assert table.model.objects.filter(pk=row.pk).values().get() == before
    allowed = api_patch(client, table, row, world.district_officer)
    assert allowed.status_code == 200, allowed.content


@pytest.mark.parametrize("name", TABLES)
def test_a_town_adds_its_own_row_only_it_changes_and_sees(world, client, name):
    table = TABLES[name]
    created = client.post(
        table.api,
        json.dumps(table.create),
        content_type="application/json",
        headers=bearer(world.town_office_a),
    )
    assert created.status_code == 201, created.content
    row = table.model.objects.get(
        **{table.key if table.key != "id" else "pk": created.json()[table.key]}
    )
    assert row.town == world.town_a
    listed_b = client.get(table.api, headers=bearer(world.town_office_b)).json()
    items = listed_b["items"] if isinstance(listed_b, dict) else listed_b
    assert table.address(row) not in [str(i[table.key]) for i in items]
    assert api_patch(client, table, row, world.town_office_b).status_code == 404
    assert api_patch(client, table, row, world.district_officer).status_code == 403
    row.refresh_from_db()
    assert api_patch(client, table, row, world.town_office_a).status_code == 200


@pytest.mark.parametrize("name", TABLES)
def test_the_district_adds_shared_rows(world, client, name):
    table = TABLES[name]
    created = client.post(
        table.api,
        json.dumps(table.create),
        content_type="application/json",
        headers=bearer(world.district_officer),
    )
    assert created.status_code == 201, created.content
    row = table.model.objects.get(
        **{table.key if table.key != "id" else "pk": created.json()[table.key]}
    )
    assert row.town is None


@pytest.mark.parametrize("name", TABLES)
def test_the_page_offers_no_edit_of_a_shared_row_to_a_town_and_refuses_it(
    world, client, login, name
):
    table = TABLES[name]
    row = table.make_shared()
    edit = reverse(table.edit_url, args=[table.address(row)])
    login("town_office_a")
    page = client.get(reverse(table.list_url)).text
    assert "各镇共用" in page
    assert f'href="{edit}"' not in page
    before = table.model.objects.filter(pk=row.pk).values().get()
    for response in (
        client.get(edit, follow=True),
        client.post(edit, {"name": "改名"}, follow=True),
    ):
        assert response.redirect_chain[-1][0] == reverse(table.list_url)
        assert "只有区级或系统管理员可以修改" in response.text
    assert table.model.objects.filter(pk=row.pk).values().get() == before
    login("district_officer")
    page = client.get(reverse(table.list_url)).text
    assert f'href="{edit}"' in page
    assert client.get(edit).status_code == 200


def test_a_towns_own_sub_grade_is_neither_offered_nor_accepted_in_another_town(
    world, client, login
):
    from django.core.exceptions import ValidationError

    from anjian.hazards.tests.factories import make_hazard

    own_b = HazardSubGrade.objects.create(
        level="general", code="b-1", name="常安一般", town=world.town_b
    )
    with pytest.raises(ValidationError) as caught:
        make_hazard(world.inspector_a, world.unit_a, sub_grade=own_b.pk, deadline_days=None)
    assert set(caught.value.message_dict) == {"sub_grade"}
    assert make_hazard(world.town_office_b, world.unit_b, sub_grade=own_b.pk, deadline_days=None)
    login("inspector_a")
    form = client.get(reverse("hazards:hazard_create")).context["form"]
    assert own_b not in form.fields["sub_grade"].queryset
