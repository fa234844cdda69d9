"""Pages of the data exchange: the export (a POST that records a batch and answers the file), the
batches, the ids recorded, and the import of assigned ids (upload with dry run, confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core.export import Column, xlsx_response
from anjian.core.models import ImportState
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedListView, scoped
from anjian.exchange.exports import COLUMNS
from anjian.exchange.forms import ExportForm, ExternalIdFilterSet, IdImportForm
from anjian.exchange.models import EXPORT, IMPORT_IDS, ExportBatch, ExternalId
from anjian.exchange.selectors import batch_get_for, external_ids_for, record_name
from anjian.exchange.services import (
    ID_IMPORT,
    export_create,
    external_id_delete,
    id_import_confirm,
    id_import_get_for,
    id_import_start,
    id_import_system_label,
    id_template_bytes,
)


def file_response(export) -> FileResponse:
    return FileResponse(
        export.file, as_attachment=True, filename=export.name, content_type=export.content_type
    )


@scoped(EXPORT)
def exchange_home(request: HttpRequest) -> HttpResponse:
    """Choose what to export; the POST answers the file and records the batch."""
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            export = export_create(actor=request.user, params=form.params())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return file_response(export)
    scope = get_scope(request.user)
    return render(
        request,
        "exchange/exchange_home.html",
        {
            "form": form,
            "batches": ExportBatch.objects.for_action(request.user, EXPORT).select_related(
                "created_by"
            )[:10],
            "can_import": scope.can(IMPORT_IDS),
            "columns": {kind: cols for kind, cols in COLUMNS.items()},
        },
    )


class BatchListView(ScopedListView):
    model = ExportBatch
    action = EXPORT
    template_name = "exchange/batch_list.html"
    search_fields = ("file_name", "file_hash")
    export_title = gettext_lazy("export batches")
    export_columns = (
        Column("#", lambda b: b.pk, 8),
        Column(gettext_lazy("Records"), lambda b: b.get_kind_display(), 12),
        Column(gettext_lazy("System"), lambda b: b.get_system_display(), 24),
        Column(gettext_lazy("Format"), lambda b: b.get_file_format_display(), 8),
        Column(gettext_lazy("records"), lambda b: b.count, 10),
        Column(gettext_lazy("exported by"), lambda b: str(b.created_by or ""), 14),
        Column(gettext_lazy("exported at"), lambda b: b.created_at, 18),
        Column(gettext_lazy("file name"), lambda b: b.file_name, 40),
        Column(gettext_lazy("SHA-256 of the file"), lambda b: b.file_hash, 66),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("created_by", "region")


@scoped(EXPORT)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_get_for(request.user, pk)
    ids = batch.external_ids.select_related("unit", "inspection__unit", "hazard__unit")
    return render(
        request,
        "exchange/batch_detail.html",
        {"batch": batch, "ids": ids[:100], "id_count": ids.count()},
    )


class ExternalIdListView(ScopedListView):
    model = ExternalId
    action = EXPORT
    template_name = "exchange/id_list.html"
    filterset_class = ExternalIdFilterSet
    export_title = gettext_lazy("external ids")
    export_columns = (
        Column("anjian_id", lambda r: r.anjian_id, 18),
        Column(gettext_lazy("Records"), lambda r: r.get_kind_display(), 10),
        Column(gettext_lazy("Name"), record_name, 36),
        Column(gettext_lazy("System"), lambda r: r.get_system_display(), 24),
        Column(gettext_lazy("external id"), lambda r: r.external_id, 24),
        Column(gettext_lazy("Town"), lambda r: r.region.name, 12),
        Column(gettext_lazy("recorded by"), lambda r: str(r.recorded_by or ""), 14),
        Column(gettext_lazy("recorded at"), lambda r: r.recorded_at, 18),
        Column(gettext_lazy("export batch"), lambda r: r.batch_id or "", 10),
    )

    def get_queryset(self):
        qs = external_ids_for(self.request.user, search=self.request.GET.get("q", ""))
        self.search = self.request.GET.get("q", "").strip()
        self.filterset = ExternalIdFilterSet(
            self.request.GET or None, queryset=qs, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_import"] = get_scope(self.request.user).can(IMPORT_IDS)
        return ctx


@scoped(IMPORT_IDS)
def id_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of assigned ids: its dry run follows (nothing recorded yet), in the
    background for a large file."""
    form = IdImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = id_import_start(
                actor=request.user,
                upload=data["file"],
                system=data["system"],
                replace=data["replace"],
                batch_id=data["batch"].pk if data.get("batch") else None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("exchange:id_import_detail", pk=run.pk)
    runs = ID_IMPORT.runs_for(request.user)[:20]
    return render(request, "exchange/id_import.html", {"form": form, "runs": runs})


@scoped(IMPORT_IDS)
def id_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response("上级系统编号导入模板.xlsx", id_template_bytes())


@scoped(IMPORT_IDS)
def id_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's report (or the import's result); refreshes itself while the job runs."""
    run = id_import_get_for(request.user, pk)
    context = {
        "run": run,
        "busy": run.state in {ImportState.CHECKING, ImportState.APPLYING},
        "job": run.current_job,
        "system": id_import_system_label(run),
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "exchange/id_import_detail.html#status", context)
    return render(request, "exchange/id_import_detail.html", context)


@scoped(IMPORT_IDS)
@require_POST
def id_import_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        run = id_import_confirm(actor=request.user, import_id=pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("exchange:id_import_detail", pk=pk)
    if run.state == ImportState.APPLIED:
        messages.success(
            request,
            _("Recorded: %(create)s new ids, %(update)s replaced, %(reject)s rows rejected.")
            % {k: run.summary.get(k, 0) for k in ("create", "update", "reject")},
        )
    elif run.state == ImportState.FAILED:
        messages.error(request, run.current_job.error)
    return redirect("exchange:id_import_detail", pk=pk)


@scoped(IMPORT_IDS)
@require_POST
def id_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an id recorded by mistake (with a reason, audited)."""
    try:
        external_id_delete(
            actor=request.user, external_id_pk=pk, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The id is removed."))
    return redirect("exchange:id_list")


urlpatterns = [
    path("", exchange_home, name="exchange_home"),
    path("batches/", BatchListView.as_view(), name="batch_list"),
    path("batches/<int:pk>/", batch_detail, name="batch_detail"),
    path("ids/", ExternalIdListView.as_view(), name="id_list"),
    path("ids/<int:pk>/delete/", id_delete, name="id_delete"),
    path("ids/import/", id_import, name="id_import"),
    path("ids/import/template.xlsx", id_import_template, name="id_import_template"),
    path("ids/import/<int:pk>/", id_import_detail, name="id_import_detail"),
    path("ids/import/<int:pk>/confirm/", id_import_confirm_view, name="id_import_confirm"),
]
