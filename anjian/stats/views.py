"""Pages of the statistics: the table (period and scope chosen among what the user may see), its
printable form and Excel export, and the stored report runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.audit.services import audit_record
from anjian.core.export import Column, xlsx_response
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedListView, scoped
from anjian.stats.exports import shown_areas, signature_line, statistics_workbook
from anjian.stats.figures import figures_compute
from anjian.stats.forms import StatsForm
from anjian.stats.models import StoredRun
from anjian.stats.periods import period_default
from anjian.stats.selectors import stored_run_compare, stored_run_get_for
from anjian.stats.services import stored_run_create

VIEW = "stats.view"
STORE = "stats.store_runs"


def _figures(request: HttpRequest):
    """The form and the result it chooses (this month, all one may see, when nothing is
    chosen or the choice is invalid)."""
    form = StatsForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        period, region_id, committee_id = form.chosen()
    else:
        period, region_id, committee_id = period_default(), None, None
    result = figures_compute(request.user, period, region_id=region_id, committee_id=committee_id)
    return form, result


def _download(request: HttpRequest, data: dict, name: str) -> HttpResponse:
    audit_record(
        actor=request.user,
        action="export.downloaded",
        target_repr=name,
        changes={"filters": request.GET.dict(), "hash": data.get("hash", "")},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"{name}-{stamp}.xlsx", statistics_workbook(data))


@scoped(VIEW)
def statistics(request: HttpRequest) -> HttpResponse:
    form, result = _figures(request)
    data = result.as_dict()
    if request.GET.get("export") == "xlsx":
        return _download(request, data, f"{result.scope_label}{result.period.label}")
    params = request.GET.copy()
    params.pop("export", None)
    return render(
        request,
        "stats/statistics.html",
        {
            "form": form,
            "result": data,
            "areas": shown_areas(data),
            "query_string": params.urlencode(),
            "can_store": get_scope(request.user).can(STORE),
        },
    )


@scoped(VIEW)
def statistics_print(request: HttpRequest) -> HttpResponse:
    _form, result = _figures(request)
    data = result.as_dict()
    return render(
        request,
        "stats/statistics_print.html",
        {"result": data, "areas": shown_areas(data), "signature": signature_line()},
    )


@scoped(STORE)
@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    form = StatsForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("stats:statistics")
    period, region_id, committee_id = form.chosen()
    try:
        run = stored_run_create(
            actor=request.user,
            period=period,
            region_id=region_id,
            committee_id=committee_id,
            label=form.cleaned_data.get("label") or "",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("stats:statistics")
    messages.success(request, _("The figures are stored as a report run."))
    return redirect("stats:run_detail", pk=run.pk)


class RunListView(ScopedListView):
    model = StoredRun
    action = VIEW
    template_name = "stats/run_list.html"
    search_fields = ("label", "scope_label")
    export_title = gettext_lazy("stored report runs")
    export_columns = (
        Column(gettext_lazy("label"), lambda r: r.label, 36),
        Column(gettext_lazy("scope"), lambda r: r.scope_label, 20),
        Column(gettext_lazy("first day"), lambda r: r.period_start, 12),
        Column(gettext_lazy("last day"), lambda r: r.period_end, 12),
        Column(gettext_lazy("stored by"), lambda r: str(r.created_by or ""), 14),
        Column(gettext_lazy("stored at"), lambda r: r.created_at, 18),
        Column(gettext_lazy("SHA-256 of the figures"), lambda r: r.result_hash, 66),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("created_by", "region")


@scoped(VIEW)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = stored_run_get_for(request.user, pk)
    comparison = stored_run_compare(request.user, run)
    return render(
        request,
        "stats/run_detail.html",
        {
            "run": run,
            "result": run.result,
            "areas": shown_areas(run.result),
            "comparison": comparison,
        },
    )


@scoped(VIEW)
def run_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    run = stored_run_get_for(request.user, pk)
    return _download(request, run.result, run.label or str(run))


urlpatterns = [
    path("", statistics, name="statistics"),
    path("print/", statistics_print, name="statistics_print"),
    path("runs/", RunListView.as_view(), name="run_list"),
    path("runs/store/", run_create, name="run_create"),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
    path("runs/<int:pk>/xlsx/", run_xlsx, name="run_xlsx"),
]
