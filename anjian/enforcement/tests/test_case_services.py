"""Enforcement cases: the stages, the penalty checks, the transfer, payments and late fees."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.enforcement import case_services as cases
from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.case_workflow import TRANSITIONS
from anjian.enforcement.models import (
    Case,
    CaseEvent,
    DocumentType,
    EnforcementSettings,
    LegalProvision,
    OfficerCertificate,
)
from anjian.hazards.tests.factories import make_hazard

pytestmark = pytest.mark.django_db

ART_102 = "第一百零二条"


def certify(*people):
    for n, person in enumerate(people, 1):
        OfficerCertificate.objects.update_or_create(
            user=person, defaults={"number": f"3301{person.pk:04d}{n}"}
        )


def seed_provisions() -> None:
    """The provisions the data migration seeds; a transactional test (PostgreSQL races) flushes
    the database around it, so the tests put them back when they are gone."""
    from django.apps import apps

    importlib.import_module("anjian.enforcement.migrations.0004_seed_provisions").seed(apps, None)


def provision(article=ART_102) -> LegalProvision:
    if not LegalProvision.objects.filter(article=article, law__contains="安全生产法").exists():
        seed_provisions()
    return LegalProvision.objects.get(article=article, law__contains="安全生产法")


def open_case(world, *, article=ART_102, **kwargs) -> Case:
    certify(world.inspector_a, world.town_office_a)
    hazard = make_hazard(world.inspector_a, world.unit_a)
    fields = {
        "unit_id": world.unit_a.pk,
        "cause": "未采取措施消除事故隐患",
        "facts": "配电箱线路裸露，经责令限期整改后逾期未整改。",
        "provision_id": provision(article).pk,
        "hazard_ids": [hazard.pk],
        "officer_ids": [world.inspector_a.pk, world.town_office_a.pk],
    }
    return cases.case_open(actor=world.inspector_a, **(fields | kwargs))


def act(actor, case, action, note="", **data):
    case.refresh_from_db()
    return cases.case_act(
        actor=actor,
        case_id=case.pk,
        action=action,
        expected_version=case.version,
        note=note,
        data=data,
    )


def to_stage(world, case, stage):
    """Move a fresh case along the main path up to ``stage``."""
    path = [
        (CaseStage.OPENED, CaseStage.INVESTIGATING, world.leader_a, "approve", {}),
        (
            CaseStage.INVESTIGATING,
            CaseStage.NOTIFIED,
            world.inspector_a,
            "notify",
            {"proposed_fine": "20000"},
        ),
        (
            CaseStage.NOTIFIED,
            CaseStage.DECIDED,
            world.leader_a,
            "decide",
            {"statement_waived": True},
        ),
    ]
    for source, target, actor, action, data in path:
        if case.stage == stage:
            return case
        if case.stage != source:
            continue
        case = act(actor, case, action, **data)
        assert case.stage == target
    if stage == CaseStage.DECIDED or case.stage != CaseStage.DECIDED:
        return case
    cases.payment_record(
        actor=world.inspector_a,
        case_id=case.pk,
        amount=case.decided_fine,
        paid_on=timezone.localdate(),
        receipt_number="R-1",
    )
    case.refresh_from_db()
    if stage == CaseStage.EXECUTED:
        return case
    return act(world.leader_a, case, "close")


def test_the_seeded_table_holds_the_provisions_of_the_domain():
    art102 = provision()
    assert art102.fine_max_organisation == Decimal("50000")
    assert art102.fine_range("individual") == (None, None)
    refused = provision("第一百零二条（拒不执行）")
    assert refused.fine_range("individual") == (Decimal("50000"), Decimal("100000"))
    order16 = LegalProvision.objects.filter(
        article__startswith="第二十六条", law__contains="第16号"
    )
    assert order16.count() == 6
    assert all(p.warning and p.fine_max_organisation == Decimal("30000") for p in order16)


def test_a_case_needs_two_certified_officers(world):
    with pytest.raises(ValidationError) as error:
        cases.case_open(
            actor=world.inspector_a,
            unit_id=world.unit_a.pk,
            cause="案由",
            facts="事实",
            provision_id=provision().pk,
        )
    assert "officer_ids" in error.value.message_dict


def test_outside_the_town_the_unit_is_not_found(world):
    certify(world.town_office_b, world.inspector_a)
    with pytest.raises(Http404):
        cases.case_open(
            actor=world.town_office_b,
            unit_id=world.unit_a.pk,
            cause="案由",
            facts="事实",
            provision_id=provision().pk,
        )


def test_the_main_path_sets_deadlines_and_issues_the_four_documents(world):
    case = open_case(world)
    assert case.stage == CaseStage.OPENED
    case = act(world.leader_a, case, "approve")
    today = timezone.localdate()
    assert case.opened_on == today
    assert case.decision_due == today + datetime.timedelta(days=30)
    assert case.number.startswith("场口安监立审〔")
    case = act(world.inspector_a, case, "notify", proposed_fine="20000")
    assert case.statement_due == today + datetime.timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        act(world.leader_a, case, "decide")
    assert "statement_waived" in error.value.message_dict
    case = act(world.inspector_a, case, "record_statement", statement="已认识到错误，请求从轻。")
    case = act(world.leader_a, case, "decide", decided_fine="15000")
    assert case.payment_due == today + datetime.timedelta(days=15)
    case = to_stage(world, case, CaseStage.CLOSED)
    assert case.stage == CaseStage.CLOSED
    kinds = set(case.documents.values_list("doc_type", flat=True))
    assert kinds == {
        DocumentType.CASE_APPROVAL,
        DocumentType.PENALTY_NOTICE,
        DocumentType.PENALTY_DECISION,
        DocumentType.CLOSURE_APPROVAL,
    }
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "open",
        "approve",
        "notify",
        "record_statement",
        "decide",
        "payment",
        "execute",
        "close",
    ]


STAGES_PATH = [
    CaseStage.OPENED,
    CaseStage.INVESTIGATING,
    CaseStage.NOTIFIED,
    CaseStage.DECIDED,
    CaseStage.EXECUTED,
    CaseStage.CLOSED,
]


@pytest.mark.parametrize("stage", [*STAGES_PATH, CaseStage.TRANSFERRED, CaseStage.WITHDRAWN])
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_action_is_allowed_from_its_stages_only(world, stage, action):
    case = open_case(world)
    if stage == CaseStage.TRANSFERRED:
        case = act(world.inspector_a, case, "transfer", "超出委托权限")
    elif stage == CaseStage.WITHDRAWN:
        case = act(world.leader_a, case, "withdraw", "证据不足")
    else:
        case = to_stage(world, case, stage)
    t = TRANSITIONS[action]
    actor = world.leader_a if t.permission.endswith("approve_cases") else world.inspector_a
    data = {
        "proposed_fine": "10000",
        "decided_fine": "10000",
        "statement": "陈述",
        "statement_waived": True,
    }
    allowed = stage in t.sources
    if not allowed:
        with pytest.raises(InvalidTransition):
            act(actor, case, action, "理由", **data)
        return
    if action == "execute":  # only once nothing is owed
        with pytest.raises(ValidationError):
            act(actor, case, action, "理由", **data)
        return
    moved = act(actor, case, action, "理由", **data)
    assert moved.stage == t.target_for(stage)


def test_roles_without_the_permission_are_refused(world):
    case = open_case(world)
    with pytest.raises(ActionNotPermitted):  # an inspector may not approve
        act(world.inspector_a, case, "approve")
    with pytest.raises(Http404):  # the enterprise sees the case but may not act on it
        cases.case_act(
            actor=world.enterprise_b, case_id=case.pk, action="approve", expected_version=1
        )
    with pytest.raises(ActionNotPermitted):
        act(world.enterprise_a, case, "approve")


def test_a_fine_outside_the_range_is_refused(world):
    case = to_stage(world, open_case(world), CaseStage.INVESTIGATING)
    with translation.override("en"), pytest.raises(cases.TransferOffered) as error:
        act(world.inspector_a, case, "notify", proposed_fine="60000")
    assert error.value.transfer_offered
    assert "Transfer the case to the district bureau" in error.value.messages[0]
    individual = to_stage(
        world,
        open_case(
            world,
            article="第一百零二条（拒不执行）",
            party_type="individual",
            party_name="王法人",
        ),
        CaseStage.INVESTIGATING,
    )
    with pytest.raises(ValidationError) as low:
        act(world.inspector_a, individual, "notify", proposed_fine="40000")
    assert not getattr(low.value, "transfer_offered", False)
    assert (
        act(world.inspector_a, individual, "notify", proposed_fine="60000").proposed_fine == 60000
    )


def test_above_the_towns_cap_the_decision_is_refused_and_the_transfer_works(world):
    EnforcementSettings.objects.create(
        town=world.town_a, authority_name="杭州市富阳区应急管理局", penalty_cap=Decimal("30000")
    )
    case = to_stage(world, open_case(world), CaseStage.INVESTIGATING)
    with pytest.raises(cases.TransferOffered):
        act(world.inspector_a, case, "notify", proposed_fine="40000")
    case = act(world.inspector_a, case, "notify", proposed_fine="30000")
    with pytest.raises(cases.TransferOffered):
        act(world.leader_a, case, "decide", decided_fine="45000", statement_waived=True)
    case = act(world.inspector_a, case, "transfer", "罚款超出委托权限")
    assert case.stage == CaseStage.TRANSFERRED
    assert case.transferred_to == "杭州市富阳区应急管理局"
    assert case.transferred_on == timezone.localdate()
    assert cases.case_actions_for(world.town_office_a, case) == []


def test_the_decision_deadline_extends_to_90_days_once(world):
    case = to_stage(world, open_case(world), CaseStage.INVESTIGATING)
    case = act(world.leader_a, case, "extend", "案情复杂")
    assert case.decision_due == case.opened_on + datetime.timedelta(days=90)
    assert case.extended_by == world.leader_a
    with pytest.raises(ValidationError):
        act(world.leader_a, case, "extend", "再次延期")


def test_overdue_cases_are_found(world):
    case = to_stage(world, open_case(world), CaseStage.INVESTIGATING)
    later = case.decision_due + datetime.timedelta(days=1)
    assert cases.overdue_reason(case, later)
    assert cases.overdue_filter(Case.objects.all(), later).get() == case
    assert not cases.overdue_filter(Case.objects.all(), case.decision_due).exists()


D = datetime.date


@pytest.mark.parametrize(
    ("payments", "as_of", "fee"),
    [
        ([], D(2026, 3, 16), "0.00"),  # on the due day: nothing
        ([], D(2026, 3, 17), "300.00"),  # one day late: 3 % of 10000
        ([], D(2026, 3, 26), "3000.00"),  # ten days
        ([], D(2026, 6, 1), "10000.00"),  # capped at the fine
        ([(D(2026, 3, 16), Decimal("10000"))], D(2026, 4, 30), "0.00"),  # paid in time
        # half paid two days late, the rest five days late: 2×300 + 3×150
        (
            [(D(2026, 3, 18), Decimal("5000")), (D(2026, 3, 21), Decimal("5000"))],
            D(2026, 4, 30),
            "1050.00",
        ),
    ],
)
def test_the_late_fee_is_three_percent_a_day_of_the_unpaid_fine_capped_at_the_fine(
    payments, as_of, fee
):
    assert cases.late_fee(Decimal("10000"), D(2026, 3, 16), payments, as_of) == Decimal(fee)


def test_payments_with_the_late_fee_execute_the_case(world):
    case = to_stage(world, open_case(world), CaseStage.DECIDED)
    assert case.decided_fine == Decimal("20000")
    today = timezone.localdate()
    late = case.payment_due + datetime.timedelta(days=2)
    # A decision served long ago: move the dates back so the payment falls late.
    back = datetime.timedelta(days=(late - today).days)
    Case.objects.filter(pk=case.pk).update(
        decided_on=case.decided_on - back,
        served_on=case.served_on - back,
        payment_due=case.payment_due - back,
    )
    case.refresh_from_db()
    cases.payment_record(
        actor=world.inspector_a,
        case_id=case.pk,
        amount="20000",
        paid_on=today,
        receipt_number="R-1",
    )
    case.refresh_from_db()
    assert case.stage == CaseStage.DECIDED  # the late fee of 2 days is still owed
    figures = cases.case_money(case, today)
    assert figures["late_fee"] == Decimal("1200.00")
    assert figures["owed"] == Decimal("1200.00")
    with pytest.raises(ValidationError):
        cases.payment_record(
            actor=world.inspector_a,
            case_id=case.pk,
            amount="1200",
            paid_on=today,
            receipt_number="R-1",
        )
    cases.payment_record(
        actor=world.inspector_a,
        case_id=case.pk,
        amount="1200",
        paid_on=today,
        receipt_number="R-2",
    )
    case.refresh_from_db()
    assert case.stage == CaseStage.EXECUTED
    assert case.executed_on == today


def test_a_stale_version_is_refused(world):
    case = open_case(world)
    act(world.leader_a, case, "approve")
    with pytest.raises(StaleObject):
        cases.case_act(
            actor=world.leader_a,
            case_id=case.pk,
            action="withdraw",
            expected_version=1,
            note="过期页面",
        )


def test_an_enterprise_sees_its_own_cases_only(world):
    case = open_case(world)
    assert list(Case.objects.for_action(world.enterprise_a, "enforcement.view_cases")) == [case]
    assert not Case.objects.for_action(world.enterprise_a2, "enforcement.view_cases").exists()
    assert not Case.objects.for_action(world.town_office_b, "enforcement.view_cases").exists()
    assert Case.objects.for_action(world.district_officer, "enforcement.view_cases").exists()


def test_provisions_are_managed_by_the_office_and_read_by_officials(world):
    created = cases.provision_create(
        actor=world.town_office_a,
        law="测试条例",
        article="第一条",
        violation="测试",
        penalty_text="罚款",
        fine_max_organisation="1000",
    )
    assert (
        LegalProvision.objects.for_action(world.leader_a, "enforcement.view_provisions")
        .filter(pk=created.pk)
        .exists()
    )
    assert not LegalProvision.objects.for_action(world.enterprise_a, "view").exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cases.provision_update(
            actor=world.leader_a, provision_id=created.pk, expected_version=1, note="改"
        )
    assert created.town == world.town_a  # a town adds its own row (issue 16 §3)
    with pytest.raises(ActionNotPermitted):  # the district keeps the shared rows, not a town's
        cases.provision_update(
            actor=world.district_officer, provision_id=created.pk, expected_version=1, note="改"
        )
    updated = cases.provision_update(
        actor=world.town_office_a, provision_id=created.pk, expected_version=1, is_active=False
    )
    assert updated.version == 2 and not updated.is_active
    with pytest.raises(StaleObject):
        cases.provision_update(
            actor=world.town_office_a, provision_id=created.pk, expected_version=1, note="x"
        )
