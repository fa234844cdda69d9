"""Forms of the enforcement settings pages: input checks only, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.enforcement.models import DEFAULT_FORMAT, AuthorityMode
from anjian.hazards.forms import ServiceErrorsMixin


class DateInput(forms.DateInput):
    input_type = "date"


class BasedOnMixin(forms.Form):
    """The fingerprint of the values the form was filled from (``settings_services.state_tag``):
    a save over someone else's change in between is refused, not written over it."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)


class SettingsForm(ServiceErrorsMixin, BasedOnMixin):
    mode = forms.ChoiceField(
        label=_("enforcement mode"), choices=AuthorityMode.choices, widget=forms.RadioSelect
    )
    authority_name = forms.CharField(
        label=_("issuing authority"),
        max_length=100,
        required=False,
        help_text=_("e.g. 富阳区应急管理局. Needed when the town is entrusted."),
    )
    town_body_name = forms.CharField(
        label=_("the town's body"),
        max_length=100,
        required=False,
        help_text=_("e.g. 场口镇人民政府. Empty: the town's name followed by 人民政府."),
    )
    reconsideration_body = forms.CharField(
        label=_("administrative reconsideration body"), max_length=100, required=False
    )
    court = forms.CharField(label=_("people's court"), max_length=100, required=False)
    penalty_cap = forms.DecimalField(
        label=_("largest fine the town may impose (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: no cap beyond the provision's range."),
    )


class CertificateForm(ServiceErrorsMixin, BasedOnMixin):
    user_id = forms.TypedChoiceField(label=_("officer"), coerce=int, required=False)
    number = forms.CharField(label=_("law-enforcement certificate number"), max_length=40)
    valid_until = forms.DateField(
        label=_("certificate valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: no end date. An expired certificate is not accepted for signing."),
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is None:
            del self.fields["user_id"]
        else:
            self.fields["user_id"].required = True
            self.fields["user_id"].choices = [("", "—")] + [
                (person.pk, f"{person.name or person.username}（{person.username}）")
                for person in staff
            ]


class RuleForm(ServiceErrorsMixin, BasedOnMixin):
    pattern = forms.CharField(
        label=_("number format"),
        max_length=80,
        initial=DEFAULT_FORMAT,
        help_text=_(
            "With {town}, {code}, {year} and {number}, e.g. {town}安监{code}〔{year}〕{number}号"
        ),
    )
