"""Pages of the monthly self-inspection reports (月报) and the Order 16 statistics statements.

The enterprise: its months with their status, the form to report a month (hazards pre-ticked, or
the signed "none found" statement), its quarters and years to sign. The office: the month's
overview (counts, missing units, "remind all missing", Excel), the list of signed statements.
Thin views: parse → ``anjian.hazards.reports`` → render.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core.export import Column, xlsx_response
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.hazards import report_statements as statements
from anjian.hazards import reports
from anjian.hazards.choices import MonthlyReportKind, StatementPeriod
from anjian.hazards.models import MonthlyReport, StatisticsStatement
from anjian.hazards.reports import FOLLOW, REPORT, VIEW

# --- Forms (input validation only; the rules are in the service) -------------------------------


class MonthlyReportForm(forms.Form):
    month = forms.CharField(widget=forms.HiddenInput)
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=gettext_lazy("The report"),
        choices=MonthlyReportKind.choices,
        widget=forms.RadioSelect,
    )
    hazard_ids = forms.MultipleChoiceField(
        label=gettext_lazy("Hazards found or rectified in the month"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    checks_done = forms.IntegerField(
        label=gettext_lazy("Self-checks done in the month"),
        min_value=0,
        max_value=reports.MAX_CHECKS,
        initial=0,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=reports.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signed_name = forms.CharField(
        label=gettext_lazy("Signed by"),
        required=False,
        max_length=reports.MAX_NAME,
        help_text=gettext_lazy(
            "Required for a statement that no hazard was found: by typing your name you sign it."
        ),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard_ids"].choices = [(str(h.pk), h.code) for h in candidates]

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for field, errors in exc.message_dict.items():
            target = field if field in self.fields and field != "month" else None
            for message in errors:
                self.add_error(target, message)


class StatementSignForm(forms.Form):
    principal_name = forms.CharField(
        label=gettext_lazy("Name of the principal (主要负责人)"),
        max_length=reports.MAX_NAME,
        help_text=gettext_lazy(
            "The principal signs the table (Order 16 Art 14); the figures are stored as they are now."
        ),
    )


def _service_errors_on(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        target = field if field in form.fields else None
        for message in errors:
            form.add_error(target, message)


def _month_from(request: HttpRequest, default):
    value = request.POST.get("month") or request.GET.get("month")
    if not value:
        return default
    try:
        return reports.parse_month(value)
    except ValidationError:
        return None


# --- The enterprise's pages ----------------------------------------------------------------------


@scoped(REPORT)
def monthly_reports(request: HttpRequest) -> HttpResponse:
    """The enterprise's months (the last 12) with their status, and its statements to sign."""
    units = list(reports.reporting_units_for(request.user))
    unit_id = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == unit_id), units[0] if units else None)
    context: dict = {"units": units, "unit": unit}
    if unit is not None:
        today = timezone.localdate()
        months = reports.recent_months(today, 12)
        received = reports.unit_month_reports(unit, months)
        current = reports.month_start(today)
        context["months"] = [
            {
                "month": m,
                "param": reports.month_param(m),
                "label": reports.month_label(m),
                "report": received.get(m),
                "is_current": m == current,
                "can_correct": received.get(m) is not None
                and today <= reports.correction_deadline(m),
                "correction_deadline": reports.correction_deadline(m),
            }
            for m in months
        ]
        context["periods"] = statements.statement_periods_for(unit, today)
        context["this_month"] = reports.month_param(current)
        context["last_month"] = reports.month_param(reports.previous_month(current))
    return render(request, "hazards/report_monthly_list.html", context)


