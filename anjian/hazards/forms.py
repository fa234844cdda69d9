"""Input forms of the hazard pages. They validate and normalise what is typed and uploaded; the
services in ``anjian.hazards.services`` decide and write (forms never save).

Error messages that the services also give use the same English msgid, so that one translation
serves both.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.hazards.choices import (
    AssessmentConclusion,
    DeadlineMode,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardType,
)
from anjian.hazards.filters import CODE_RE
from anjian.hazards.models import MAX_HAZARD_PHOTOS, HazardSubGrade
from anjian.hazards.services import HAZARD_FIELDS
from anjian.hazards.workflow import Transition

# The source a hazard recorded by each role most often has (the first role that matches wins).
SOURCE_BY_ROLE = (
    ("town_office", HazardSource.TOWN_INSPECTION),
    ("inspector", HazardSource.TOWN_INSPECTION),
    ("committee_member", HazardSource.TOWN_INSPECTION),
    ("expert", HazardSource.EXPERT_CHECK),
    ("village_officer", HazardSource.VILLAGE_PATROL),
    ("enterprise", HazardSource.SELF_CHECK),
)
# Actions that undo or refuse something: their form asks once more before it is sent.
DESTRUCTIVE_ACTIONS = frozenset({"cancel", "reopen", "fail", "spot_reject"})
NOTE_LABELS = {
    "fail": _("Re-check opinion: what is still wrong"),
    "spot_reject": _("Re-check opinion: what is still wrong"),
    "pass": _("Re-check opinion"),
    "spot_confirm": _("Re-check opinion"),
    "approve_closure": _("Opinion"),
    "request_extension": _("Why more time is needed"),
    "cancel": _("Reason for cancelling"),
    "reopen": _("Reason for reopening"),
    "list_for_supervision": _("Supervision requirements"),
    "apply_resumption": _("The application to resume production"),
}
PLAN_TEXT_FIELDS = (
    ("goals", _("1. Goals and tasks")),
    ("methods", _("2. Methods and measures")),
    ("funds_materials", _("3. Funds and materials secured")),
    ("organisation", _("4. Responsible body and persons")),
    ("time_requirements", _("5. Time limit and requirements")),
    ("safety_measures", _("6. Safety measures and contingency plan")),
)
PLAN_REQUIRED = _("This part of the governance plan is required.")


def source_for_roles(roles) -> str:
    for role, source in SOURCE_BY_ROLE:
        if role in roles:
            return source
    return HazardSource.TOWN_INSPECTION


def hazard_number_to_pk(text: str) -> int | None:
    """``YH2026-000123``, ``YH123`` or ``123`` → 123; anything else → None."""
    text = (text or "").strip().replace(" ", "")
    match = CODE_RE.match(text)
    if match:
        return int(match.group(1))
    return int(text) if text.isdigit() else None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SubGradeSelect(forms.Select):
    """Each option names its level (``data-level``) so that the page can offer only those of the
    level chosen."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-level"] = instance.level
        return option


