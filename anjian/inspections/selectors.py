"""Reads of inspections, always scoped (``Inspection.objects.for_action``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from anjian.core.filters import IdFilter
from anjian.core.navigation import url_or_none
from anjian.inspections.choices import InspectionKind, InspectionStatus, ItemResult
from anjian.inspections.models import (
    ChecklistSection,
    Inspection,
    InspectionResult,
    ResultPhoto,
)
from anjian.inspections.services import (
    INSPECT,
    VIEW,
    checklists_for,
    inspection_get_for,
    may_cancel,
)
from anjian.units.models import Unit

__all__ = [
    "InspectionFilterSet",
    "inspection_detail_for",
    "inspection_list_for",
    "unit_inspections_tab",
]


def _count(value: str):
    return Count("results", filter=Q(results__result=value))


class InspectionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=InspectionStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InspectionKind.choices)
    unit = IdFilter(label=_("Unit"), field_name="unit_id")
    date_from = django_filters.DateFilter(
        label=_("Started from"),
        field_name="started_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Started until"),
        field_name="started_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Inspection
        fields = ["status", "kind", "unit", "date_from", "date_to"]


def inspection_search_q(text: str) -> Q:
    return (
        Q(unit__name__icontains=text)
        | Q(place__icontains=text)
        | Q(checklist__template__name__icontains=text)
        | Q(lead__name__icontains=text)
    )


@dataclass
class _Request:
    user: object


def inspection_list_for(user, filters: Mapping | None = None, *, search: str = "", request=None):
    """(queryset, filterset): the inspections ``user`` may see, filtered, with their counts of
    passed, failed, not applicable and unanswered items — one query per page."""
    qs = (
        Inspection.objects.visible_to(user)
        .select_related("unit__region", "checklist__template", "lead")
        .annotate(
            n_pass=_count(ItemResult.PASS),
            n_fail=_count(ItemResult.FAIL),
            n_na=_count(ItemResult.NOT_APPLICABLE),
            n_unchecked=_count(ItemResult.UNCHECKED),
        )
        .order_by("-started_at", "-pk")
    )
    search = (search or "").strip()
    if search:
        qs = qs.filter(inspection_search_q(search))
    filterset = InspectionFilterSet(filters or {}, queryset=qs, request=request or _Request(user))
    return filterset.qs, filterset


@dataclass
class SectionResults:
    section: ChecklistSection
    results: list[InspectionResult] = field(default_factory=list)


def inspection_detail_for(user, pk: int) -> dict:
    """The inspection, its results grouped by section (with photos and hazards), the counts, and
    what ``user`` may do with it."""
    inspection = inspection_get_for(user, pk, action=VIEW)
    results = list(
        InspectionResult.objects.filter(inspection=inspection)
        .select_related("item__section", "hazard", "answered_by")
        .prefetch_related(Prefetch("photos", queryset=ResultPhoto.objects.order_by("pk")))
        .order_by("item__section__order", "item__section_id", "item__order", "item_id")
    )
    sections: list[SectionResults] = []
    for number, result in enumerate(results, 1):
        result.number = number
        if not sections or sections[-1].section.pk != result.item.section_id:
            sections.append(SectionResults(result.item.section))
        sections[-1].results.append(result)
    counts = {value: 0 for value in ItemResult.values}
    for result in results:
        counts[result.result] += 1
    can_inspect = (
        not inspection.is_locked
        and Inspection.objects.for_action(user, INSPECT).filter(pk=inspection.pk).exists()
    )
    return {
        "inspection": inspection,
        "sections": sections,
        "results": results,
        "counts": counts,
        "answered": len(results) - counts[ItemResult.UNCHECKED],
        "total": len(results),
        "failed": [r for r in results if r.result == ItemResult.FAIL],
        "unanswered": [r for r in results if r.result == ItemResult.UNCHECKED],
        "hazards": [r.hazard for r in results if r.hazard_id],
        "officers": list(inspection.officers.order_by("pk")),
        "can_inspect": can_inspect,
        "can_cancel": can_inspect and may_cancel(user, inspection),
    }


def unit_inspections_tab(user, unit) -> dict:
    """The unit page's inspections tab: the unit's latest inspections and the start button."""
    qs, _filterset = inspection_list_for(user, {"unit": unit.pk})
    can_start = Unit.objects.for_action(user, INSPECT).filter(pk=unit.pk).exists()
    # A scanned QR code leads an inspector here: the unit's tasks of the annual plan (anjian.plans).
    tasks_url = url_or_none("plans:unit_tasks", unit.pk) if can_start else None
    return {
        "inspections": list(qs[:20]),
        "count": qs.count(),
        "can_start": can_start,
        "tasks_url": tasks_url,
    }


def checklists_for_unit(user, unit) -> list:
    """The published checklists ``user`` may use at ``unit``, those suited to it first
    (``templates.templates_for_unit`` decides what suits)."""
    from anjian.inspections.templates import templates_for_unit

    versions = list(
        checklists_for(user).select_related("template").order_by("template__sort_order", "pk")
    )
    rank: dict[int, int] = {}
    for index, template in enumerate(templates_for_unit(user, unit)):
        rank.setdefault(template.pk, index)
    for version in versions:
        version.suited = version.template_id in rank
    versions.sort(
        key=lambda v: (rank.get(v.template_id, len(rank)), v.template.sort_order, v.template.name)
    )
    return versions
