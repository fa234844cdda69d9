"""Forms of the inspection pages: choosing a checklist to start, answering one item, the finish
form (attendees, summary, signatures, the deadline of the hazards) and cancelling."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.hazards.forms import MultiplePhotoField, ServiceErrorsMixin
from anjian.inspections.choices import InspectionKind, ItemResult


class StartForm(ServiceErrorsMixin, forms.Form):
    """Choose the checklist; ``client_key`` is made when the form is shown, so that sending it
    twice (a double tap, a retry on a bad connection) starts one inspection."""

    checklist = forms.TypedChoiceField(label=_("Checklist"), coerce=int, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    place = forms.CharField(
        label=_("Place inspected"),
        max_length=200,
        required=False,
        help_text=_("Empty: the unit's address."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, checklists=(), kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = [
            (v.pk, f"{v.template.name}（v{v.number}）") for v in checklists
        ]
        self.checklists = list(checklists)
        if checklists:
            self.fields["checklist"].initial = checklists[0].pk
        self.fields["kind"].initial = kind
        self.fields["client_key"].initial = uuid.uuid4()


class ResultForm(ServiceErrorsMixin, forms.Form):
    """One answer (the page's JavaScript sends it at once; without it, a form per item)."""

    result = forms.ChoiceField(choices=ItemResult.choices)
    note = forms.CharField(required=False, max_length=2000)
    photos = MultiplePhotoField(required=False)


class FinishForm(ServiceErrorsMixin, forms.Form):
    place = forms.CharField(label=_("Place inspected"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("Attendees of the unit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit_signatory = forms.CharField(label=_("Signed for the unit by"), max_length=50)
    unit_signature = forms.CharField(widget=forms.HiddenInput, required=False)
    inspector_signature = forms.CharField(widget=forms.HiddenInput, required=False)
    deadline = forms.DateField(
        label=_("Deadline of the hazards"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    working_days = forms.IntegerField(
        label=_("Or working days allowed"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Empty: 7 working days. Major hazards get no deadline here."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("The answers are complete and both sides have signed: finish and lock the record.")
    )

    def clean(self):
        data = super().clean()
        if data.get("deadline") and data.get("working_days"):
            self.add_error("working_days", _("Give a date or working days, not both."))
        return data


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
