"""The life of an enforcement case as one explicit table (style.md §6). Pure: no queries.

``TRANSITIONS`` names every action on a case: the stages it may start from, the stage it leads to
(``None`` keeps the stage: an extension, a statement, a payment-free execution is a move), the
permission of the role matrix it needs, and the document it issues. ``case_services`` is the only
writer of the stage; the pages and the API show the buttons this table allows.

    opened ─approve→ investigating ─notify→ notified ─decide→ decided ─execute→ executed ─close→ closed
      └─────────── transfer (移送, above the cap or the range) / withdraw (撤销) ───────────┘
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.models import DocumentType

S = CaseStage
HANDLE = "enforcement.handle_cases"
APPROVE = "enforcement.approve_cases"
VIEW = "enforcement.view_cases"

# Calendar days (domain §6.4).
DECISION_DAYS = 30  # from the opening
EXTENDED_DECISION_DAYS = 90  # with the department head's approval
STATEMENT_DAYS = 5  # statement, defence or a hearing request after the notice
PAYMENT_DAYS = 15  # from the service of the decision
LATE_FEE_RATE = "0.03"  # per day, capped at the fine


@dataclass(frozen=True)
class CaseTransition:
    action: str
    label: Any
    sources: frozenset[str]
    target: str | None
    permission: str
    document: str | None = None
    note_required: bool = False
    style: str = "primary"
    fields: tuple[str, ...] = field(default=())

    def target_for(self, stage: str) -> str:
        return self.target if self.target is not None else stage


def _t(*args, **kwargs) -> CaseTransition:
    return CaseTransition(*args, **kwargs)


BEFORE_DECISION = frozenset({S.OPENED, S.INVESTIGATING, S.NOTIFIED})

TRANSITIONS: dict[str, CaseTransition] = {
    t.action: t
    for t in (
        _t(
            "approve",
            gettext_lazy("Approve the opening"),
            frozenset({S.OPENED}),
            S.INVESTIGATING,
            APPROVE,
            document=DocumentType.CASE_APPROVAL,
            style="success",
        ),
        _t(
            "notify",
            gettext_lazy("Issue the penalty notice"),
            frozenset({S.INVESTIGATING}),
            S.NOTIFIED,
            HANDLE,
            document=DocumentType.PENALTY_NOTICE,
            fields=("proposed_fine",),
        ),
        _t(
            "record_statement",
            gettext_lazy("Record the party's statement"),
            frozenset({S.NOTIFIED}),
            None,
            HANDLE,
            style="secondary",
            fields=("statement", "hearing_requested"),
        ),
        _t(
            "extend",
            gettext_lazy("Extend the decision deadline to 90 days"),
            frozenset({S.INVESTIGATING, S.NOTIFIED}),
            None,
            APPROVE,
            note_required=True,
            style="secondary",
        ),
        _t(
            "decide",
            gettext_lazy("Decide the penalty"),
            frozenset({S.NOTIFIED}),
            S.DECIDED,
            APPROVE,
            document=DocumentType.PENALTY_DECISION,
            fields=("decided_fine", "served_on", "statement_waived"),
        ),
        _t(
            "execute",
            gettext_lazy("Record the execution"),
            frozenset({S.DECIDED}),
            S.EXECUTED,
            HANDLE,
            style="success",
        ),
        _t(
            "close",
            gettext_lazy("Approve the closure"),
            frozenset({S.EXECUTED}),
            S.CLOSED,
            APPROVE,
            document=DocumentType.CLOSURE_APPROVAL,
            style="success",
        ),
        _t(
            "transfer",
            gettext_lazy("Transfer to the district bureau"),
            BEFORE_DECISION,
            S.TRANSFERRED,
            HANDLE,
            note_required=True,
            style="warning",
            fields=("transferred_to",),
        ),
        _t(
            "withdraw",
            gettext_lazy("Withdraw the case"),
            BEFORE_DECISION,
            S.WITHDRAWN,
            APPROVE,
            note_required=True,
            style="danger",
        ),
    )
}


def transitions_from(stage: str) -> list[CaseTransition]:
    return [t for t in TRANSITIONS.values() if stage in t.sources]
