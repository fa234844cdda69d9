"""Filters of the audit browser, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from anjian.audit.models import AuditEntry


def object_type_choices() -> list[tuple[str, str]]:
    """``("units.unit", "supervised unit")`` for every model of anjian and the user model."""
    choices = []
    for model in apps.get_models():
        if model.__module__.startswith("anjian.") and model is not AuditEntry:
            choices.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(choices, key=lambda choice: choice[0])


class AuditEntryFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(
        label=_("Action"),
        method="filter_action",
        help_text=_("For example “unit.created”, or “unit.” for every unit action."),
    )
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("Actor")
    )
    date_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Object type"), choices=object_type_choices, method="filter_object_type"
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter_action(self, queryset, name, value):
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)

    def filter_object_type(self, queryset, name, value):
        app_label, _dot, model = value.partition(".")
        return queryset.filter(target_type__app_label=app_label, target_type__model=model)
