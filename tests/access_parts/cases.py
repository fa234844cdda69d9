"""Access-walk registries of the enforcement cases (立案查处) and the table of legal provisions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from anjian.enforcement.models import Case, CaseEvent, CasePayment, LegalProvision
from anjian.hazards.models import Hazard
from anjian.inspections.models import Inspection

VIEW = "enforcement.view_cases"
HANDLE = "enforcement.handle_cases"
VIEW_PROVISIONS = "enforcement.view_provisions"
MANAGE_PROVISIONS = "enforcement.manage_provisions"

FUNCTION_VIEW_OBJECTS = {
    "cases:case_open_inspection": (Inspection, HANDLE),
    "cases:case_open_hazard": (Hazard, HANDLE),
    "cases:case_act": (Case, VIEW),
    "cases:case_payment_add": (Case, HANDLE),
    "cases:provision_edit": (LegalProvision, MANAGE_PROVISIONS),
}
PATH_PARAMS = {
    "case_id": (Case, VIEW),
    "provision_id": (LegalProvision, VIEW_PROVISIONS),
}
LIST_OPERATIONS = {
    "cases_list": (Case, VIEW),
    "cases_provisions_list": (LegalProvision, VIEW_PROVISIONS),
}
ACTION_OPERATIONS = {
    "cases_open": (
        HANDLE,
        {"unit_id": 999999, "cause": "越权", "facts": "越权", "provision_id": 999999},
    ),
    "cases_provisions_create": (
        MANAGE_PROVISIONS,
        {"law": "走查条例", "article": "第一条", "violation": "越权", "penalty_text": "越权"},
    ),
}
OBJECT_OPERATION_BODIES = {
    "cases_act": {"action": "approve", "expected_version": 1, "note": "越权"},
    "cases_act_preview": {"action": "close", "expected_version": 1, "note": "越权"},
    "cases_payments_create": {
        "amount": "100",
        "paid_on": "2026-01-02",
        "receipt_number": "越权",
    },
    "cases_provisions_update": {"expected_version": 1, "note": "越权"},
}


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    """A decided case with a payment at every unit of the walk (three towns)."""
    provision = LegalProvision.objects.filter(fine_max_organisation__isnull=False).first()
    for unit, office in recorders.items():
        case = Case.objects.create(
            town=unit.region.parent,
            unit=unit,
            party_name=unit.name,
            cause="走查案由",
            facts="走查事实",
            provision=provision,
            stage="decided",
            opened_by=office,
            opened_on=datetime.date(2026, 1, 1),
            decided_fine=Decimal("1000"),
            decided_on=datetime.date(2026, 1, 2),
            served_on=datetime.date(2026, 1, 2),
            payment_due=datetime.date(2026, 1, 17),
        )
        case.officers.set([office])
        CaseEvent.objects.create(case=case, action="open", to_stage="opened", actor=office)
        CasePayment.objects.create(
            case=case,
            amount=Decimal("100"),
            paid_on=datetime.date(2026, 1, 3),
            receipt_number="W-1",
        )
