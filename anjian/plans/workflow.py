"""The plan's lifecycle as one explicit table. Pure: no queries, no writes.

A draft is generated (and may be generated again: its untouched tasks are replaced); publishing
freezes it: from then on its tasks change only by reassignment, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from anjian.plans.choices import PlanStatus

S = PlanStatus


@dataclass(frozen=True)
class PlanTransition:
    action: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: the status stays
    permission: str
    style: str = "primary"


PLAN_TRANSITIONS: dict[str, PlanTransition] = {
    t.action: t
    for t in (
        PlanTransition(
            "generate",
            gettext_lazy("Generate the tasks again"),
            frozenset({S.DRAFT}),
            None,
            "plans.manage",
            "outline-primary",
        ),
        PlanTransition(
            "publish",
            gettext_lazy("Publish the plan"),
            frozenset({S.DRAFT}),
            S.PUBLISHED,
            "plans.manage",
        ),
    )
}
# Reassigning a task: allowed in both states (with a reason once the plan is published).
REASSIGN_PERMISSION = "plans.manage"


def allowed_actions(status: str, can: Any) -> list[str]:
    """The plan actions open in ``status`` for someone whose ``can(permission)`` answers."""
    return [
        t.action for t in PLAN_TRANSITIONS.values() if status in t.sources and can(t.permission)
    ]
