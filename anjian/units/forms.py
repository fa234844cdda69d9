"""Input forms of the unit register. They only parse input: the services validate the facts
(credit code, mobiles, GPS, industry code…) and write; their errors come back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.regions.models import Region, RegionLevel
from anjian.regions.shared import shared_or_own_q
from anjian.teams.models import Committee, CommitteeKind
from anjian.units.models import (
    Category,
    CategoryGroup,
    Grade,
    Standardisation,
    Unit,
    UnitKind,
    UnitSize,
    UnitStatus,
)
from anjian.units.services import CHANGE, industry_table


class ServiceErrorsMixin:
    """Put a service's ValidationError on the matching fields (or on the form)."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None  # type: ignore[attr-defined]
                for message in errors:
                    self.add_error(target, message)  # type: ignore[attr-defined]
        else:
            for message in exc.messages:
                self.add_error(None, message)  # type: ignore[attr-defined]


def _blank(choices) -> list[tuple[str, Any]]:
    return [("", "---------"), *choices]


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.get_group_display()} · {obj.name}"


class UnitForm(ServiceErrorsMixin, forms.Form):
    """The register facts of a unit, for creating (``unit`` None) or editing one."""

    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=40,
        help_text=_("18 characters; lower case and spaces are accepted."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=UnitStatus.choices)
    region = forms.ModelChoiceField(label=_("Village or community"), queryset=Region.objects.none())
    committee = forms.ModelChoiceField(
        label=_("Sector committee"),
        queryset=Committee.objects.none(),
        required=False,
        help_text=_("Leave empty on a new unit: the rules choose it from the kind and categories."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=50, required=False
    )
    principal_name = forms.CharField(
        label=_("Principal (主要负责人)"), max_length=50, required=False
    )
    principal_mobile = forms.CharField(label=_("Principal's mobile"), max_length=30, required=False)
    latitude = forms.CharField(
        label=_("Latitude"), max_length=20, required=False, help_text=_("e.g. 29.931200")
    )
    longitude = forms.CharField(
        label=_("Longitude"), max_length=20, required=False, help_text=_("e.g. 119.862300")
    )
    industry_code = forms.CharField(
        label=_("Industry code (GB/T 4754)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"list": "industry-codes"}),
        help_text=_("A section letter and 2–4 digits, e.g. C3311."),
    )
    industry_name = forms.CharField(
        label=_("Industry"),
        max_length=100,
        required=False,
        help_text=_("Filled from the code when left empty."),
    )
    size = forms.ChoiceField(label=_("Size"), choices=_blank(UnitSize.choices), required=False)
    employees = forms.IntegerField(label=_("Employees"), required=False)
    standardisation = forms.ChoiceField(label=_("Standardisation"), choices=Standardisation.choices)
    categories = CategoryChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    grade = forms.ChoiceField(
        label=_("Supervision grade"), choices=_blank(Grade.choices), required=False
    )
    grade_reason = forms.CharField(
        label=_("Reason for the grade"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the grade differs from the suggested one."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the village or the sector committee changes."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, user, *args, unit: Unit | None = None, **kwargs):
        self.unit = unit
        if unit is not None and "initial" not in kwargs:
            kwargs["initial"] = unit_initial(unit)
        super().__init__(*args, **kwargs)
        villages = Region.objects.for_action(user, CHANGE).filter(level=RegionLevel.VILLAGE)
        self.fields["region"].queryset = villages.select_related("parent").order_by("path")
        self.fields["region"].label_from_instance = lambda r: (
            f"{r.parent.name} · {r.name}" if r.parent_id else r.name
        )
        self.fields["committee"].queryset = Committee.objects.filter(
            kind=CommitteeKind.SPECIALISED, region_id__in=villages.values("parent_id")
        ).order_by("region", "sort_order", "pk")
        # The shared categories and the user's towns' own (never another town's), plus those
        # the unit already has.
        categories = Category.objects.filter(shared_or_own_q(user, CHANGE), is_active=True)
        if unit is not None:
            categories = categories | Category.objects.filter(units=unit)
        self.fields["categories"].queryset = categories.distinct().order_by(
            "group", "sort_order", "pk"
        )
        if unit is None:
            del self.fields["reason"]
            del self.fields["version"]
        else:
            self.fields["version"].required = True

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        data.pop("version", None)
        data["categories"] = list(data.get("categories") or [])
        return data

    @staticmethod
    def industries() -> list[tuple[str, str]]:
        return sorted(industry_table().items())


def unit_initial(unit: Unit) -> dict[str, Any]:
    return {
        **{
            key: getattr(unit, key)
            for key in (
                "name",
                "credit_code",
                "kind",
                "status",
                "address",
                "legal_representative",
                "principal_name",
                "principal_mobile",
                "industry_code",
                "industry_name",
                "size",
                "employees",
                "standardisation",
                "grade",
                "grade_reason",
                "version",
            )
        },
        "region": unit.region_id,
        "committee": unit.committee_id,
        "latitude": "" if unit.latitude is None else str(unit.latitude),
        "longitude": "" if unit.longitude is None else str(unit.longitude),
        "categories": [c.pk for c in unit.categories.all()],
    }


class CategoryForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits, - and _; used by imports and the API."),
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    group = forms.ChoiceField(label=_("Group"), choices=CategoryGroup.choices)
    grade_floor = forms.ChoiceField(
        label=_("At least this grade"),
        choices=_blank(Grade.choices),
        required=False,
        help_text=_("A unit with this category is suggested at least this grade."),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        help_text=_("A category no longer in use is not offered for units any more."),
    )
