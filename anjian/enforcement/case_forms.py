"""Forms of the case pages. Validation that matters lives in ``case_services``; these forms only
shape the input and put the service's errors on their fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.enforcement.case_choices import PartyType, ProvisionKind
from anjian.enforcement.models import LegalProvision


class ServiceErrors:
    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None
                for message in errors:
                    self.add_error(target, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class DateInput(forms.DateInput):
    input_type = "date"


class CaseOpenForm(ServiceErrors, forms.Form):
    unit_id = forms.TypedChoiceField(label=_("unit"), coerce=int)
    party_type = forms.ChoiceField(
        label=_("kind of party"), choices=PartyType.choices, initial=PartyType.ORGANISATION
    )
    party_name = forms.CharField(
        label=_("party"),
        required=False,
        max_length=200,
        help_text=_("For an individual: the person's name. Empty: the unit."),
    )
    cause = forms.CharField(label=_("cause of action (案由)"), max_length=200)
    facts = forms.CharField(label=_("facts"), widget=forms.Textarea(attrs={"rows": 4}))
    provision_id = forms.TypedChoiceField(label=_("penalty basis"), coerce=int)
    officer_ids = forms.TypedMultipleChoiceField(
        label=_("case officers"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two, each with a valid law-enforcement certificate."),
    )
    hazard_ids = forms.TypedMultipleChoiceField(
        label=_("hazards the case comes from"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proposed_fine = forms.DecimalField(
        label=_("proposed fine (yuan)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args, units, officers, hazards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [(u.pk, u.name) for u in units]
        self.fields["provision_id"].choices = [
            (p.pk, f"{p} {p.violation[:40]}")
            for p in LegalProvision.objects.filter(is_active=True, kind=ProvisionKind.PENALTY)
        ]
        self.fields["officer_ids"].choices = [
            (u.pk, f"{u.name or u.username}（{u.enforcement_certificate.number}）")
            for u in officers
        ]
        self.fields["hazard_ids"].choices = [
            (h.pk, f"{h.code} {h.description[:40]}") for h in hazards
        ]


class CaseActionForm(ServiceErrors, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_fine = forms.DecimalField(label=_("proposed fine (yuan)"), required=False, min_value=0)
    decided_fine = forms.DecimalField(label=_("decided fine (yuan)"), required=False, min_value=0)
    served_on = forms.DateField(label=_("decision served on"), required=False, widget=DateInput)
    statement_waived = forms.BooleanField(
        label=_("The party waived the statement, defence and hearing"), required=False
    )
    statement = forms.CharField(
        label=_("party's statement and defence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    hearing_requested = forms.BooleanField(label=_("hearing requested"), required=False)
    transferred_to = forms.CharField(label=_("transferred to"), required=False, max_length=100)

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"expected_version", "note", *transition.fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if transition.note_required:
            self.fields["note"].required = True


class PaymentForm(ServiceErrors, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("amount paid (yuan)"), min_value=0, decimal_places=2)
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=60)


class ProvisionForm(ServiceErrors, forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LegalProvision
        fields = [
            "law",
            "article",
            "kind",
            "violation",
            "penalty_text",
            "fine_min_organisation",
            "fine_max_organisation",
            "fine_min_individual",
            "fine_max_individual",
            "warning",
            "suspension",
            "note",
            "is_active",
        ]
        widgets = {
            "violation": forms.Textarea(attrs={"rows": 2}),
            "penalty_text": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
