"""The statistics page's choice of period and scope (only what the user may see)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.stats.figures import committee_choices, region_choices
from anjian.stats.periods import MAX_YEAR, MIN_YEAR, Period, PeriodKind, period_make


class StatsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, required=False)
    year = forms.IntegerField(
        label=_("year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[(m, m) for m in range(1, 13)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[(q, q) for q in range(1, 5)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    start = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ModelChoiceField(
        label=_("Town or village"), queryset=None, required=False, empty_label=_("All I may see")
    )
    committee = forms.ModelChoiceField(
        label=_("Sector committee"),
        queryset=None,
        required=False,
        empty_label=_("All committees"),
    )
    label = forms.CharField(label=_("label"), max_length=120, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user).select_related("parent")
        self.fields["committee"].queryset = committee_choices(user)
        self.fields["region"].label_from_instance = _region_label
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        kind = data.get("kind") or PeriodKind.MONTH
        try:
            self.period = period_make(
                kind,
                year=data.get("year") or today.year,
                month=data.get("month") or today.month,
                quarter=data.get("quarter") or (today.month - 1) // 3 + 1,
                start=data.get("start"),
                end=data.get("end"),
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return data

    def chosen(self) -> tuple[Period, int | None, int | None]:
        region, committee = self.cleaned_data.get("region"), self.cleaned_data.get("committee")
        return (
            self.period,
            region.pk if region else None,
            committee.pk if committee else None,
        )


def _region_label(region) -> str:
    if region.level == "village" and region.parent is not None:
        return f"{region.parent.name} · {region.name}"
    return region.name
