"""Writes of the statistics: storing a report run (the only writer of ``StoredRun``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.core.scoping import get_scope
from anjian.regions.models import Region, RegionLevel
from anjian.stats.figures import StatsResult, figures_compute
from anjian.stats.models import StoredRun
from anjian.stats.periods import Period, period_make

STORE = "stats.store_runs"
MAX_LABEL = 120


def _common_path(paths: list[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    return "/" + "/".join(common) + "/" if common else ""


def _run_region(actor, result: StatsResult) -> Region | None:
    """The region a run belongs to (and is seen within): the narrowed town or village; else the
    region of the actor's assignments (a town, a district); else the smallest region holding
    the committee's town or every town of the figures."""
    if result.region_id is not None:
        return Region.objects.filter(pk=result.region_id).first()
    if result.committee_id is not None and len(result.areas) == 1:
        return Region.objects.filter(pk=int(result.areas[0].key)).first()
    paths = sorted(get_scope(actor).paths_for(STORE))
    if not paths:
        return None
    return Region.objects.filter(path=_common_path(paths)).first()


def period_of_params(params: dict[str, Any]) -> Period:
    period = params.get("period") or {}
    return period_make(
        period.get("kind", ""),
        year=period.get("year"),
        month=period.get("month"),
        quarter=period.get("quarter"),
        start=period.get("start"),
        end=period.get("end"),
    )


@transaction.atomic
def stored_run_create(
    *,
    actor,
    period: Period,
    region_id: int | None = None,
    committee_id: int | None = None,
    label: str = "",
) -> StoredRun:
    """Compute the figures as ``actor`` sees them and keep them with their parameters."""
    if not get_scope(actor).can(STORE):
        raise PermissionDenied(_("Your roles do not include storing report runs."))
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise ValidationError({"label": [_("Keep the label under 120 characters.")]})
    result = figures_compute(actor, period, region_id=region_id, committee_id=committee_id)
    region = _run_region(actor, result)
    # The stored parameters name the region the figures cover, so that whoever re-runs them
    # (another user of the same region) gets the same scope, not their own wider one.
    params_region = result.region_id
    if (
        params_region is None
        and committee_id is None
        and region is not None
        and region.level in (RegionLevel.TOWN, RegionLevel.VILLAGE)
    ):
        params_region = region.pk
    run = StoredRun(
        label=label or f"{result.scope_label} {period.label}",
        created_by=actor,
        region=region,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.last_day,
        params={
            "period": period.params(),
            "region_id": params_region,
            "committee_id": result.committee_id,
        },
        scope_label=result.scope_label[:200],
        result=result.as_dict(),
        result_hash=result.figures_hash(),
    )
    run.full_clean()
    run.save()
    audit_record(
        actor=actor,
        action="stats_run.stored",
        obj=run,
        region_id=region.pk if region else None,
        after={"params": run.params, "result_hash": run.result_hash},
    )
    return run
