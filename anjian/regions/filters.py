"""Filters of the region list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.regions.models import Region, RegionLevel


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("Level"), choices=RegionLevel.choices)

    class Meta:
        model = Region
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
