"""What the apps above the units app add to a unit, registered from their ``AppConfig.ready()``
so that the units app imports none of them (the layering contracts in ``pyproject.toml``).

The one real mutual need between units and hazards: a unit's grade counts its hazards of the last
twelve months, and a unit moving to another village relocks its hazards. The hazards app registers
both here (``HazardsConfig.ready``); the unit page's hazards and inspections tabs are registered the
same way by their apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

_hazard_history: Callable[[Iterable[int] | None], dict] | None = None
_moving: list[Callable[[int], None]] = []
_moved: list[Callable[[int], None]] = []
_tabs: dict[str, Callable[[Any, Any], Any]] = {}


def register_hazard_history(history: Callable[[Iterable[int] | None], dict]) -> None:
    """``history(unit_ids)``: unit id → its hazards of the last twelve months (``count``,
    ``major``); ``None`` for every unit."""
    global _hazard_history
    _hazard_history = history


def register_unit_move(*, moving: Callable[[int], None], moved: Callable[[int], None]) -> None:
    """``moving(unit_id)`` runs before a unit changes village, ``moved(unit_id)`` after."""
    if moving not in _moving:
        _moving.append(moving)
    if moved not in _moved:
        _moved.append(moved)


def register_unit_tab(key: str, tab: Callable[[Any, Any], Any]) -> None:
    """``tab(user, unit)``: the context of the unit page's ``<key>_tab``."""
    _tabs[key] = tab


def hazard_history(unit_ids: Iterable[int] | None) -> dict:
    if _hazard_history is None:  # pragma: no cover - hazards is always installed
        return {}
    return _hazard_history(unit_ids)


def unit_moving(unit_id: int) -> None:
    for moving in _moving:
        moving(unit_id)


def unit_moved(unit_id: int) -> None:
    for moved in _moved:
        moved(unit_id)


def unit_tab(key: str, user: Any, unit: Any) -> Any:
    tab = _tabs.get(key)
    return None if tab is None else tab(user, unit)
