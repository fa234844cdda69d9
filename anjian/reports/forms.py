"""The summary's choice of period and scope, and the form recording an analysis meeting; both reuse
the statistics' period fields (``StatsForm``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.reports.services import MAX_TITLE, meeting_towns_for
from anjian.stats.forms import StatsForm
from anjian.stats.periods import PeriodKind


class SummaryForm(StatsForm):
    """A period, and a town or village among those one may see (no committee: a summary is a
    town's, or the district's)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["committee"]
        del self.fields["label"]
        self.fields["kind"].initial = PeriodKind.YEAR
        self.fields["year"].initial = timezone.localdate().year

    def chosen_region(self) -> int | None:
        region = self.cleaned_data.get("region")
        return region.pk if region else None


class MeetingForm(StatsForm):
    """A meeting: its town (only asked when one may record meetings of several), its day, the
    period it looks at, a title and notes."""

    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(
        label=_("title"),
        max_length=MAX_TITLE,
        required=False,
        help_text=_("Left empty: the town's name and the day."),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "region",
        "held_on",
        "title",
        "kind",
        "year",
        "month",
        "quarter",
        "start",
        "end",
        "notes",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["committee"]
        del self.fields["label"]
        towns = meeting_towns_for(user)
        region = self.fields["region"]
        region.queryset = towns
        region.label = _("town")
        region.required = towns.count() > 1
        region.empty_label = None if not region.required else "---------"
        region.label_from_instance = lambda r: r.name
        if not region.required:
            region.widget = forms.HiddenInput()
        today = timezone.localdate()
        self.fields["kind"].initial = PeriodKind.QUARTER
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
        self.fields["month"].initial = today.month
        self.fields["held_on"].initial = today
        for name in ("held_on", "title", "notes"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        self.order_fields(self.field_order)

    def chosen_region(self) -> int | None:
        region = self.cleaned_data.get("region")
        return region.pk if region else None