PHOTO_ATTRS = {"accept": "image/*", "capture": "environment"}


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__(attrs={**PHOTO_ATTRS, **(attrs or {})})


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (a phone's camera or its gallery); a list, maybe empty."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


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


class DeadlineFieldsMixin:
    """A deadline given as a calendar date or as a number of working days (radio)."""

    def add_deadline_fields(self, *, required: bool, initial: datetime.date | None = None):
        self.fields["deadline_mode"] = forms.ChoiceField(
            label=_("Deadline given as"),
            choices=DeadlineMode.choices,
            initial=DeadlineMode.CALENDAR,
            widget=forms.RadioSelect(attrs={"data-deadline-mode": ""}),
            required=False,
        )
        self.fields["deadline"] = forms.DateField(
            label=_("Deadline"), required=False, widget=DateInput(), initial=initial
        )
        self.fields["working_days"] = forms.IntegerField(
            label=_("Working days allowed"),
            required=False,
            min_value=1,
            max_value=365,
            help_text=_("Counted from tomorrow; public holidays are not counted."),
        )
        self.deadline_required = required

    def clean_deadline_fields(self, data) -> None:
        mode = data.get("deadline_mode") or DeadlineMode.CALENDAR
        if mode == DeadlineMode.WORKING_DAYS:
            data["deadline"] = None
            if data.get("working_days") is None and self.deadline_required:
                self.add_error("working_days", _("Give the number of working days."))
        else:
            data["working_days"] = None
            if data.get("deadline") is None and self.deadline_required:
                self.add_error("deadline", _("Give the new deadline."))

    def deadline_data(self) -> dict:
        data = self.cleaned_data
        return {"deadline": data.get("deadline"), "working_days": data.get("working_days")}

    @property
    def deadline_boundfields(self):
        names = ("deadline_mode", "deadline", "working_days")
        return [self[name] for name in names if name in self.fields]


# --- Recording and correcting a hazard ---------------------------------------------------------


class HazardForm(ServiceErrorsMixin, DeadlineFieldsMixin, forms.Form):
    """The facts of a hazard. ``units`` (creating): the units the user may record for;
    ``can_order``: the user may set a deadline at once (rectification is then ordered)."""

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, error_messages={"required": _("Choose the unit.")}
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        error_messages={"required": _("Say where the hazard is.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. workshop 1, the distribution box")}),
    )
    description = forms.CharField(
        label=_("Description"),
        error_messages={"required": _("Describe the hazard.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultiplePhotoField(
        label=_("Photos as found"),
        help_text=_("Up to 9 photos (JPEG, PNG or WebP). On a phone the camera opens."),
    )
    hazard_type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", "—"), *HazardType.choices],
        error_messages={"required": _("Choose the type of hazard.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *HazardCategory.choices],
        error_messages={"required": _("Choose the category of the hazard.")},
    )
    level = forms.ChoiceField(
        label=_("Hazard level"),
        choices=HazardLevel.choices,
        initial=HazardLevel.GENERAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the level: ordinary or major.")},
    )
    sub_grade = forms.ModelChoiceField(
        label=_("Sub-grade"),
        queryset=HazardSubGrade.objects.none(),
        required=False,
        widget=SubGradeSelect,
        help_text=_("Optional: the town's finer grade within the level."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The law, regulation or standard breached, e.g. GB 50016 §10.2.1."),
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=HazardSource.choices,
        error_messages={"required": _("Choose how the hazard was found.")},
    )
    found_at = forms.DateTimeField(
        label=_("Found at"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    found_by_name = forms.CharField(
        label=_("Found by (if not you)"),
        max_length=60,
        required=False,
        help_text=_("Leave empty when you found it yourself."),
    )
    requirement = forms.CharField(
        label=_("Rectification requirement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), max_length=50, required=False
    )
    responsible_mobile = forms.CharField(
        label=_("Responsible person's mobile"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    measures = forms.CharField(
        label=_("Measures and interim controls"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    funds = forms.DecimalField(
        label=_("Funds (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": _("Give the funds as an amount in yuan, not negative.")},
    )
    acceptance_criterion = forms.CharField(
        label=_("Acceptance criterion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # Groups for the template: what, where and who; the rectification (五定).
    FACT_FIELDS = (
        "location",
        "description",
        "photos",
        "hazard_type",
        "category",
        "level",
        "sub_grade",
        "legal_basis",
        "source",
        "found_at",
        "found_by_name",
    )
    FIVE_FIELDS = (
        "requirement",
        "responsible_person",
        "responsible_mobile",
        "measures",
        "funds",
        "acceptance_criterion",
    )

    def __init__(
        self,
        *args,
        units=None,
        can_order=False,
        roles=(),
        current_sub_grade=None,
        refusals=None,
        subgrades=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.creating = units is not None
        if self.creating:
            self.fields["unit"].queryset = units
            self.fields["unit"].widget.attrs.update(self._similar_attrs("change"))
            for name in ("location", "description"):
                # keyup as the user types; change when a phone's input method sends no keyup
                self.fields[name].widget.attrs.update(
                    self._similar_attrs("keyup changed delay:600ms, change")
                )
            self.fields["source"].initial = source_for_roles(roles)
            self.fields["found_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        else:
            del self.fields["unit"]
            del self.fields["photos"]
            self.fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput)
            # What the finder recorded is evidence: the facts this person may not correct are
            # shown read-only with the reason (``workflow.edit_refusals``), and every correction
            # gives its reason.
            for name, why in (refusals or {}).items():
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].required = False
                    self.fields[name].help_text = why
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the correction"),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Kept on the hazard's timeline and in the audit record."),
                error_messages={"required": _("Give the reason for the correction.")},
            )
        self.can_order = self.creating and can_order
        if self.can_order:
            self.add_deadline_fields(required=False)
        # A sub-grade no longer in use stays on the hazards that have it.
        # The shared sub-grades and the person's town's own (``settings_services.subgrades_for``).
        self.fields["sub_grade"].queryset = (
            subgrades if subgrades is not None else HazardSubGrade.objects.all()
        ).filter(Q(is_active=True) | Q(pk=current_sub_grade))
        self.fields["sub_grade"].label_from_instance = lambda g: (
            f"{g.get_level_display()} · {g.name}"
        )

    @staticmethod
    def _similar_attrs(trigger: str) -> dict:
        return {
            "hx-get": reverse_lazy("hazards:hazard_similar"),
            "hx-trigger": trigger,
            "hx-target": "#similar-hazards",
            "hx-include": "#id_unit, #id_location, #id_description",
            "hx-sync": "closest form:replace",
        }

    def clean(self):
        data = super().clean()
        if len(data.get("photos") or []) > MAX_HAZARD_PHOTOS:
            self.add_error("photos", _("At most 9 photos of the hazard as found may be kept."))
        sub_grade, level = data.get("sub_grade"), data.get("level")
        if sub_grade and level and sub_grade.level != level:
            self.add_error("sub_grade", _("The sub-grade belongs to the other level."))
        if self.can_order:
            self.clean_deadline_fields(data)
        return data

    @property
    def fact_boundfields(self):
        return [self[name] for name in self.FACT_FIELDS if name in self.fields]

    @property
    def five_boundfields(self):
        return [self[name] for name in self.FIVE_FIELDS]

    def fact_kwargs(self) -> dict:
        """The facts for ``hazard_create`` (all) or ``hazard_update`` (those that changed)."""
        data = self.cleaned_data
        names = [n for n in HAZARD_FIELDS if n in self.fields]
        if not self.creating:
            names = [n for n in names if n in self.changed_data]
        values = {}
        for name in names:
            value = data.get(name)
            if name == "sub_grade":
                value = value.pk if value else None
            elif value is None and name != "funds":
                value = ""
            values[name] = value
        return values


class AddPhotosForm(ServiceErrorsMixin, forms.Form):
    photos = MultiplePhotoField(
        label=_("Photos as found"),
        required=True,
        help_text=_("At most 9 photos of the hazard as found are kept in all."),
        error_messages={"required": _("Choose at least one photo.")},
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if not photos:
            raise ValidationError(_("Choose at least one photo."))
        return photos


# --- One action of the workflow ----------------------------------------------------------------


class HazardActionForm(ServiceErrorsMixin, DeadlineFieldsMixin, forms.Form):
    """The inputs one transition needs, built from its row in ``workflow.TRANSITIONS``.

    For a rectification report each before-photo gets a row: an after-photo taken from the same
    spot and the before-photo it answers (changeable); more photos may be added unpaired.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, transition: Transition, hazard, befores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.hazard = hazard
        self.befores = list(befores)
        self.fields["expected_version"].initial = hazard.version
        fields = set(transition.fields)
        action = transition.action
        if transition.needs_deadline or action == "order":
            today = timezone.localdate()
            current = hazard.deadline if hazard.deadline and hazard.deadline >= today else None
            self.add_deadline_fields(required=True, initial=current)
        if "description" in fields:
            self._add_report_fields()
        if "requested_deadline" in fields:
            self.fields["requested_deadline"] = forms.DateField(
                label=_("Deadline asked for"),
                widget=DateInput(),
                error_messages={"required": _("Give the deadline you ask for.")},
            )
        if "granted_deadline" in fields:
            pending = hazard.extensions.filter(status="pending").first()
            self.fields["granted_deadline"] = forms.DateField(
                label=_("Deadline granted"),
                required=False,
                widget=DateInput(),
                initial=pending.requested_deadline if pending else None,
                help_text=_("Leave as asked for, or give another date."),
            )
        if "goals" in fields:
            self._add_plan_fields()
        if "withdrawal" in fields:
            self._add_interim_fields()
        if "assessor" in fields:
            self._add_assessment_fields()
        if "duplicate_of" in fields:
            self.fields["duplicate_of"] = forms.CharField(
                label=_("Duplicate of hazard number"),
                required=False,
                max_length=20,
                help_text=_(
                    "When this is the same hazard as another: its number, e.g. YH2026-000012."
                ),
            )
        self.fields["note"] = forms.CharField(
            label=NOTE_LABELS.get(action, _("Note")),
            required=transition.note_required,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": _("Give a reason or an opinion.")},
        )

    # --- Field groups -------------------------------------------------------------------------

    def _add_report_fields(self):
        self.fields["description"] = forms.CharField(
            label=_("What was done"),
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": _("Describe what was done.")},
        )
        self.fields["cost"] = forms.DecimalField(
            label=_("Cost (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
        )
        choices = [("", _("Not paired"))] + [
            (p.pk, _("Photo %(n)s as found") % {"n": i}) for i, p in enumerate(self.befores, 1)
        ]
        for i, before in enumerate(self.befores):
            self.fields[f"after_{i}"] = forms.FileField(
                label=_("Photo after rectification"),
                required=False,
                widget=forms.FileInput(attrs=PHOTO_ATTRS),
            )
            self.fields[f"pair_{i}"] = forms.TypedChoiceField(
                label=_("Answers"),
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=before.pk,
            )
        self.fields["photos"] = MultiplePhotoField(
            label=_("More photos (not paired)")
            if self.befores
            else _("Photos after rectification"),
            help_text=_("JPEG, PNG or WebP. On a phone the camera opens."),
        )

    def _add_plan_fields(self):
        for name, label in PLAN_TEXT_FIELDS:
            required = name != "time_requirements"
            self.fields[name] = forms.CharField(
                label=label,
                required=required,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": PLAN_REQUIRED},
            )
        self.fields["time_limit"] = forms.DateField(
            label=_("Remediation completed by"),
            widget=DateInput(),
            error_messages={"required": PLAN_REQUIRED},
        )
        self.fields["funds_amount"] = forms.DecimalField(
            label=_("Funds (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
        )

    def _add_interim_fields(self):
        hazard = self.hazard
        for name, label, current in (
            ("withdrawal", _("Workers withdrawn from the danger area"), hazard.interim_withdrawal),
            ("suspension", _("Production or use suspended"), hazard.interim_suspension),
            ("warning_signs", _("Warning signs set"), hazard.interim_warning_signs),
        ):
            self.fields[name] = forms.BooleanField(label=label, required=False, initial=current)
        self.fields["interim_note"] = forms.CharField(
            label=_("Other interim measures"),
            required=False,
            initial=hazard.interim_note,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def _add_assessment_fields(self):
        self.fields["assessor"] = forms.CharField(
            label=_("Assessed by"),
            max_length=100,
            help_text=_("The unit's own experts or the assessment body."),
            error_messages={"required": _("Say who assessed the remediation.")},
        )
        self.fields["assessed_on"] = forms.DateField(
            label=_("Assessed on"), widget=DateInput(), initial=timezone.localdate
        )
        self.fields["conclusion"] = forms.ChoiceField(
            label=_("Conclusion"),
            choices=AssessmentConclusion.choices,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose the conclusion of the assessment.")},
        )
        self.fields["summary"] = forms.CharField(
            label=_("Assessment opinion"),
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": _("Summarise the assessment.")},
        )

    # --- Cleaning and handing over to the service ------------------------------------------------

    def clean_duplicate_of(self):
        text = self.cleaned_data.get("duplicate_of", "")
        if not text:
            return None
        pk = hazard_number_to_pk(text)
        if pk is None:
            raise ValidationError(_("Give a hazard number such as YH2026-000012."))
        return pk

    def clean(self):
        data = super().clean()
        if "deadline_mode" in self.fields:
            self.clean_deadline_fields(data)
        return data

    @property
    def pair_rows(self):
        """(before-photo, its number, after-photo input, pairing select) for the template."""
        return [
            (before, i + 1, self[f"after_{i}"], self[f"pair_{i}"])
            for i, before in enumerate(self.befores)
        ]

    @property
    def plain_boundfields(self):
        """Every visible field not drawn in a group of its own."""
        grouped = {"deadline_mode", "deadline", "working_days", "note"}
        grouped |= {f"after_{i}" for i in range(len(self.befores))}
        grouped |= {f"pair_{i}" for i in range(len(self.befores))}
        return [bf for bf in self.visible_fields() if bf.name not in grouped]

    def photos_and_pairs(self) -> tuple[list, dict[int, int]]:
        """The uploaded photos in order and {photo index: before-photo id}."""
        photos, pairs = [], {}
        for i in range(len(self.befores)):
            upload = self.cleaned_data.get(f"after_{i}")
            if upload:
                before_id = self.cleaned_data.get(f"pair_{i}")
                if before_id:
                    pairs[len(photos)] = before_id
                photos.append(upload)
        photos.extend(self.cleaned_data.get("photos") or [])
        return photos, pairs

    def service_kwargs(self) -> dict:
        """``note``, ``data`` and ``photos`` for ``hazard_transition``."""
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k != "expected_version"
            and k != "note"
            and k != "photos"
            and not k.startswith(("after_", "pair_"))
        }
        photos: list = []
        if "description" in self.fields:
            photos, pairs = self.photos_and_pairs()
            data["pairs"] = pairs
        if "deadline_mode" in self.fields:
            data.update(self.deadline_data())
            data.pop("deadline_mode", None)
        return {"note": self.cleaned_data.get("note", ""), "data": data, "photos": photos}


# --- Settings ------------------------------------------------------------------------------------


class SubGradeForm(ServiceErrorsMixin, forms.Form):
    level = forms.ChoiceField(label=_("Hazard level"), choices=HazardLevel.choices)
    code = forms.SlugField(
        label=_("Code"),
        max_length=30,
        help_text=_("A short stable code, e.g. major-1. Lower-case letters, digits, - or _."),
    )
    name = forms.CharField(label=_("Name"), max_length=40, help_text=_("e.g. 重大一级"))
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        help_text=_("A sub-grade no longer in use stays on the hazards that have it."),
    )
