"""The demo town's experts: ck_expert's units and his engineer's active assignments agree, and a
second load creates nothing."""

from __future__ import annotations

import pytest

from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.audit.models import AuditEntry
from anjian.demo.expert_demo import FIRM_NAME, load_demo_experts
from anjian.demo.loader import DemoReport, load_demo
from anjian.units.models import Engineer, ExpertAssignment, ServiceFirm, Unit

pytestmark = pytest.mark.django_db


def test_the_demo_experts_agree_with_the_expert_roles_and_load_once():
    report = load_demo()  # the loader runs load_demo_experts as one of its parts
    assert report.created["service firms"] == 1
    assert report.created["engineers"] == 3
    firm = ServiceFirm.objects.get(name=FIRM_NAME)
    shen = Engineer.objects.get(firm=firm, user__username="ck_expert")
    expert = User.objects.get(username="ck_expert")
    active = set(
        ExpertAssignment.objects.filter(engineer=shen, status="active").values_list(
            "unit_id", flat=True
        )
    )
    roles = set(
        RoleAssignment.objects.filter(user=expert, role=Role.EXPERT, is_active=True).values_list(
            "unit_id", flat=True
        )
    )
    assert len(active) == 12 and active == roles
    assert set(Unit.objects.visible_to(expert).values_list("pk", flat=True)) == active
    pending = ExpertAssignment.objects.get(status="pending")
    assert pending.reason and pending.requested_by.username == "ck_inspector"
    rejected = ExpertAssignment.objects.get(status="rejected")
    assert rejected.decision_note and rejected.decided_by.username == "ck_office"
    counts = (
        ServiceFirm.objects.count(),
        Engineer.objects.count(),
        ExpertAssignment.objects.count(),
    )
    entries = AuditEntry.objects.count()
    again = DemoReport()
    load_demo_experts(again)
    assert again.total == 0
    assert counts == (
        ServiceFirm.objects.count(),
        Engineer.objects.count(),
        ExpertAssignment.objects.count(),
    )
    assert AuditEntry.objects.count() == entries
