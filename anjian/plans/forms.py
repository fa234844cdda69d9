"""Forms of the plan pages: generating a plan, the frequencies, a category rule, reassigning a
task and choosing the checklist to start a task. Input only: the services do the writing."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.hazards.forms import ServiceErrorsMixin
from anjian.inspections.forms import OfficersMixin
from anjian.plans.choices import DEFAULT_RANDOM_SHARE, PLAN_KIND_CHOICES, VISIT_CHOICES
from anjian.units.models import Category


class GenerateForm(ServiceErrorsMixin, forms.Form):
    town = forms.TypedChoiceField(label=_("Town"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    random_share = forms.IntegerField(
        label=_("Share drawn at random, per cent"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_RANDOM_SHARE,
        help_text=_("Of the units that are not key units (双随机)."),
    )
    seed = forms.IntegerField(
        label=_("Seed of the random draw"),
        required=False,
        min_value=0,
        help_text=_("Empty: a new draw. The same seed repeats a draw."),
    )

    def __init__(self, *args, towns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [(t.pk, t.name) for t in towns]
        self.fields["year"].initial = timezone.localdate().year


class FrequencyForm(forms.Form):
    """One select per rule of the town, named ``rule_<id>``."""

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = list(rules)
        for rule in self.rules:
            self.fields[f"rule_{rule.pk}"] = forms.TypedChoiceField(
                label=str(rule), choices=VISIT_CHOICES, coerce=int, initial=rule.visits_per_year
            )

    def changed_rules(self):
        for rule in self.rules:
            value = self.cleaned_data.get(f"rule_{rule.pk}")
            if value is not None and value != rule.visits_per_year:
                yield rule, value


class CategoryRuleForm(ServiceErrorsMixin, forms.Form):
    category_code = forms.ChoiceField(label=_("Unit category"))
    kind = forms.ChoiceField(label=_("Kind"), choices=PLAN_KIND_CHOICES)
    visits_per_year = forms.TypedChoiceField(
        label=_("Visits a year"), choices=VISIT_CHOICES, coerce=int, initial=12
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = list(
            Category.objects.filter(is_active=True).values_list("code", "name")
        )


class ReassignForm(ServiceErrorsMixin, forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody (not assigned)"))] + [
            (u.pk, u.name or u.username) for u in users
        ]


class TaskStartForm(OfficersMixin, ServiceErrorsMixin, forms.Form):
    checklist = forms.TypedChoiceField(label=_("Checklist"), coerce=int, widget=forms.RadioSelect)
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, checklists=(), people=None, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_officers(people, lead)
        self.fields["checklist"].choices = [
            (v.pk, f"{v.template.name}（v{v.number}）") for v in checklists
        ]
        if checklists:
            self.fields["checklist"].initial = checklists[0].pk
        self.fields["client_key"].initial = uuid.uuid4()