@scoped(REPORT)
def monthly_report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Report one month of one unit (``?month=YYYY-MM``, default this month): the hazards found
    or closed that month come pre-ticked; or the signed statement that none was found."""
    unit = reports.unit_get_for(request.user, pk, action=REPORT)
    today = timezone.localdate()
    month = _month_from(request, reports.month_start(today))
    try:
        if month is None:
            raise ValidationError(_("Give the month as YYYY-MM, e.g. 2026-03."))
        reports.check_report_month(month, today)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("hazards:monthly_reports") + f"?unit={unit.pk}")
    candidates = list(reports.monthly_report_candidates(request.user, unit, month))
    existing = reports.unit_month_reports(unit, [month]).get(month)
    initial = {
        "month": reports.month_param(month),
        "replace": existing is not None,
        "kind": MonthlyReportKind.HAZARDS if candidates else MonthlyReportKind.NONE_FOUND,
        "hazard_ids": [str(h.pk) for h in candidates],
        "signed_name": getattr(request.user, "name", ""),
    }
    if existing is not None:
        initial.update(
            kind=existing.kind,
            hazard_ids=[str(i) for i in existing.hazards.values_list("pk", flat=True)],
            checks_done=existing.checks_done,
            note=existing.note,
            signed_name=existing.signed_name,
        )
    form = MonthlyReportForm(request.POST or None, initial=initial, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reports.monthly_report_submit(
                actor=request.user,
                unit_id=unit.pk,
                month=month,
                kind=data["kind"],
                hazard_ids=data["hazard_ids"],
                checks_done=data["checks_done"],
                note=data["note"],
                signed_name=data["signed_name"],
                replace=data["replace"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("The monthly report for %(month)s has been submitted.")
                % {"month": reports.month_label(month)},
            )
            return redirect(reverse("hazards:monthly_reports") + f"?unit={unit.pk}")
    context = {
        "unit": unit,
        "form": form,
        "month": month,
        "month_label": reports.month_label(month),
        "candidates": candidates,
        "checked": set(form["hazard_ids"].value() or []),
        "existing": existing,
        "correction_deadline": reports.correction_deadline(month),
        "self_found": list(reports.self_found_hazards(unit, month)),
    }
    return render(request, "hazards/report_monthly_form.html", context)


class MonthlyReportDetailView(ScopedDetailView):
    """One monthly report with its hazards (the unit, its experts and the office see it)."""

    model = MonthlyReport
    action = VIEW
    template_name = "hazards/report_monthly_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return super().get_queryset().select_related("unit__region", "submitted_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report = self.object
        ctx["month_label"] = reports.month_label(report.month)
        ctx["hazards"] = list(report.hazards.all().order_by("found_at", "pk"))
        ctx["can_correct"] = (
            get_scope(self.request.user).can(REPORT)
            and reports.reporting_units_for(self.request.user).filter(pk=report.unit_id).exists()
            and timezone.localdate() <= reports.correction_deadline(report.month)
        )
        return ctx


@scoped(REPORT)
def statement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview a quarter's or year's statistics table (``?period=quarter&year=&quarter=``) and
    sign it as the principal."""
    unit = reports.unit_get_for(request.user, pk, action=REPORT)
    params = request.POST if request.method == "POST" else request.GET
    period = params.get("period") or StatementPeriod.QUARTER
    year, quarter = statements.last_completed_period(period, timezone.localdate())
    try:
        period, year, quarter = statements.check_period(
            period, params.get("year") or year, params.get("quarter") or quarter
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("hazards:monthly_reports") + f"?unit={unit.pk}")
    form = StatementSignForm(request.POST or None, initial={"principal_name": unit.principal_name})
    if request.method == "POST" and form.is_valid():
        try:
            statement = statements.statement_sign(
                actor=request.user,
                unit_id=unit.pk,
                period=period,
                year=year,
                quarter=quarter,
                principal_name=form.cleaned_data["principal_name"],
            )
        except ValidationError as exc:
            _service_errors_on(form, exc)
        else:
            messages.success(
                request,
                _("The statistics table for %(period)s has been signed and submitted.")
                % {"period": statement.label},
            )
            return redirect("hazards:statement_detail", pk=statement.pk)
    _first, after = statements.period_dates(period, year, quarter)
    context = {
        "unit": unit,
        "form": form,
        "period": period,
        "year": year,
        "quarter": quarter or "",
        "label": statements.period_label(period, year, quarter),
        "due": statements.statement_due(period, year, quarter),
        "ended": timezone.localdate() >= after,
        "rows": statements.figure_rows(statements.statement_figures(unit, period, year, quarter)),
    }
    return render(request, "hazards/report_statement_sign.html", context)


# --- The office's pages --------------------------------------------------------------------------


@scoped(FOLLOW)
def monthly_overview(request: HttpRequest) -> HttpResponse:
    """The month at a glance (``?month=YYYY-MM``; default the previous month, whose reports are
    due now): counts, the units still missing, the reports received; ``?export=xlsx``."""
    today = timezone.localdate()
    month = _month_from(request, reports.previous_month(today))
    if month is None or month > reports.month_start(today):
        messages.error(request, _("Choose a month that has begun."))
        month = reports.previous_month(today)
    if request.GET.get("export") == "xlsx":
        content = reports.monthly_export(request.user, month)
        name = _("Monthly reports %(month)s") % {"month": reports.month_label(month)}
        return xlsx_response(f"{name}.xlsx", content)
    context = {
        "overview": reports.monthly_overview(request.user, month),
        "month_param": reports.month_param(month),
        "remind_fields": {"month": reports.month_param(month)},
        "this_month": reports.month_param(reports.month_start(today)),
        "missing_units": list(reports.monthly_missing(request.user, month)),
        "received": list(reports.monthly_reports_of_month(request.user, month)),
    }
    return render(request, "hazards/report_monthly_overview.html", context)


