"""Input forms of the campaign pages (validation of the input only: the services write)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.campaigns.choices import CampaignCategory, CampaignKind, Department
from anjian.campaigns.models import Campaign
from anjian.inspections.forms import OfficersMixin
from anjian.regions.models import Region, RegionLevel


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("town"), queryset=Region.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("name of the campaign"), max_length=120)
    kind = forms.ChoiceField(label=_("kind of campaign"), choices=CampaignKind.choices)
    start_date = forms.DateField(label=_("starts on"), widget=DateInput())
    end_date = forms.DateField(label=_("ends on"), widget=DateInput())
    lead_department = forms.ChoiceField(
        label=_("lead department"), choices=Department.choices, initial=Department.EMERGENCY
    )
    departments = forms.MultipleChoiceField(
        label=_("joining departments"),
        choices=Department.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("categories of units covered"),
        choices=CampaignCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("aims and arrangements"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, campaign: Campaign | None = None, **kwargs):
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "region": campaign.region_id,
                "name": campaign.name,
                "kind": campaign.kind,
                "start_date": campaign.start_date,
                "end_date": campaign.end_date,
                "lead_department": campaign.lead_department,
                "departments": list(
                    campaign.joining_departments.values_list("department", flat=True)
                ),
                "categories": campaign.categories,
                "description": campaign.description,
                "expected_version": campaign.version,
            }
        super().__init__(*args, **kwargs)
        if campaign is not None:
            del self.fields["region"]
        else:
            towns = Region.objects.for_action(user, "campaigns.manage").filter(
                level=RegionLevel.TOWN
            )
            self.fields["region"].queryset = towns.order_by("code")
            if towns.count() == 1:
                self.fields["region"].initial = towns.first().pk
                self.fields["region"].widget = forms.HiddenInput()


class ParticipantForm(forms.Form):
    user = forms.ChoiceField(label=_("department officer"))
    department = forms.ChoiceField(label=_("officer's department"))

    def __init__(self, *args, officers=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (u.pk, f"{u.name or u.username}（{u.username}）") for u in officers
        ]
        labels = dict(Department.choices)
        self.fields["department"].choices = [(d, labels[d]) for d in departments]


class LinkForm(forms.Form):
    inspection = forms.ChoiceField(label=_("inspection of the period"))
    category = forms.ChoiceField(label=_("counts in category"), required=False)

    def __init__(self, *args, candidates=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [
            (i.pk, f"{i.started_at:%Y-%m-%d} {i.unit.name}") for i in candidates
        ]
        self.fields["category"].choices = category_choices(categories)


class StartForm(OfficersMixin, forms.Form):
    unit = forms.ChoiceField(label=_("unit"))
    checklist = forms.ChoiceField(label=_("checklist to use"))
    category = forms.ChoiceField(label=_("counts in category"), required=False)
    place = forms.CharField(label=_("place inspected"), max_length=200, required=False)
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(
        self, *args, units=(), checklists=(), categories=(), people=None, lead=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        # The town's officers with a valid certificate (the service checks that each may
        # inspect the unit chosen): the documents of the inspection need two of them.
        self.add_officers(people, lead)
        self.fields["checklist"].choices = [
            (v.pk, f"{v.template.name} v{v.number}") for v in checklists
        ]
        self.fields["category"].choices = category_choices(categories)


def category_choices(categories) -> list[tuple[str, str]]:
    labels = dict(CampaignCategory.choices)
    return [("", _("By the unit (when obvious)")), *[(c, labels[c]) for c in categories]]
