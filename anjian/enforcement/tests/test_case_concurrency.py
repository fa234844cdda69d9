"""Two people act on the same case at the same moment (PostgreSQL, real connections): exactly one
wins, the other is told to reload; the case has one move, one document and one audit record."""

from __future__ import annotations

import pytest
from django.db import connection

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import InvalidTransition, StaleObject
from anjian.core.testing.concurrency import run_at_once
from anjian.enforcement import case_services as cases
from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.models import CaseEvent, IssuedDocument
from anjian.enforcement.tests.test_case_services import open_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_approve_and_withdraw_at_once_one_wins(world):
    case = open_case(world)
    version = case.version

    def move(actor, action, note=""):
        return lambda: cases.case_act(
            actor=actor, case_id=case.pk, action=action, expected_version=version, note=note
        )

    outcome = run_at_once(
        {
            "approve": move(world.leader_a, "approve"),
            "withdraw": move(world.town_office_a, "withdraw", "证据不足"),
        }
    )
    assert len(outcome.results) == 1 and len(outcome.raised) == 1, outcome.raised
    (refusal,) = outcome.raised.values()
    assert isinstance(refusal, StaleObject | InvalidTransition), refusal
    case.refresh_from_db()
    assert case.stage in {CaseStage.INVESTIGATING, CaseStage.WITHDRAWN}
    assert CaseEvent.objects.filter(case=case).exclude(action="open").count() == 1
    assert IssuedDocument.objects.filter(case=case).count() == (
        1 if case.stage == CaseStage.INVESTIGATING else 0
    )
    moves = AuditEntry.objects.filter(action__in=["case.approve", "case.withdraw"])
    assert moves.count() == 1
