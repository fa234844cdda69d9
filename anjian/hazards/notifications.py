"""Who hears of what happens to a hazard (in-app messages through ``anjian.notifications``).

Called after the transaction commits (``transaction.on_commit``), with ids, so a message never
announces something that was rolled back.
"""

from __future__ import annotations


def notify_major_hazard(*, hazard_id: int) -> None:
    """A major hazard was recorded (or raised to major): tell the town office and the leaders."""


def notify_hazard_event(*, event_id: int) -> None:
    """Tell the people concerned of one timeline event (the unit of an order, the re-checkers of a
    submission, the office of an extension request…)."""
