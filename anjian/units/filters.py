"""Filters of the unit list, shared by the page and the API.

The choices of village and committee are those of the units the user may see, so that a filter
never names a village or committee outside the user's scope.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.regions.models import Region
from anjian.teams.models import Committee
from anjian.units.models import Unit, UnitKind, UnitStatus


def _villages(request):
    user = getattr(request, "user", None)
    return Region.objects.filter(pk__in=Unit.objects.visible_to(user).values("region_id"))


def _committees(request):
    user = getattr(request, "user", None)
    return Committee.objects.filter(pk__in=Unit.objects.visible_to(user).values("committee_id"))


class UnitFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UnitStatus.choices)
    region = django_filters.ModelChoiceFilter(label=_("Village or community"), queryset=_villages)
    committee = django_filters.ModelChoiceFilter(label=_("Sector committee"), queryset=_committees)

    class Meta:
        model = Unit
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
