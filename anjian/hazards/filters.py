"""Filters, queues and sort orders of the hazard lists, shared by the pages and the API.

Choices of village and committee are those of the units the user may see, so that a filter never
names anything outside the user's scope.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.filters import IdFilter, ModelChoiceFilter
from anjian.hazards.choices import (
    OPEN_STATUSES,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardType,
)
from anjian.hazards.models import Hazard
from anjian.regions.models import Region
from anjian.teams.models import Committee
from anjian.units.models import Unit

CODE_RE = re.compile(r"^YH(?:\d{4})?-?0*(\d+)$", re.IGNORECASE)


class Queue:
    """The ready-made lists each role starts from."""

    OPEN = "open"
    RECHECK = "recheck"
    OVERDUE = "overdue"
    MAJOR = "major"
    EXTENSIONS = "extensions"
    ALL = "all"


QUEUE_CHOICES = [
    (Queue.OPEN, _("Open hazards")),
    (Queue.RECHECK, _("Awaiting my re-check")),
    (Queue.OVERDUE, _("Overdue")),
    (Queue.MAJOR, _("Major hazards, open")),
    (Queue.EXTENSIONS, _("Extension requests to decide")),
    (Queue.ALL, _("All hazards")),
]

SORTS = {
    "-found": ("-found_at", "-pk"),
    "found": ("found_at", "pk"),
    "deadline": (F("deadline").asc(nulls_last=True), "pk"),
    "-deadline": (F("deadline").desc(nulls_last=True), "-pk"),
    "unit": ("unit__name", "-found_at", "-pk"),
}
SORT_CHOICES = [
    ("-found", _("Newest found first")),
    ("found", _("Oldest found first")),
    ("deadline", _("Deadline, soonest first")),
    ("-deadline", _("Deadline, latest first")),
    ("unit", _("Unit name")),
]


def hazard_search_q(text: str) -> Q:
    """Search by number (YH2026-000123 or 123), unit name, location or description."""
    text = text.strip()
    q = (
        Q(description__icontains=text)
        | Q(location__icontains=text)
        | Q(unit__name__icontains=text)
        | Q(unit__name_initials__icontains=text.lower())
    )
    match = CODE_RE.match(text.replace(" ", ""))
    if match:
        q |= Q(pk=int(match.group(1)))
    elif text.isdigit():
        q |= Q(pk=int(text))
    return q


def queue_filter(queryset, user, queue: str | None, today=None):
    """Narrow ``queryset`` (already scoped to what ``user`` sees) to one of the queues."""
    today = today or timezone.localdate()
    if queue in (None, "", Queue.OPEN):
        return queryset.filter(status__in=OPEN_STATUSES)
    if queue == Queue.RECHECK:
        rechecker = Hazard.objects.for_action(user, "hazards.recheck")
        qs = queryset.filter(status=HazardStatus.SUBMITTED, pk__in=rechecker.values("pk"))
        return qs.exclude(submitted_by=user)
    if queue == Queue.OVERDUE:
        return queryset.overdue(today)
    if queue == Queue.MAJOR:
        return queryset.filter(level=HazardLevel.MAJOR, status__in=OPEN_STATUSES)
    if queue == Queue.EXTENSIONS:
        return queryset.filter(
            status=HazardStatus.RECTIFYING, extensions__status="pending"
        ).distinct()
    return queryset


def hazard_filter(queryset, user, cleaned, *, today=None):
    """Narrow ``queryset`` (already scoped to what ``user`` sees) by cleaned filter values — those of
    the list page's form or of the API's query schema: the one place the filter rules live.

    Keys (all optional): queue, status, level, source, category, hazard_type, town, region,
    committee, unit, found_by, overdue (True/False/None), found_from, found_to, deadline_to,
    sort."""
    today = today or timezone.localdate()
    queryset = queue_filter(queryset, user, cleaned.get("queue") or Queue.OPEN, today)
    for name in ("status", "level", "source", "category", "hazard_type"):
        if value := cleaned.get(name):
            queryset = queryset.filter(**{name: value})
    if town := cleaned.get("town"):
        queryset = queryset.filter(unit__region__parent=town)
    if region := cleaned.get("region"):
        queryset = queryset.filter(unit__region=region)
    if committee := cleaned.get("committee"):
        queryset = queryset.filter(unit__committee=committee)
    if (unit := cleaned.get("unit")) is not None:
        queryset = queryset.filter(unit_id=unit)
    if (found_by := cleaned.get("found_by")) is not None:
        queryset = queryset.filter(found_by_id=found_by)
    if (overdue := cleaned.get("overdue")) is not None:
        late = queryset.overdue(today).values("pk")
        queryset = queryset.filter(pk__in=late) if overdue else queryset.exclude(pk__in=late)
    if found_from := cleaned.get("found_from"):
        queryset = queryset.filter(found_at__date__gte=found_from)
    if found_to := cleaned.get("found_to"):
        queryset = queryset.filter(found_at__date__lte=found_to)
    if deadline_to := cleaned.get("deadline_to"):
        queryset = queryset.filter(deadline__lte=deadline_to)
    return queryset.order_by(*SORTS.get(cleaned.get("sort") or "-found", SORTS["-found"]))


def village_choices(user):
    """The villages a filter may name: those of the units ``user`` may see."""
    units = Unit.objects.visible_to(user)
    return Region.objects.filter(pk__in=units.values("region_id"))


def town_choices(user):
    """The towns a filter may name: those of the units ``user`` may see (a district has several)."""
    units = Unit.objects.visible_to(user)
    return Region.objects.filter(pk__in=units.values("region__parent_id"))


def committee_choices(user):
    """The sector committees a filter may name: those of the units ``user`` may see."""
    units = Unit.objects.visible_to(user)
    return Committee.objects.filter(pk__in=units.values("committee_id"))


def _villages(request):
    return village_choices(getattr(request, "user", None))


def _towns(request):
    return town_choices(getattr(request, "user", None))


def _committees(request):
    return committee_choices(getattr(request, "user", None))


class HazardFilterSet(django_filters.FilterSet):
    """The list page's filter form; ``filter_queryset`` hands the cleaned values to
    ``hazard_filter``."""

    queue = django_filters.ChoiceFilter(label=_("List"), choices=QUEUE_CHOICES, empty_label=None)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=HazardStatus.choices)
    level = django_filters.ChoiceFilter(label=_("Hazard level"), choices=HazardLevel.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=HazardSource.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=HazardCategory.choices)
    hazard_type = django_filters.ChoiceFilter(label=_("Type"), choices=HazardType.choices)
    town = ModelChoiceFilter(label=_("Town"), queryset=_towns, field_name="unit__region__parent")
    region = ModelChoiceFilter(
        label=_("Village or community"), queryset=_villages, field_name="unit__region"
    )
    committee = ModelChoiceFilter(
        label=_("Sector committee"), queryset=_committees, field_name="unit__committee"
    )
    unit = IdFilter(label=_("Unit"), field_name="unit_id")
    found_by = IdFilter(label=_("Found by"), field_name="found_by_id")
    overdue = django_filters.BooleanFilter(label=_("Overdue"), widget=forms.NullBooleanSelect)
    found_from = django_filters.DateFilter(
        label=_("Found from"), field_name="found_at__date", lookup_expr="gte"
    )
    found_to = django_filters.DateFilter(
        label=_("Found until"), field_name="found_at__date", lookup_expr="lte"
    )
    deadline_to = django_filters.DateFilter(
        label=_("Deadline until"), field_name="deadline", lookup_expr="lte"
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, empty_label=None)

    class Meta:
        model = Hazard
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if isinstance(field, forms.DateField):
                field.widget.input_type = "date"
        self.form.fields["sort"].required = False
        self.form.fields["queue"].required = False

    def filter_queryset(self, queryset):
        # The rules live in ``hazard_filter`` (the API applies them without a form).
        return hazard_filter(queryset, getattr(self.request, "user", None), self.form.cleaned_data)
