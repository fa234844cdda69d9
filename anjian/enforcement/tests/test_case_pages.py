"""Case documents (Word), pages, the API twins and the demo cases."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import docx
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.demo.case_demo import load_demo_cases
from anjian.demo.loader import DemoReport, load_demo
from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.models import (
    AuthorityMode,
    Case,
    DocumentType,
    EnforcementSettings,
    IssuedDocument,
    LegalProvision,
)
from anjian.enforcement.tests.test_case_services import act, certify, open_case, to_stage

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def text_of(document: IssuedDocument) -> str:
    with document.file.open("rb") as handle:
        word = docx.Document(io.BytesIO(handle.read()))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='t').raw}"}


def test_the_four_word_documents_print_unit_facts_provision_amount_officers_and_number(world):
    EnforcementSettings.objects.create(
        town=world.town_a,
        authority_name="杭州市富阳区应急管理局",
        mode=AuthorityMode.ENTRUSTED,
        town_body_name="富阳区场口镇人民政府",
        reconsideration_body="杭州市富阳区人民政府",
        court="杭州市富阳区人民法院",
    )
    case = to_stage(world, open_case(world), CaseStage.CLOSED)
    docs = {d.doc_type: d for d in case.documents.all()}
    certificates = [
        world.inspector_a.enforcement_certificate.number,
        world.town_office_a.enforcement_certificate.number,
    ]
    for doc_type, title in (
        (DocumentType.CASE_APPROVAL, "立案审批表"),
        (DocumentType.PENALTY_NOTICE, "行政处罚告知书"),
        (DocumentType.PENALTY_DECISION, "行政处罚决定书"),
        (DocumentType.CLOSURE_APPROVAL, "结案审批表"),
    ):
        document = docs[doc_type]
        text = text_of(document)
        assert title in text
        assert document.label in text
        assert document.label.endswith(f"〔{document.year}〕1号")
        assert world.unit_a.name in text
        assert "《中华人民共和国安全生产法（2021）》第一百零二条" in text
        assert "杭州市富阳区应急管理局" in text and "富阳区场口镇人民政府（受委托）" in text
        for number in certificates:
            assert number in text
        assert document.sha256 and document.unit_id == world.unit_a.pk
    assert "配电箱线路裸露" in text_of(docs[DocumentType.CASE_APPROVAL])
    assert "人民币20000元" in text_of(docs[DocumentType.PENALTY_NOTICE])
    decision = text_of(docs[DocumentType.PENALTY_DECISION])
    assert "人民币20000元" in decision and "百分之三" in decision
    assert "15日内" in decision and "杭州市富阳区人民法院" in decision
    closure = text_of(docs[DocumentType.CLOSURE_APPROVAL])
    assert docs[DocumentType.PENALTY_DECISION].label in closure and "R-1" in closure
    assert case.number == docs[DocumentType.CASE_APPROVAL].label


def test_the_list_filters_searches_and_exports(client, world, login):
    open_case(world)
    transferred = act(world.inspector_a, open_case(world, cause="超限案件"), "transfer", "超出权限")
    login("town_office_a")
    url = reverse("cases:case_list")
    assert len(client.get(url).context["cases"]) == 2
    response = client.get(url, {"transferred": "true"})
    assert [c.pk for c in response.context["cases"]] == [transferred.pk]
    response = client.get(url, {"q": "超限"})
    assert [c.pk for c in response.context["cases"]] == [transferred.pk]
    response = client.get(url, {"stage": "opened"})
    assert transferred.pk not in [c.pk for c in response.context["cases"]]
    export = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert any("超限案件" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_the_detail_shows_the_allowed_actions_and_the_forms_move_the_case(client, world, login):
    case = open_case(world)
    login("leader_a")
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert b"case-action-approve" in page.content and b"case-action-notify" not in page.content
    url = reverse("cases:case_act", args=[case.pk])
    # Approving takes the 立案审批表's number: the document is shown first, nothing is written.
    response = client.post(url, {"action": "approve", "expected_version": case.version})
    assert response.status_code == 200
    assert b'data-testid="document-preview"' in response.content
    assert "立案审批表" in response.text and "__" in response.context["preview"].label
    case.refresh_from_db()
    assert case.stage == CaseStage.OPENED and not IssuedDocument.objects.filter(case=case).exists()
    response = client.post(
        url, {"action": "approve", "expected_version": case.version, "confirmed": "1"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.INVESTIGATING
    issued = IssuedDocument.objects.get(case=case)
    assert "__" not in issued.label and case.number == issued.label
    # A stale page is told to reload.
    response = client.post(url, {"action": "withdraw", "expected_version": 1, "note": "x"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.INVESTIGATING


def test_above_the_cap_the_form_offers_the_transfer(client, world, login):
    EnforcementSettings.objects.create(town=world.town_a, penalty_cap=Decimal("10000"))
    case = to_stage(world, open_case(world), CaseStage.INVESTIGATING)
    login("inspector_a")
    response = client.post(
        reverse("cases:case_act", args=[case.pk]),
        {"action": "notify", "expected_version": case.version, "proposed_fine": "20000"},
    )
    assert response.status_code == 200
    assert b"transfer-offer" in response.content
    case.refresh_from_db()
    assert case.stage == CaseStage.INVESTIGATING


def test_opening_from_an_inspection_or_a_hazard_page(client, world, login):
    from anjian.hazards.tests.factories import make_hazard

    certify(world.inspector_a, world.town_office_a)
    hazard = make_hazard(world.inspector_a, world.unit_a)
    login("inspector_a")
    url = reverse("cases:case_open_hazard", args=[hazard.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "unit_id": world.unit_a.pk,
            "party_type": "organisation",
            "cause": "未消除事故隐患",
            "facts": hazard.description,
            "provision_id": LegalProvision.objects.get(article="第一百零二条").pk,
            "officer_ids": [world.inspector_a.pk, world.town_office_a.pk],
            "hazard_ids": [hazard.pk],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert list(case.hazards.all()) == [hazard] and case.stage == CaseStage.OPENED
    login("town_office_b")
    assert client.get(url).status_code == 404


def test_payment_page_records_and_executes(client, world, login):
    case = to_stage(world, open_case(world), CaseStage.DECIDED)
    login("inspector_a")
    response = client.post(
        reverse("cases:case_payment_add", args=[case.pk]),
        {
            "expected_version": case.version,
            "amount": "20000",
            "paid_on": case.decided_on.isoformat(),
            "receipt_number": "FY-1",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.EXECUTED


def test_provisions_pages_for_managers_only(client, world, login):
    provision = LegalProvision.objects.get(article="第一百零二条")
    login("leader_a")
    assert client.get(reverse("cases:provision_list")).status_code == 200
    assert client.get(reverse("cases:provision_edit", args=[provision.pk])).status_code == 403
    login("town_office_a")  # a shared row: the district's (issue 16 §3)
    url = reverse("cases:provision_edit", args=[provision.pk])
    assert client.get(url)["Location"] == reverse("cases:provision_list")
    login("district_officer")
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(note="已核对", expected_version=provision.version)
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    assert client.post(url, data).status_code == 302
    provision.refresh_from_db()
    assert provision.note == "已核对" and provision.version == 2


def test_the_api_twins(client, world):
    certify(world.inspector_a, world.town_office_a)
    provision = LegalProvision.objects.get(article="第一百零二条")
    body = {
        "unit_id": world.unit_a.pk,
        "cause": "未消除事故隐患",
        "facts": "逾期未整改",
        "provision_id": provision.pk,
        "officer_ids": [world.inspector_a.pk, world.town_office_a.pk],
    }
    response = client.post(
        f"{API}/", json.dumps(body), content_type="application/json", **bearer(world.inspector_a)
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["stage"] == "opened" and case["allowed_actions"] == ["transfer"]
    leader = bearer(world.leader_a)

    def act_api(headers, **payload):
        return client.post(
            f"{API}/{case['id']}/act",
            json.dumps(payload),
            content_type="application/json",
            **headers,
        )

    response = act_api(leader, action="approve", expected_version=case["version"])
    assert response.status_code == 200
    case = response.json()
    assert case["stage"] == "investigating" and len(case["document_ids"]) == 1
    assert act_api(leader, action="approve", expected_version=1).status_code == 409
    handler = bearer(world.inspector_a)
    response = act_api(
        handler, action="notify", expected_version=case["version"], proposed_fine="90000"
    )
    assert response.status_code == 422
    assert "Transfer the case" in response.content.decode()
    response = act_api(
        handler, action="notify", expected_version=case["version"], proposed_fine="5000"
    )
    case = response.json()
    response = act_api(
        leader, action="decide", expected_version=case["version"], statement_waived=True
    )
    case = response.json()
    assert case["decided_fine"] == "5000.00" and case["allowed_actions"] == []  # the leader's
    seen = client.get(f"{API}/{case['id']}", **bearer(world.inspector_a)).json()
    assert seen["allowed_actions"] == ["pay"]
    response = client.post(
        f"{API}/{case['id']}/payments",
        json.dumps({"amount": "5000", "paid_on": case["decided_on"], "receipt_number": "A1"}),
        content_type="application/json",
        **handler,
    )
    assert response.status_code == 201
    got = client.get(f"{API}/{case['id']}", **bearer(world.enterprise_a)).json()
    assert got["stage"] == "executed" and [e["action"] for e in got["events"]][-1] == "execute"
    assert got["allowed_actions"] == []
    assert client.get(f"{API}/{case['id']}", **bearer(world.enterprise_a2)).status_code == 404
    listed = client.get(f"{API}/", **bearer(world.enterprise_a)).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    assert client.get(f"{API}/", **bearer(world.town_office_b)).json()["count"] == 0
    provisions = client.get(f"{API}/provisions", **bearer(world.leader_a)).json()
    assert provisions["count"] >= 13
    created = client.post(
        f"{API}/provisions",
        json.dumps({"law": "测试", "article": "第一条", "violation": "v", "penalty_text": "p"}),
        content_type="application/json",
        **bearer(world.district_officer),
    )
    assert created.status_code == 201
    # The district's row is shared by every town: a town office may not change it (issue 16 §3).
    refused = client.patch(
        f"{API}/provisions/{created.json()['id']}",
        json.dumps({"expected_version": 1, "fine_max_organisation": "1000"}),
        content_type="application/json",
        **bearer(world.town_office_a),
    )
    assert refused.status_code == 403
    updated = client.patch(
        f"{API}/provisions/{created.json()['id']}",
        json.dumps({"expected_version": 1, "fine_max_organisation": "1000"}),
        content_type="application/json",
        **bearer(world.district_officer),
    )
    assert updated.status_code == 200 and updated.json()["fine_max_organisation"] == "1000.00"


def test_the_demo_has_the_four_cases_of_the_report_and_a_second_run_adds_none(settings):
    report = load_demo()  # the loader makes the cases (load_demo_cases)
    assert report.created.get("enforcement cases") == 4
    stages = sorted(Case.objects.values_list("stage", flat=True))
    assert stages == sorted(["decided", "notified", "closed", "transferred"])
    assert Case.objects.values("unit").distinct().count() == 4
    closed = Case.objects.get(stage="closed")
    assert closed.inspection_id and closed.payments.count() == 1
    assert closed.documents.count() == 4
    transferred = Case.objects.get(stage="transferred")
    assert transferred.transferred_to == "杭州市富阳区应急管理局"
    assert "50000" in transferred.transfer_reason
    again = DemoReport()
    load_demo_cases(again)
    assert again.total == 0 and Case.objects.count() == 4


def test_the_decision_preview_prints_the_fine_on_the_form_and_takes_no_number(client, world, login):
    case = to_stage(world, open_case(world), CaseStage.NOTIFIED)
    issued_before = IssuedDocument.objects.count()
    login("leader_a")
    url = reverse("cases:case_act", args=[case.pk])
    body = {
        "action": "decide",
        "expected_version": case.version,
        "decided_fine": "15000",
        "statement_waived": "on",
    }

    page = client.post(url, body)

    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.title in page.text and "__" in preview.label
    assert "人民币15000元" in page.text  # the fine given on the form, not the proposed 20000
    assert IssuedDocument.objects.count() == issued_before
    case.refresh_from_db()
    assert case.stage == CaseStage.NOTIFIED

    done = client.post(url, body | {"confirmed": "1"})

    assert done.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.DECIDED and case.decided_fine == Decimal("15000")
    assert IssuedDocument.objects.filter(case=case, doc_type=DocumentType.PENALTY_DECISION).exists()


def test_the_api_previews_the_document_of_an_action(client, world):
    case = to_stage(world, open_case(world), CaseStage.INVESTIGATING)
    url = f"{API}/{case.pk}/act/preview"
    body = {"action": "notify", "expected_version": case.version, "proposed_fine": "20000"}

    answer = client.post(
        url, json.dumps(body), content_type="application/json", **bearer(world.inspector_a)
    )

    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["can_issue"] is True and "__" in data["label"]
    assert "预览" in data["html"] or "PREVIEW" in data["html"]
    case.refresh_from_db()
    assert case.stage == CaseStage.INVESTIGATING
    assert not IssuedDocument.objects.filter(case=case, doc_type=DocumentType.PENALTY_NOTICE)
    # An action that issues no document, and another enterprise's case, are refused.
    extend = body | {"action": "record_statement"}
    none = client.post(
        url, json.dumps(extend), content_type="application/json", **bearer(world.inspector_a)
    )
    assert none.status_code in (409, 422)
    other = client.post(
        url, json.dumps(body), content_type="application/json", **bearer(world.enterprise_b)
    )
    assert other.status_code in (403, 404)
