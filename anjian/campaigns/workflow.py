"""What may happen to a campaign in each status: one table, read by the services, the pages
(buttons) and the API (``allowed_actions``). Pure: no queries, no writes.

The phase follows the dates (planned → under way → ended); the one transition a person makes is
closing a campaign (early, or after its end to seal its tally). A closed campaign's facts,
participants and inspections no longer change; joint inspections are started only while it is
under way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


class Phase:
    """Where a campaign stands for the table: its dates, or closed by the office."""

    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"  # past its last day, not yet closed: the office still completes the tally
    CLOSED = "closed"


def phase_of(
    *, start: datetime.date, end: datetime.date, closed: bool, today: datetime.date
) -> str:
    if closed:
        return Phase.CLOSED
    if today < start:
        return Phase.PLANNED
    if today > end:
        return Phase.ENDED
    return Phase.ACTIVE


@dataclass(frozen=True)
class Action:
    name: str
    permission: str
    allowed_in: frozenset[str]


OPEN = frozenset({Phase.PLANNED, Phase.ACTIVE, Phase.ENDED})

ACTIONS: dict[str, Action] = {
    "edit": Action("edit", "campaigns.manage", OPEN),
    "close": Action("close", "campaigns.manage", OPEN),
    "manage_participants": Action("manage_participants", "campaigns.manage", OPEN),
    "link_inspections": Action("link_inspections", "campaigns.take_part", OPEN),
    "start_inspection": Action(
        "start_inspection", "campaigns.take_part", frozenset({Phase.ACTIVE})
    ),
}


def allowed_in(action: str, phase: str) -> bool:
    return phase in ACTIONS[action].allowed_in


__all__ = ["ACTIONS", "OPEN", "Action", "Phase", "allowed_in", "phase_of"]
