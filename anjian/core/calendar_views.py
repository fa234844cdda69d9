"""Pages of the working-day calendar: what is known about this year and the next, entering a
year, and a small "check a deadline" form. The office (action "calendar.manage") uses them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core import calendar as cal
from anjian.core.models import CalendarYear
from anjian.core.views import scoped


class DeadlineForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The day the period starts; it is not counted."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Working days"),
        min_value=0,
        max_value=cal.MAX_WORKING_DAYS,
        error_messages={
            "min_value": gettext_lazy("The number of working days cannot be negative."),
            "max_value": gettext_lazy(
                "The number of working days must be at most %(limit_value)s."
            ),
        },
    )


class CalendarYearForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One line per holiday period or day, e.g. “2027-02-06~2027-02-13 春节” or "
            "“2027-10-01 国庆节”. A make-up working day on a weekend: “2027-02-14 上班 春节调休”. "
            "Lines starting with # are ignored."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("E.g. the notice of the State Council the dates come from."),
    )

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_text(self) -> list[cal.CalendarEntry]:
        try:
            return cal.parse_calendar_text(self.year, self.cleaned_data["text"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


def _year_summary(calendar: cal.WorkingCalendar, year: int) -> dict:
    data = calendar.year(year)
    entered = (
        CalendarYear.objects.select_related("entered_by").filter(year=year).first()
        if data.source == cal.SOURCE_OFFICE
        else None
    )
    return {
        "year": year,
        "source": data.source,
        "source_label": cal.source_label(data.source),
        "warning": calendar.warning(year),
        "entered": entered,
        "holidays": [p for p in cal.periods(data.entries()) if p.kind == cal.HOLIDAY],
        "workdays": [p for p in cal.periods(data.entries()) if p.kind == cal.WORKDAY],
    }


def _valid_year(year: int) -> int:
    if not cal.MIN_YEAR <= year <= cal.MAX_YEAR:
        raise Http404(_("There is no calendar for this year."))
    return year


@scoped("calendar.manage")
def calendar_overview(request):
    """This year and the next: where their holidays come from, the periods, the deadline check."""
    calendar = cal.WorkingCalendar()
    this_year = timezone.localdate().year
    deadline_form = DeadlineForm(request.GET if "start" in request.GET else None)
    deadline = None
    if deadline_form.is_bound and deadline_form.is_valid():
        deadline = calendar.add_working_days(
            deadline_form.cleaned_data["start"], deadline_form.cleaned_data["days"]
        )
    context = {
        "years": [_year_summary(calendar, y) for y in (this_year, this_year + 1)],
        "deadline_form": deadline_form,
        "deadline": deadline,
        "entered_years": CalendarYear.objects.order_by("-year").values_list("year", flat=True),
    }
    template = "core/calendar.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        template += "#deadline"
    return render(request, template, context)


@scoped("calendar.manage")
def calendar_year(request, year: int):
    """One year: its days, and the form to enter (or replace) them."""
    year = _valid_year(year)
    calendar = cal.WorkingCalendar()
    if request.method == "POST":
        form = CalendarYearForm(request.POST, year=year)
        if form.is_valid():
            try:
                cal.calendar_year_save(
                    actor=request.user,
                    year=year,
                    days=form.cleaned_data["text"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error("text", exc)
            else:
                messages.success(
                    request, _("The holidays of %(year)s were saved.") % {"year": year}
                )
                return redirect("core:calendar_year", year=year)
    else:
        summary = calendar.year(year)
        entered = CalendarYear.objects.filter(year=year).first()
        form = CalendarYearForm(
            initial={
                "text": cal.format_calendar_text(summary.entries()),
                "note": entered.note if entered else "",
            },
            year=year,
        )
    context = {"summary": _year_summary(calendar, year), "form": form, "year": year}
    return render(request, "core/calendar_year.html", context)


@scoped("calendar.manage")
@require_POST
def calendar_year_remove(request, year: int):
    """Forget the office's entry of a year; the published data (or weekends) apply again."""
    year = _valid_year(year)
    cal.calendar_year_remove(actor=request.user, year=year, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _("The entry of %(year)s was removed; the published holidays apply again.")
        % {"year": year},
    )
    return redirect("core:calendar_year", year=year)
