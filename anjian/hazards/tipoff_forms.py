"""Input forms of public tip-offs: the public form (also parses the API's multipart), the
follow-up by receipt code, the office's accept and dismiss forms and the list filters.

Forms validate and normalise; ``anjian.hazards.tipoffs`` checks again and writes.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anjian.core.validators import validate_mobile
from anjian.hazards import tipoffs
from anjian.hazards.choices import HazardCategory, HazardLevel, HazardType, TipOffStatus
from anjian.hazards.models import HazardSubGrade, TipOff

HONEYPOT = "website"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (or on the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None
                for message in errors:
                    self.add_error(target, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files under one name; the list may be empty."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- The public form -------------------------------------------------------------------------------


def town_choices() -> list:
    """Towns by their statistical code (no internal id on a public page), grouped by district when
    there are several districts."""
    towns = list(tipoffs.tipoff_towns())
    districts: dict[str, list] = {}
    for town in towns:
        districts.setdefault(town.parent.name if town.parent_id else "", []).append(
            (town.code, town.name)
        )
    if len(districts) <= 1:
        return [("", _("Choose the town"))] + [(t.code, t.name) for t in towns]
    return [("", _("Choose the town")), *districts.items()]


class TipOffForm(ServiceErrorsMixin, forms.Form):
    town = forms.ChoiceField(label=_("Town"))
    unit = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    place = forms.CharField(
        label=_("Where"),
        max_length=tipoffs.MAX_PLACE,
        help_text=_("The address, the name of the shop or factory, or a landmark nearby."),
    )
    description = forms.CharField(
        label=_("What you saw"),
        max_length=tipoffs.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("At most 2000 characters."),
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Up to 3 photos (JPEG, PNG or WebP), each at most 10 MB."),
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"), max_length=tipoffs.MAX_CONTACT_NAME, required=False
    )
    contact_phone = forms.CharField(
        label=_("Your mobile (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Only if the office may call you back about this tip-off."),
    )
    consent = forms.BooleanField(
        label=_(
            "What I report is true to the best of my knowledge. My name and mobile are used only "
            "to follow up this tip-off and are never shown to the unit reported."
        ),
        error_messages={"required": _("Tick the box to confirm before sending.")},
    )
    # A field people never see: a robot that fills it in is not a person.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = town_choices()
        self.fields["place"].widget.attrs.setdefault("autocomplete", "off")
        self.unit_obj = None

    def is_robot(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_town(self):
        code = self.cleaned_data["town"]
        town = tipoffs.tipoff_towns().filter(code=code).first()
        if town is None:
            raise ValidationError(_("Choose the town where you saw the hazard."))
        return town

    def clean_unit(self):
        token = self.cleaned_data.get("unit", "")
        self.unit_obj = tipoffs.tipoff_unit_by_token(token) if token else None
        return token

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "").strip()
        return validate_mobile(phone) if phone else ""

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > tipoffs.MAX_PHOTOS:
            raise ValidationError(_("Send at most 3 photos."))
        return photos

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "town_id": data["town"].pk,
            "place": data["place"],
            "description": data["description"],
            "photos": data.get("photos") or [],
            "contact_name": data.get("contact_name", ""),
            "contact_phone": data.get("contact_phone", ""),
            "unit": self.unit_obj,
        }


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("The 12 letters and digits shown when you sent the tip-off."),
    )


# --- The office ---------------------------------------------------------------------------------------


class AcceptForm(ServiceErrorsMixin, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    unit_id = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    location = forms.CharField(label=_("Location"), max_length=200)
    description = forms.CharField(
        label=_("Description of the hazard"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The unit will read this. Leave out anything that could identify the reporter."
        ),
    )
    hazard_type = forms.ChoiceField(label=_("Type"), choices=HazardType.choices)
    category = forms.ChoiceField(label=_("Category"), choices=HazardCategory.choices)
    level = forms.ChoiceField(
        label=_("Hazard level"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL
    )
    sub_grade = forms.ModelChoiceField(
        label=_("Sub-grade"), queryset=HazardSubGrade.objects.none(), required=False
    )
    requirement = forms.CharField(
        label=_("Rectification requirement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), max_length=50, required=False
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("With a deadline (or working days) rectification is ordered at once."),
    )
    working_days = forms.IntegerField(
        label=_("Or: working days allowed"), min_value=1, max_value=365, required=False
    )

    def __init__(self, *args, tipoff: TipOff, units, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "expected_version": tipoff.version,
                "unit_id": tipoff.unit_id,
                "location": tipoff.place,
                "description": tipoff.description,
                "level": HazardLevel.GENERAL,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [("", _("Choose the unit"))] + [
            (u.pk, u.name) for u in units
        ]
        # The shared sub-grades and the tip-off's own town's: never another town's.
        self.fields["sub_grade"].queryset = HazardSubGrade.objects.filter(
            Q(town__isnull=True) | Q(town_id=tipoff.town_id), is_active=True
        )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        data.pop("unit_id", None)
        if data.get("sub_grade") is not None:
            data["sub_grade"] = data["sub_grade"].pk
        return {k: v for k, v in data.items() if v not in (None, "")}


class DismissForm(ServiceErrorsMixin, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (kept in the office)"),
        max_length=tipoffs.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public_reply = forms.CharField(
        label=_("Reply to the reporter"),
        max_length=tipoffs.MAX_REPLY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to whoever enters the receipt code. Do not name people or units."),
    )


class TipOffFilterSet(django_filters.FilterSet):
    """Filters of the office's tip-off list: state and the day received."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=TipOffStatus.choices)
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        field_name="created_at__date",
        lookup_expr="gte",
        widget=DateInput(),
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"), field_name="created_at__date", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = TipOff
        fields = ["status", "received_from", "received_to"]
