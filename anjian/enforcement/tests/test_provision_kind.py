"""Penalty provisions and duty articles (issue 16): a case rests only on a penalty provision; the
duty articles the checklists cite are shared rows without a fine; the list shows the kind."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from anjian.enforcement.case_choices import ProvisionKind
from anjian.enforcement.case_forms import CaseOpenForm
from anjian.enforcement.models import LegalProvision
from anjian.enforcement.tests.test_case_pages import API, bearer
from anjian.enforcement.tests.test_case_services import open_case

pytestmark = pytest.mark.django_db

SEED = importlib.import_module("anjian.enforcement.migrations.0008_seed_duty_provisions")
SAFETY_LAW = "中华人民共和国安全生产法（2021）"


def duty(article="第三十六条") -> LegalProvision:
    return LegalProvision.objects.get(law=SAFETY_LAW, article=article)


def test_the_duty_articles_are_shared_rows_without_a_fine_and_the_penalties_stay_penalties():
    duties = LegalProvision.objects.filter(kind=ProvisionKind.DUTY)
    assert duties.count() == len(SEED.DUTIES)
    assert not duties.filter(town__isnull=False).exists()
    for row in duties:
        assert row.fine_range("organisation") == (None, None), row
        assert row.fine_range("individual") == (None, None), row
        assert not row.warning and not row.suspension and row.penalty_text
    penalty = LegalProvision.objects.get(law=SAFETY_LAW, article="第一百零二条")
    assert penalty.kind == ProvisionKind.PENALTY
    assert duty().penalty_text == "违反本条的，依照第九十九条处罚"
    assert duty("第二十七条").kind == ProvisionKind.DUTY


def test_seeding_again_changes_nothing():
    row = duty()
    LegalProvision.objects.filter(pk=row.pk).update(note="区里核对过")
    before = LegalProvision.objects.count()
    SEED.seed(apps, None)
    assert LegalProvision.objects.count() == before
    assert duty().note == "区里核对过"


def test_a_case_cannot_rest_on_a_duty_article(world):
    with pytest.raises(ValidationError) as refused:
        open_case(world, article="第三十六条")  # open_case looks the article up in the Safety Law
    assert "provision_id" in refused.value.message_dict
    form = CaseOpenForm(units=[], officers=[], hazards=[])
    offered = {pk for pk, _label in form.fields["provision_id"].choices}
    assert duty().pk not in offered
    assert LegalProvision.objects.get(law=SAFETY_LAW, article="第一百零二条").pk in offered


def test_the_api_refuses_a_duty_article_for_a_case_and_filters_the_list_by_kind(client, world):
    from anjian.enforcement.tests.test_case_services import certify

    certify(world.inspector_a, world.town_office_a)
    body = {
        "unit_id": world.unit_a.pk,
        "cause": "配电箱箱门缺失",
        "facts": "配电箱箱门缺失，内部接线裸露",
        "provision_id": duty().pk,
        "officer_ids": [world.inspector_a.pk, world.town_office_a.pk],
    }
    response = client.post(
        f"{API}/", json.dumps(body), content_type="application/json", **bearer(world.inspector_a)
    )
    assert response.status_code == 422, response.content
    headers = bearer(world.leader_a)
    duties = client.get(f"{API}/provisions", {"kind": "duty", "limit": 200}, **headers).json()
    assert duties["count"] == len(SEED.DUTIES)
    assert {p["kind"] for p in duties["items"]} == {"duty"}
    penalties = client.get(f"{API}/provisions", {"kind": "penalty"}, **headers).json()
    assert penalties["count"] >= 13 and {p["kind"] for p in penalties["items"]} == {"penalty"}
    assert client.get(f"{API}/provisions", {"kind": "fine"}, **headers).status_code == 422


def test_a_provision_cases_rest_on_stays_a_penalty(world):
    from anjian.enforcement import case_services as services

    case = open_case(world)
    with pytest.raises(ValidationError) as refused:
        services.provision_update(
            actor=world.district_officer,
            provision_id=case.provision_id,
            expected_version=case.provision.version,
            kind="duty",
        )
    assert "kind" in refused.value.message_dict


def test_the_list_page_shows_filters_and_exports_the_kind(client, world, login, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login("leader_a")
    url = reverse("cases:provision_list")
    page = client.get(url, {"kind": "duty"})
    assert page.status_code == 200
    shown = list(page.context["provisions"])
    assert shown and all(p.kind == ProvisionKind.DUTY for p in shown)
    assert 'data-testid="provision-kind"' in page.content.decode()
    everything = client.get(url, {"kind": "nonsense"}).context["paginator"].count
    assert everything == client.get(url).context["paginator"].count
    export = client.get(url, {"kind": "penalty", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("kind of provision")
    kinds = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)}
    assert kinds == {"Penalty provision (罚则)"}
