"""The statistics (``anjian.stats``) in the access walk: a stored report run in every town, stored
by the town's office; the figures, their export and the runs through the API."""

from __future__ import annotations

from typing import Any

from anjian.stats.models import StoredRun
from anjian.stats.periods import PeriodKind, period_make
from anjian.stats.services import stored_run_create

FUNCTION_VIEW_OBJECTS: dict[str, tuple[type, str]] = {
    "stats:run_detail": (StoredRun, "stats.view"),
    "stats:run_xlsx": (StoredRun, "stats.view"),
}
# ``run_id`` names the units' import runs: the statistics' runs are ``stats_run_id``.
PATH_PARAMS: dict[str, tuple[type, str]] = {
    "stats_run_id": (StoredRun, "stats.view"),
}
LIST_OPERATIONS: dict[str, tuple[type, str]] = {
    "statistics_runs_list": (StoredRun, "stats.view"),
}
ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "statistics_figures": ("stats.view", None),
    "statistics_figures_export": ("stats.view", None),
    "statistics_runs_create": ("stats.store_runs", {"kind": "year", "year": 2026}),
}


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    """The 2026 figures of every town, stored by the town's office."""
    offices = {unit.region.parent_id: office for unit, office in recorders.items()}
    year = period_make(PeriodKind.YEAR, year=2026)
    for town in towns:
        office = offices.get(town.pk)
        if office is not None and not StoredRun.objects.filter(region=town).exists():
            stored_run_create(actor=office, period=year, label=f"{town.name}2026年统计")
