"""Pages of the reports: the home page, the period's summary (page and Word), the analysis meetings
(list, record, detail) and their pack (printable page and Word)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.export import Column
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedListView, scoped
from anjian.reports.documents import pack_download, summary_download
from anjian.reports.forms import MeetingForm, SummaryForm
from anjian.reports.models import AnalysisMeeting
from anjian.reports.pack import pack_compute
from anjian.reports.selectors import meeting_get_for
from anjian.reports.services import meeting_create
from anjian.reports.summary import summary_compute
from anjian.stats.figures import region_choices
from anjian.stats.periods import PeriodKind, period_make

VIEW = "reports.view"
MANAGE = "reports.manage_meetings"


@scoped(VIEW)
def report_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/home.html",
        {"can_manage": get_scope(request.user).can(MANAGE)},
    )


def _summary(request: HttpRequest):
    """The form and the summary it chooses (this year, all one may see, when nothing is chosen
    or the choice is invalid)."""
    form = SummaryForm(request.GET or None, user=request.user)
    region_id = None
    if request.GET.get("region"):
        try:
            asked = int(request.GET["region"])
        except ValueError:
            raise Http404 from None
        if not region_choices(request.user).filter(pk=asked).exists():
            raise Http404(_("No such town or village among those you may see."))
    if form.is_bound and form.is_valid():
        period, region_id = form.period, form.chosen_region()
    else:
        period = period_make(PeriodKind.YEAR, year=timezone.localdate().year)
    return form, summary_compute(request.user, period, region_id=region_id)


@scoped(VIEW)
def summary(request: HttpRequest) -> HttpResponse:
    form, result = _summary(request)
    params = request.GET.copy()
    return render(
        request,
        "reports/summary.html",
        {"form": form, "summary": result, "query_string": params.urlencode()},
    )


@scoped(VIEW)
def summary_docx_view(request: HttpRequest) -> HttpResponse:
    _form, result = _summary(request)
    return summary_download(
        request.user, result, request.GET.dict(), request.build_absolute_uri("/")
    )


class MeetingListView(ScopedListView):
    model = AnalysisMeeting
    action = VIEW
    template_name = "reports/meeting_list.html"
    search_fields = ("title", "notes")
    export_title = gettext_lazy("analysis meetings")
    export_columns = (
        Column(gettext_lazy("title"), lambda m: m.title, 36),
        Column(gettext_lazy("town"), lambda m: m.region.name, 14),
        Column(gettext_lazy("held on"), lambda m: m.held_on, 12),
        Column(gettext_lazy("first day"), lambda m: m.period_start, 12),
        Column(gettext_lazy("last day"), lambda m: m.period_end, 12),
        Column(gettext_lazy("recorded by"), lambda m: str(m.created_by or ""), 14),
        Column(gettext_lazy("notes"), lambda m: m.notes, 40),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("region", "created_by")
            .order_by("-held_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = get_scope(self.request.user).can(MANAGE)
        return ctx


@scoped(MANAGE)
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_create(
                actor=request.user,
                held_on=data["held_on"],
                period=form.period,
                region_id=form.chosen_region(),
                title=data.get("title") or "",
                notes=data.get("notes") or "",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("reports:meeting_detail", pk=meeting.pk)
    return render(request, "reports/meeting_form.html", {"form": form})


@scoped(VIEW)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    return render(
        request,
        "reports/meeting_detail.html",
        {"meeting": meeting, "pack": pack_compute(request.user, meeting)},
    )


@scoped(VIEW)
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(request.user, pk)
    return render(
        request,
        "reports/pack_print.html",
        {"meeting": meeting, "pack": pack_compute(request.user, meeting)},
    )


@scoped(VIEW)
def meeting_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return pack_download(request.user, meeting_get_for(request.user, pk))


urlpatterns = [
    path("", report_home, name="report_home"),
    path("summary/", summary, name="summary"),
    path("summary/docx/", summary_docx_view, name="summary_docx"),
    path("meetings/", MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", meeting_create_view, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/pack/", meeting_pack, name="meeting_pack"),
    path("meetings/<int:pk>/docx/", meeting_docx, name="meeting_docx"),
]
