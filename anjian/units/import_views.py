"""Pages of the units import: upload (with the template), the dry run's report, confirmation,
the error sheet. Reads go through ``FLOW.runs_for(user)`` (the units imports within the user's
``units.import`` scope); writes through ``anjian.units.importers``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core.exceptions import ActionNotPermitted
from anjian.core.export import xlsx_response
from anjian.core.models import ImportState
from anjian.core.views import scoped
from anjian.units.importers import (
    FLOW,
    IMPORT,
    import_towns,
    kind_labels,
    template_bytes,
    unit_fields,
    units_import_apply,
    units_import_recheck,
    units_import_start,
)

MAX_UPLOAD = 50 * 1024 * 1024


class ImportUploadForm(forms.Form):
    town = forms.ModelChoiceField(label=gettext_lazy("Town"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=gettext_lazy("Workbook"),
        help_text=gettext_lazy(
            "An Excel or WPS workbook (.xlsx, .xls, .ods) or a CSV file, at most 50 MB."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of every unit of the file"),
        required=False,
        help_text=gettext_lazy(
            "Only when the file has no column 类型 (for example a list of enterprises only)."
        ),
    )
    village = forms.CharField(
        label=gettext_lazy("Village of every unit of the file"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Only when the file has no village column (one village's list)."),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Leave empty: the first sheet whose header matches is read."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = import_towns(user)
        self.fields["kind"].choices = [("", "—"), *((str(v), str(v)) for v in kind_labels())]
        self.fields["town"].queryset = towns
        if towns.count() == 1:
            self.fields["town"].initial = towns.first()
            self.fields["town"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("The file is larger than 50 MB; split it into several files."))
        return upload


def _runs_for(user):
    return FLOW.runs_for(user)


@scoped(IMPORT)
def unit_import(request):
    """Upload a workbook: its dry run follows (in the background for a large file)."""
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            run = units_import_start(
                actor=request.user,
                town=data["town"],
                upload=data["file"],
                sheet=data["sheet"],
                defaults={"类型": data["kind"], "村（社区）": data["village"]},
            )
        except (ValidationError, ActionNotPermitted) as exc:
            form.add_error("file", exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            return redirect("units:unit_import_detail", pk=run.pk)
    runs = _runs_for(request.user)[:20]
    return render(request, "units/import_start.html", {"form": form, "runs": runs})


@scoped(IMPORT)
def unit_import_template(request):
    """The template workbook, with the villages and committees of the user's town."""
    town = import_towns(request.user).first()
    return xlsx_response("监管对象导入模板.xlsx", template_bytes(town))


@scoped(IMPORT)
def unit_import_detail(request, pk: int):
    """The dry run's report (or the import's result); refreshes itself while work runs."""
    run = _runs_for(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    context = {
        "run": run,
        "busy": run.state in {ImportState.CHECKING, ImportState.APPLYING},
        "job": run.current_job,
        "fields": [(f.key, f.header) for f in unit_fields()],
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "units/import_run.html#status", context)
    return render(request, "units/import_run.html", context)


@scoped(IMPORT)
@require_POST
def unit_import_apply(request, pk: int):
    """Confirm a checked import: its valid rows are written in one transaction."""
    try:
        run = units_import_apply(actor=request.user, run_id=pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("units:unit_import_detail", pk=pk)
    if run.state == ImportState.APPLIED:
        messages.success(
            request,
            _("Imported: %(create)s created, %(update)s updated, %(reject)s rejected.")
            % run.summary,
        )
    return redirect("units:unit_import_detail", pk=pk)


@scoped(IMPORT)
@require_POST
def unit_import_recheck(request, pk: int):
    """Check the same file again with the answers to the dry run's questions: the sheet, one
    value for a column the file lacks (``default:<column>``), what an unknown header means
    (``map:<header>`` → a field, or "" to ignore it; remembered for the town)."""
    defaults = {
        key.removeprefix("default:"): value
        for key, value in request.POST.items()
        if key.startswith("default:") and value
    }
    mapping = {
        key.removeprefix("map:"): value
        for key, value in request.POST.items()
        if key.startswith("map:") and value != "-"
    }
    try:
        run = units_import_recheck(
            actor=request.user,
            run_id=pk,
            sheet=request.POST.get("sheet", "")[:100],
            defaults=defaults,
            mapping=mapping,
        )
    except (ValidationError, ActionNotPermitted) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        return redirect("units:unit_import_detail", pk=pk)
    return redirect("units:unit_import_detail", pk=run.pk)


@scoped(IMPORT)
def unit_import_errors(request, pk: int):
    """The rejected rows with a 错误原因 column, to correct and upload again."""
    run = _runs_for(request.user).filter(pk=pk).first()
    if run is None or not run.error_file:
        raise Http404
    with run.error_file.open("rb") as fh:
        content = fh.read()
    stem = run.source_name.rsplit(".", 1)[0]
    response: HttpResponse = xlsx_response(f"{stem}-错误行.xlsx", content)
    return response


urlpatterns = [
    path("import/", unit_import, name="unit_import"),
    path("import/template.xlsx", unit_import_template, name="unit_import_template"),
    path("import/<int:pk>/", unit_import_detail, name="unit_import_detail"),
    path("import/<int:pk>/apply/", unit_import_apply, name="unit_import_apply"),
    path("import/<int:pk>/errors.xlsx", unit_import_errors, name="unit_import_errors"),
    path("import/<int:pk>/recheck/", unit_import_recheck, name="unit_import_recheck"),
]
