"""Input validation for the account pages. Forms never save domain rows: services do."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from anjian.accounts.roles import Role
from anjian.accounts.services import clean_mobile_number
from anjian.regions.models import Region
from anjian.teams.models import Committee
from anjian.units.models import Unit

MANAGE_USERS = "accounts.manage_users"

# Django 5.2 changed this message id, but its zh_Hans catalog still carries the old one; our
# catalog translates the new id so that the length rule speaks Chinese too.
DJANGO_PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)


class BootstrapMixin:
    """Bootstrap classes on every widget, ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = attrs.get("class", "") + " is-invalid"

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (or the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None
                for message in errors:
                    self.add_error(target, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)
        self._mark_invalid()


class LoginForm(BootstrapMixin, forms.Form):
    login = forms.CharField(
        label=_("User name or mobile number"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
        help_text=_("The code your authenticator app shows for anjian."),
    )


class PasswordChangeForm(BootstrapMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError(gettext("The current password is wrong."))
        return value

    def clean(self):
        data = super().clean()
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", gettext("The two new passwords differ."))
        elif new1:
            if new1 == data.get("old_password"):
                self.add_error(
                    "new_password1",
                    gettext("The new password must differ from the current one."),
                )
            try:
                password_validation.validate_password(new1, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


class TokenCreateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “data exchange with the district”."),
    )


class TotpDisableForm(BootstrapMixin, forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class DeactivateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Recorded in the audit record, e.g. “moved to another post”."),
    )


class RoleScopeForm(BootstrapMixin, forms.Form):
    """A role and its scope, offered only within the actor's own region for managing users."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("For officials, inspectors, leaders, village officers and departments."),
    )
    unit = forms.ModelChoiceField(
        label=_("Supervised unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("For enterprise users and contracted experts."),
    )
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.none(),
        required=False,
        help_text=_("For committee members."),
    )
    title = forms.CharField(label=_("Title or department"), max_length=100, required=False)

    def __init__(self, actor, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.for_action(actor, MANAGE_USERS)
        self.fields["unit"].queryset = Unit.objects.for_action(actor, MANAGE_USERS).select_related(
            "region"
        )
        self.fields["committee"].queryset = Committee.objects.for_action(actor, MANAGE_USERS)

    def scope_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "region": data.get("region"),
            "unit": data.get("unit"),
            "committee": data.get("committee"),
            "title": data.get("title") or "",
        }


class UserCreateForm(RoleScopeForm):
    field_order = ["username", "name", "mobile", "email", "password", "role"]

    username = forms.CharField(label=_("User name"), max_length=50)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The person must change it at the first log-in."),
    )

    def clean_mobile(self):
        value = self.cleaned_data.get("mobile", "").strip()
        try:
            return clean_mobile_number(value) or ""
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["mobile"]) from exc
