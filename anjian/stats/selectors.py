"""Reads of the statistics: stored runs (scoped), and a stored run compared with today's figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from anjian.stats.figures import TOTAL, StatsResult, figures_compute
from anjian.stats.models import StoredRun
from anjian.stats.services import period_of_params

VIEW = "stats.view"


def stored_runs_for(user):
    return StoredRun.objects.for_action(user, VIEW).select_related("created_by", "region")


def stored_run_get_for(user, run_id: int) -> StoredRun:
    run = stored_runs_for(user).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such report run.")
    return run


@dataclass
class Change:
    section: str
    key: str
    label: str
    area: str
    area_name: str
    stored: Any
    now: Any


@dataclass
class Comparison:
    current: StatsResult | None
    changes: list[Change]
    same: bool
    error: str = ""


def stored_run_compare(user, run: StoredRun) -> Comparison:
    """The run's parameters computed again, now, as ``user`` sees them; figure by figure, what
    differs from what was stored."""
    params = run.params or {}
    try:
        current = figures_compute(
            user,
            period_of_params(params),
            region_id=params.get("region_id"),
            committee_id=params.get("committee_id"),
        )
    except ValidationError as exc:
        return Comparison(None, [], False, error="; ".join(exc.messages))
    stored_rows = {
        row["key"]: (section["title"], row)
        for section in run.result.get("sections", [])
        for row in section.get("rows", [])
    }
    names = {a["key"]: a["name"] for a in run.result.get("areas", [])}
    names.update({a.key: a.name for a in current.areas})
    now_rows = {row.key: (s.title, row) for s in current.sections for row in s.rows}
    changes: list[Change] = []
    for key in list(stored_rows) + [k for k in now_rows if k not in stored_rows]:
        title, stored = stored_rows.get(key, (None, None))
        now_title, now_row = now_rows.get(key, (None, None))
        stored_values = stored["values"] if stored else {}
        now_values = now_row.values if now_row else {}
        label = stored["label"] if stored else now_row.label
        for area in sorted(set(stored_values) | set(now_values), key=lambda a: (a == TOTAL, a)):
            before, after = stored_values.get(area), now_values.get(area)
            if before != after:
                changes.append(
                    Change(
                        section=title or now_title or "",
                        key=key,
                        label=label,
                        area=area,
                        area_name=names.get(area, area),
                        stored=before,
                        now=after,
                    )
                )
    return Comparison(current, changes, current.figures_hash() == run.result_hash)
