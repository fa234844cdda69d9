"""Forms of the QR, public page, invitation, activation and own-unit pages: input checks only;
the services validate the facts again and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.units.enterprise import INVITABLE_ROLES
from anjian.units.models import PersonRole


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when the field is
    not on it)."""
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class PublicProfileForm(forms.Form):
    show_grade = forms.BooleanField(label=_("Show the grade colour"), required=False)
    show_safety_officer_phone = forms.BooleanField(
        label=_("Show the safety officer's phone"), required=False
    )
    show_kind = forms.BooleanField(label=_("Show the kind of unit"), required=False)
    show_address = forms.BooleanField(label=_("Show the address"), required=False)


class InvitationForm(forms.Form):
    person_role = forms.ChoiceField(
        label=_("Invite as"),
        choices=[(role.value, role.label) for role in PersonRole if role in INVITABLE_ROLES],
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("The person activates the account with this number and the code."),
    )


class ActivationForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    code = forms.CharField(
        label=_("Activation code"),
        max_length=20,
        help_text=_("The 8 digits the town safety office gave you."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters, not only digits, not a common password. If you already have "
            "an account with this mobile number, enter its current password."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("The two passwords differ. Enter the same one twice."))
        return data


class OwnUnitForm(forms.Form):
    """The enterprise's own facts. The first group changes at once; the key facts go to the
    office."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )
    principal_mobile = forms.CharField(label=_("Principal's mobile"), max_length=20, required=False)
    safety_officer_name = forms.CharField(label=_("Safety officer"), max_length=50, required=False)
    safety_officer_mobile = forms.CharField(
        label=_("Safety officer's mobile"), max_length=20, required=False
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=30, required=False
    )
    principal_name = forms.CharField(
        label=_("Principal (主要负责人)"), max_length=50, required=False
    )
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=50, required=False
    )

    ORDINARY = (
        "address",
        "employees",
        "latitude",
        "longitude",
        "principal_mobile",
        "safety_officer_name",
        "safety_officer_mobile",
    )
    KEY = ("name", "credit_code", "principal_name", "legal_representative")


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the enterprise"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
