"""Filters and sort orders of the unit list, shared by the page and the API.

The choices of village, committee and expert are those of the units the user may see, so that a
filter never names a village, committee or engineer outside the user's scope.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from anjian.core.filters import ModelChoiceFilter
from anjian.regions.models import Region
from anjian.teams.models import Committee
from anjian.units.models import (
    GRADE_ORDER,
    AssignmentStatus,
    Engineer,
    ExpertAssignment,
    Grade,
    Unit,
    UnitKind,
    UnitStatus,
)
from anjian.units.services import categories_for


def _visible_units(request):
    return Unit.objects.visible_to(getattr(request, "user", None))


def _villages(request):
    return Region.objects.filter(pk__in=_visible_units(request).values("region_id"))


def _committees(request):
    return Committee.objects.filter(pk__in=_visible_units(request).values("committee_id"))


def _categories(request):
    """The shared categories and the user's towns' own: never another town's."""
    return categories_for(request.user)


def _experts(request):
    active = ExpertAssignment.objects.filter(
        status=AssignmentStatus.ACTIVE, unit__in=_visible_units(request)
    )
    return Engineer.objects.filter(pk__in=active.values("engineer_id")).order_by("name", "pk")


def grade_rank():
    """An expression ranking the grade most watched first (red 0 … blue 3, none 4)."""
    return Case(
        *(When(grade=str(g), then=Value(i)) for i, g in enumerate(GRADE_ORDER)),
        default=Value(len(GRADE_ORDER)),
        output_field=IntegerField(),
    )


SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "grade": ("grade_rank", "name", "pk"),
    "-grade": ("-grade_rank", "name", "pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
SORT_CHOICES = [
    ("name", _("Name")),
    ("grade", _("Grade, most watched first")),
    ("-grade", _("Grade, least watched first")),
    ("-updated", _("Recently changed")),
    ("updated", _("Longest unchanged")),
    ("-name", _("Name, reversed")),
]


class UnitFilterSet(django_filters.FilterSet):
    region = ModelChoiceFilter(label=_("Village or community"), queryset=_villages)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    category = ModelChoiceFilter(label=_("Category"), queryset=_categories, field_name="categories")
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=[*Grade.choices, ("none", _("Not graded"))], method="by_grade"
    )
    committee = ModelChoiceFilter(label=_("Sector committee"), queryset=_committees)
    expert = ModelChoiceFilter(label=_("Expert"), queryset=_experts, method="by_expert")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UnitStatus.choices)
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="by_sort", empty_label=None
    )

    class Meta:
        model = Unit
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.form.fields["sort"].required = False

    def by_grade(self, queryset, name, value):
        if value == "none":
            return queryset.filter(grade="")
        return queryset.filter(grade=value)

    def by_expert(self, queryset, name, value):
        active = ExpertAssignment.objects.filter(status=AssignmentStatus.ACTIVE, engineer=value)
        return queryset.filter(pk__in=active.values("unit_id"))

    def by_sort(self, queryset, name, value):
        return sort_units(queryset, value)


def sort_units(queryset, value: str | None):
    order = SORTS.get(value or "name", SORTS["name"])
    if "grade_rank" in order[0]:
        queryset = queryset.alias(grade_rank=grade_rank())
    return queryset.order_by(*order)
