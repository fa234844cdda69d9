"""Forms of the inspection pages: choosing a checklist to start, answering one item, the finish
form (attendees, summary, signatures, the deadline of the hazards) and cancelling."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.hazards.choices import HazardLevel
from anjian.hazards.forms import MultiplePhotoField, ServiceErrorsMixin
from anjian.inspections.choices import InspectionKind, ItemResult


def _person(user) -> str:
    return user.name or user.username


def officers_field(people, lead) -> forms.TypedMultipleChoiceField:
    """The officers taking part: the town's officers with a valid certificate, the inspector
    (``lead``, first in ``people``) chosen and kept."""
    return forms.TypedMultipleChoiceField(
        label=_("Enforcement officers (执法人员)"),
        coerce=int,
        required=False,
        choices=[(p.pk, _person(p)) for p in people],
        initial=[lead.pk] if lead is not None else [],
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "officers"}),
        help_text=_(
            "Documents need at least two officers with a valid law-enforcement certificate. "
            "The inspector is always one of them."
        ),
    )


class OfficersMixin:
    """Adds the ``officers`` field when ``officer_people`` (the lead first) are given."""

    def add_officers(self, people, lead, chosen=None) -> None:
        if people is None:
            return
        self.fields["officers"] = officers_field(people, lead)
        if chosen is not None:
            self.fields["officers"].initial = sorted({*chosen, lead.pk})

    def chosen_officers(self) -> list[int] | None:
        if "officers" not in self.fields:
            return None
        return self.cleaned_data.get("officers") or []


class OfficersForm(OfficersMixin, ServiceErrorsMixin, forms.Form):
    """Correct the officers of an inspection (until a document is issued for it)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, people=(), lead=None, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_officers(people, lead, chosen)


class StartForm(OfficersMixin, ServiceErrorsMixin, forms.Form):
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

    def __init__(self, *args, checklists=(), kind: str = "", people=None, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_officers(people, lead)
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
    location = forms.CharField(required=False, max_length=200)
    photos = MultiplePhotoField(required=False)


class FinishForm(OfficersMixin, ServiceErrorsMixin, forms.Form):
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

    # The service's names of a failed item's choices → this form's field suffixes.
    CHOICE_FIELDS = {
        "level": "level",
        "deadline": "deadline",
        "working_days": "working_days",
        "requirement": "requirement",
        "rectified_on_spot": "on_spot",
        "on_spot_description": "on_spot_description",
        "on_spot_photo_ids": "on_spot_photos",
        "location": "location",
    }

    def __init__(
        self,
        *args,
        failed=(),
        defaults=None,
        place="",
        people=None,
        lead=None,
        chosen=None,
        **kwargs,
    ):
        """``failed``: the failed results (with their photos); ``defaults``: item id →
        (level, requirement) the hazard gets when nothing is chosen; ``place``: the location a
        hazard is suggested when the inspector gave none for its item (the place inspected or
        the unit's address), shown in its field to be confirmed or changed; ``people``: the
        officers to choose from (``chosen``: those taking part now)."""
        super().__init__(*args, **kwargs)
        self.add_officers(people, lead, chosen)
        self.failed = list(failed)
        self.defaults = defaults or {}
        self.item_fields = []
        for result in self.failed:
            item_id = result.item_id
            level, requirement = self.defaults.get(item_id, (HazardLevel.GENERAL, ""))
            prefix = f"h{item_id}_"
            self.fields[prefix + "location"] = forms.CharField(
                label=_("Where the hazard is"),
                max_length=200,
                required=False,
                initial=result.location or place,
                help_text=None
                if result.location
                else _("Suggested: the unit's address. Give the workshop, floor or spot."),
            )
            self.fields[prefix + "level"] = forms.ChoiceField(
                label=_("Hazard level"),
                choices=HazardLevel.choices,
                initial=level,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[prefix + "deadline"] = forms.DateField(
                label=_("Own deadline"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[prefix + "working_days"] = forms.IntegerField(
                label=_("Or working days"), required=False, min_value=1, max_value=365
            )
            self.fields[prefix + "requirement"] = forms.CharField(
                label=_("Rectification requirement"),
                required=False,
                initial=requirement,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[prefix + "on_spot"] = forms.BooleanField(
                label=_("Rectified on the spot"), required=False
            )
            self.fields[prefix + "on_spot_description"] = forms.CharField(
                label=_("What was done on the spot"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            photos = list(result.photos.all())
            self.fields[prefix + "on_spot_photos"] = forms.TypedMultipleChoiceField(
                label=_("Photos showing the rectification"),
                coerce=int,
                required=False,
                choices=[(p.pk, str(n)) for n, p in enumerate(photos, 1)],
                widget=forms.CheckboxSelectMultiple,
            )
            self.item_fields.append(
                {
                    "result": result,
                    "photos": photos,
                    "default_level": level,
                    **{suffix: self[prefix + suffix] for suffix in self.CHOICE_FIELDS.values()},
                }
            )

    def clean(self):
        data = super().clean()
        if data.get("deadline") and data.get("working_days"):
            self.add_error("working_days", _("Give a date or working days, not both."))
        for result in self.failed:
            # Shown pre-filled: emptied by hand, it is asked for again (a client that sends no
            # such field gets the item's location, else the place inspected).
            name = f"h{result.item_id}_location"
            if name in self.data and not data.get(name):
                self.add_error(name, _("Say where the hazard is."))
        return data

    def hazard_choices(self) -> dict[int, dict]:
        """Item id → what the inspector chose differently from the defaults."""
        data = self.cleaned_data
        choices: dict[int, dict] = {}
        for result in self.failed:
            prefix = f"h{result.item_id}_"
            level, requirement = self.defaults.get(result.item_id, (None, ""))
            choice: dict = {}
            if data.get(prefix + "location"):
                choice["location"] = data[prefix + "location"]
            if data.get(prefix + "level") and data[prefix + "level"] != level:
                choice["level"] = data[prefix + "level"]
            text = (data.get(prefix + "requirement") or "").strip()
            if text and text != requirement:
                choice["requirement"] = text
            for key in ("deadline", "working_days"):
                if data.get(prefix + key):
                    choice[key] = data[prefix + key]
            if data.get(prefix + "on_spot"):
                choice["rectified_on_spot"] = True
                choice["on_spot_description"] = data.get(prefix + "on_spot_description", "")
                choice["on_spot_photo_ids"] = data.get(prefix + "on_spot_photos") or []
            if choice:
                choices[result.item_id] = choice
        return choices

    def add_service_errors(self, exc: ValidationError) -> None:
        """Errors of a failed item's choices (``hazards.<item id>.<name>``) go on its fields."""
        if not hasattr(exc, "error_dict"):
            super().add_service_errors(exc)
            return
        rest = {}
        for key, messages in exc.message_dict.items():
            parts = key.split(".")
            field = None
            if len(parts) == 3 and parts[0] == "hazards" and parts[2] in self.CHOICE_FIELDS:
                field = f"h{parts[1]}_{self.CHOICE_FIELDS[parts[2]]}"
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
            else:
                rest[key] = messages
        if rest:
            super().add_service_errors(ValidationError(rest))


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
