"""Pages of inspecting on a phone: the list, starting from the unit page, the checklist page (each
answer saved as it is given; ``static/inspections/inspect.js`` keeps unsent answers on the phone
and sends them when the connection returns), the finish page with the two signature pads, the
locked record (printable), cancelling, and the photo files (scoped: 404 outside the scope).

Views are thin: they parse input with ``forms``, read through ``selectors`` and write through
``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.export import Column
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedListView, scoped
from anjian.hazards.photos import photo_file_response
from anjian.inspections import services
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.forms import (
    CancelForm,
    FinishForm,
    OfficersForm,
    ResultForm,
    StartForm,
)
from anjian.inspections.models import Inspection, InspectionResult, ResultPhoto
from anjian.inspections.selectors import (
    checklists_for_unit,
    inspection_detail_for,
    inspection_list_for,
)
from anjian.inspections.services import INSPECT, VIEW
from anjian.units.models import Unit

# The enforcement app's permission to handle cases (``case_workflow.HANDLE``).
OPEN_CASE = "enforcement.handle_cases"


# --- The list ------------------------------------------------------------------------------------


def _officer_names(inspection) -> str:
    return "、".join(p.name or p.username for p in inspection.officers.all())


EXPORT_COLUMNS = (
    Column(gettext_lazy("Unit"), lambda i: i.unit.name, 30),
    Column(gettext_lazy("Village or community"), lambda i: i.unit.region.name, 14),
    Column(
        gettext_lazy("Checklist"),
        lambda i: f"{i.checklist.template.name} v{i.checklist.number}",
        30,
    ),
    Column(gettext_lazy("Kind"), lambda i: i.get_kind_display(), 14),
    Column(gettext_lazy("Status"), lambda i: i.get_status_display(), 14),
    Column(gettext_lazy("Lead inspector"), lambda i: i.lead.name or i.lead.username, 12),
    Column(gettext_lazy("Officers"), _officer_names, 20),
    Column(gettext_lazy("Place inspected"), lambda i: i.place, 20),
    Column(gettext_lazy("Started at"), lambda i: i.started_at, 17),
    Column(gettext_lazy("Finished at"), lambda i: i.finished_at, 17),
    Column(gettext_lazy("Pass"), lambda i: i.n_pass, 8),
    Column(gettext_lazy("Fail"), lambda i: i.n_fail, 8),
    Column(gettext_lazy("Not applicable"), lambda i: i.n_na, 8),
    Column(gettext_lazy("Not yet checked"), lambda i: i.n_unchecked, 8),
    Column(gettext_lazy("Findings"), lambda i: i.summary, 30),
)


class InspectionListView(ScopedListView):
    """The inspections the user may see: filters (status, kind, unit, dates), search by unit,
    place, checklist or inspector, and the Excel export."""

    model = Inspection
    action = VIEW
    template_name = "inspections/inspection_list.html"
    context_object_name = "inspections"
    export_title = gettext_lazy("Inspections")
    export_columns = EXPORT_COLUMNS

    def get_queryset(self):
        self.search = self.request.GET.get("q", "").strip()
        qs, self.filterset = inspection_list_for(
            self.request.user, self.request.GET, search=self.search, request=self.request
        )
        if self.request.GET.get("export") == "xlsx":
            qs = qs.prefetch_related("officers")
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter_fields"] = [f for f in self.filterset.form if f.name != "unit"]
        ctx["unit_filter"] = self.request.GET.get("unit", "")
        return ctx


# --- Starting ------------------------------------------------------------------------------------


@scoped(INSPECT)
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a checklist for the unit and start; a retried POST returns the same inspection."""
    unit = Unit.objects.for_action(request.user, INSPECT).filter(pk=pk).first()
    if unit is None:
        raise Http404
    checklists = checklists_for_unit(request.user, unit)
    form = StartForm(
        request.POST or None,
        checklists=checklists,
        kind=services.default_kind(request.user),
        people=services.officer_choices(unit, request.user),
        lead=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_start(
                actor=request.user,
                unit_id=unit.pk,
                checklist_id=form.cleaned_data["checklist"],
                kind=form.cleaned_data["kind"],
                client_key=form.cleaned_data["client_key"],
                place=form.cleaned_data["place"],
                officers=form.chosen_officers() or (),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("inspections:inspection_inspect", pk=inspection.pk)
    return render(
        request,
        "inspections/inspection_start.html",
        {"form": form, "unit": unit, "checklists": checklists},
    )


# --- The record and the checklist page ----------------------------------------------------------


@scoped(VIEW)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The record: results by section with photos, the hazards recorded, the signatures."""
    detail = inspection_detail_for(request.user, pk)
    # Opening an enforcement case (立案) from a finished record: what
    # ``enforcement.case_services.case_may_open_from`` says, asked without importing enforcement
    # (it sits above inspections).
    detail["can_open_case"] = (
        get_scope(request.user).can(OPEN_CASE)
        and detail["inspection"].status == InspectionStatus.FINISHED
    )
    inspection = detail["inspection"]
    detail["can_edit_officers"] = services.officers_may_change(inspection) and (
        Inspection.objects.for_action(request.user, INSPECT).filter(pk=inspection.pk).exists()
    )
    return render(request, "inspections/inspection_detail.html", detail)


@scoped(INSPECT)
def inspection_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist, item by item, with three big buttons, a note and a photo for each."""
    services.inspection_get_for(request.user, pk, action=INSPECT)
    detail = inspection_detail_for(request.user, pk)
    if detail["inspection"].is_locked:
        return redirect("inspections:inspection_detail", pk=pk)
    return render(request, "inspections/inspection_inspect.html", detail)


def _photo_out(photo: ResultPhoto) -> dict:
    return {"id": photo.pk, "url": reverse("inspections:photo_image", args=[photo.pk])}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@scoped(INSPECT)
@require_POST
def result_save(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Save one answer (JSON for the page's script; a redirect back for a plain form)."""
    services.inspection_get_for(request.user, pk, action=INSPECT)  # 404 outside the scope first
    form = ResultForm(request.POST, request.FILES)
    as_json = _wants_json(request)
    if not form.is_valid():
        if as_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        messages.error(request, _("The answer could not be saved."))
        return redirect("inspections:inspection_inspect", pk=pk)
    try:
        row = services.result_record(
            actor=request.user,
            inspection_id=pk,
            item_id=item_id,
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
            location=form.cleaned_data["location"] if "location" in request.POST else None,
            photos=form.cleaned_data["photos"],
        )
    except InvalidTransition as exc:
        if as_json:
            return JsonResponse({"error": exc.message, "locked": True}, status=409)
        messages.error(request, exc.message)
        return redirect("inspections:inspection_detail", pk=pk)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        if as_json:
            return JsonResponse({"errors": errors}, status=400)
        for msgs in errors.values():
            for message in msgs:
                messages.error(request, message)
        return redirect("inspections:inspection_inspect", pk=pk)
    if as_json:
        inspection = Inspection.objects.only("version").get(pk=pk)
        return JsonResponse(
            {
                "item": row.item_id,
                "result": row.result,
                "note": row.note,
                "location": row.location,
                "photos": [_photo_out(p) for p in row.photos.order_by("pk")],
                "version": inspection.version,
                "answered": InspectionResult.objects.filter(inspection_id=pk)
                .exclude(result="unchecked")
                .count(),
            }
        )
    return redirect(reverse("inspections:inspection_inspect", args=[pk]) + f"#item-{item_id}")


@scoped(INSPECT)
def inspection_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendees, summary, both signatures and the hazards' deadline, with choices per failed
    item (level, deadline, requirement, rectified on the spot); then finish and lock."""
    detail = inspection_detail_for(request.user, pk)
    inspection = detail["inspection"]
    services.inspection_get_for(request.user, pk, action=INSPECT)
    if inspection.is_locked:
        return redirect("inspections:inspection_detail", pk=pk)
    initial = {
        "place": inspection.place,
        "attendees": inspection.attendees,
        "summary": inspection.summary,
        "unit_signatory": inspection.unit_signatory,
        "expected_version": inspection.version,
    }
    defaults = {
        r.item_id: (
            services.hazard_fields_for_level(r),
            services.hazard_fields_for(inspection, r)["requirement"],
        )
        for r in detail["failed"]
        if not r.hazard_id
    }
    form = FinishForm(
        request.POST or None,
        initial=initial,
        failed=[r for r in detail["failed"] if not r.hazard_id],
        defaults=defaults,
        place=inspection.place or inspection.unit.address or inspection.unit.name,
        people=services.officer_choices(inspection.unit, inspection.lead),
        lead=inspection.lead,
        chosen=[p.pk for p in detail["officers"]],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = data["expected_version"]
            changes = {
                k: data[k]
                for k in ("place", "attendees", "summary")
                if data[k] != getattr(inspection, k)
            }
            officers = form.chosen_officers()
            if officers is not None and set(officers) | {inspection.lead_id} == {
                p.pk for p in detail["officers"]
            }:
                officers = None
            if changes or officers is not None:
                version = services.inspection_update(
                    actor=request.user,
                    inspection_id=pk,
                    expected_version=version,
                    officers=officers,
                    **changes,
                ).version
            services.inspection_finish(
                actor=request.user,
                inspection_id=pk,
                expected_version=version,
                unit_signatory=data["unit_signatory"],
                unit_signature=data["unit_signature"],
                inspector_signature=data["inspector_signature"],
                deadline=data["deadline"],
                working_days=data["working_days"],
                hazard_overrides=form.hazard_choices(),
            )
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect("inspections:inspection_detail", pk=pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The inspection was finished and locked."))
            return redirect("inspections:inspection_detail", pk=pk)
    return render(request, "inspections/inspection_finish.html", {**detail, "form": form})


@scoped(INSPECT)
def inspection_officers(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the officers who took part, also after finishing, until a document is issued."""
    inspection = services.inspection_get_for(request.user, pk, action=INSPECT)
    chosen = list(inspection.officers.values_list("pk", flat=True))
    form = OfficersForm(
        request.POST or None,
        initial={"expected_version": inspection.version},
        people=services.officer_choices(inspection.unit, inspection.lead),
        lead=inspection.lead,
        chosen=chosen,
    )
    locked = not services.officers_may_change(inspection)
    if request.method == "POST" and not locked and form.is_valid():
        try:
            services.inspection_officers_set(
                actor=request.user,
                inspection_id=pk,
                officers=form.chosen_officers() or [],
                expected_version=form.cleaned_data["expected_version"],
            )
        except (StaleObject, InvalidTransition) as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The officers were saved."))
            return redirect("inspections:inspection_detail", pk=pk)
    return render(
        request,
        "inspections/inspection_officers.html",
        {"inspection": inspection, "form": form, "locked": locked},
    )


@scoped(INSPECT)
def inspection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an inspection started by mistake (the lead or the town office), with a reason."""
    detail = inspection_detail_for(request.user, pk)
    inspection = detail["inspection"]
    services.inspection_get_for(request.user, pk, action=INSPECT)
    form = CancelForm(request.POST or None, initial={"expected_version": inspection.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_cancel(
                actor=request.user,
                inspection_id=pk,
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data["reason"],
            )
        except (StaleObject, ActionNotPermitted, InvalidTransition) as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The inspection was cancelled."))
            return redirect("inspections:inspection_detail", pk=pk)
    return render(request, "inspections/inspection_cancel.html", {**detail, "form": form})


# --- Photo files ---------------------------------------------------------------------------------


def _photo_response(request: HttpRequest, pk: int, *, original: bool) -> FileResponse:
    photo = ResultPhoto.objects.visible_to(request.user).filter(pk=pk).first()
    if photo is None:
        raise Http404
    return photo_file_response(photo, original=original, stem=f"inspection-photo-{photo.pk}")


@scoped(VIEW)
def photo_image(request: HttpRequest, pk: int) -> HttpResponse:
    return _photo_response(request, pk, original=False)


@scoped(VIEW)
def photo_original(request: HttpRequest, pk: int) -> HttpResponse:
    return _photo_response(request, pk, original=True)


urlpatterns = [
    path("", InspectionListView.as_view(), name="inspection_list"),
    path("units/<int:pk>/start/", inspection_start, name="inspection_start"),
    path("<int:pk>/", inspection_detail, name="inspection_detail"),
    path("<int:pk>/inspect/", inspection_inspect, name="inspection_inspect"),
    path("<int:pk>/items/<int:item_id>/", result_save, name="result_save"),
    path("<int:pk>/finish/", inspection_finish, name="inspection_finish"),
    path("<int:pk>/cancel/", inspection_cancel, name="inspection_cancel"),
    path("<int:pk>/officers/", inspection_officers, name="inspection_officers"),
    path("photos/<int:pk>/", photo_image, name="photo_image"),
    path("photos/<int:pk>/original/", photo_original, name="photo_original"),
]