@scoped(FOLLOW)
@require_POST
def monthly_remind(request: HttpRequest) -> HttpResponse:
    """Remind every unit in scope missing the month's report (once per unit and month)."""
    month = _month_from(request, None)
    try:
        if month is None:
            raise ValidationError(_("Give the month as YYYY-MM, e.g. 2026-03."))
        result = reports.monthly_remind_missing(actor=request.user, month=month)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hazards:monthly_overview")
    if result["units"]:
        messages.success(
            request,
            _("%(units)s units were reminded (%(notifications)s messages).")
            % {"units": result["units"], "notifications": result["notifications"]},
        )
    elif result["missing"]:
        messages.info(
            request,
            _("Every missing unit has already been reminded for this month (or has no user)."),
        )
    else:
        messages.info(request, _("No unit is missing this month's report."))
    return redirect(reverse("hazards:monthly_overview") + f"?month={reports.month_param(month)}")


def _statement_late(statement) -> str:
    return _("Yes") if statements.statement_is_late(statement) else _("No")


class StatementListView(ScopedListView):
    """The signed statistics tables of the units in the office's scope (``?year=&period=``)."""

    model = StatisticsStatement
    action = FOLLOW
    template_name = "hazards/report_statement_list.html"
    context_object_name = "statements"
    search_fields = ("unit__name", "principal_name")
    export_title = gettext_lazy("Hazard statistics statements")
    export_columns = (
        Column(gettext_lazy("Unit"), lambda s: s.unit.name, 30),
        Column(
            gettext_lazy("Period"),
            lambda s: statements.period_label(s.period, s.year, s.quarter),
            14,
        ),
        Column(gettext_lazy("Signed by the principal"), lambda s: s.principal_name, 14),
        Column(gettext_lazy("Signed at"), lambda s: s.signed_at, 18),
        Column(gettext_lazy("Late"), _statement_late, 8),
        *(
            Column(f.label, lambda s, key=f.key: s.figures.get(key, ""), 12)
            for f in statements.FIGURES
        ),
    )

    def get_queryset(self):
        qs = super().get_queryset().select_related("unit__region")
        year = self.request.GET.get("year", "")
        if year.isdigit():
            qs = qs.filter(year=int(year))
        period = self.request.GET.get("period", "")
        if period in StatementPeriod.values:
            qs = qs.filter(period=period)
        return qs.order_by("-year", "-quarter", "unit__name", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for statement in ctx["statements"]:
            statements.statement_describe(statement)
        ctx["periods"] = StatementPeriod.choices
        ctx["year"] = self.request.GET.get("year", "")
        ctx["period"] = self.request.GET.get("period", "")
        return ctx


class StatementDetailView(ScopedDetailView):
    model = StatisticsStatement
    action = VIEW
    template_name = "hazards/report_statement_detail.html"
    context_object_name = "statement"

    def get_queryset(self):
        return super().get_queryset().select_related("unit__region", "submitted_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        statement = statements.statement_describe(self.object)
        ctx["rows"] = statements.figure_rows(statement.figures)
        first, after = statements.period_dates(statement.period, statement.year, statement.quarter)
        ctx["first"], ctx["last"] = first, after - datetime.timedelta(days=1)
        return ctx


@scoped(VIEW)
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed statement as a printable Excel table (audited)."""
    statement, content = statements.statement_download(actor=request.user, statement_id=pk)
    return xlsx_response(statements.statement_filename(statement), content)


urlpatterns = [
    path("monthly-reports/", monthly_reports, name="monthly_reports"),
    path("monthly-reports/overview/", monthly_overview, name="monthly_overview"),
    path("monthly-reports/remind/", monthly_remind, name="monthly_remind"),
    path(
        "monthly-reports/<int:pk>/",
        MonthlyReportDetailView.as_view(),
        name="monthly_report_detail",
    ),
    path(
        "monthly-reports/unit/<int:pk>/submit/",
        monthly_report_submit,
        name="monthly_report_submit",
    ),
    path("statements/", StatementListView.as_view(), name="statement_list"),
    path("statements/<int:pk>/", StatementDetailView.as_view(), name="statement_detail"),
    path("statements/<int:pk>/xlsx/", statement_xlsx, name="statement_xlsx"),
    path("statements/unit/<int:pk>/sign/", statement_sign, name="statement_sign"),
]
