"""Pages of the unit's file (一企一档): documents with their scanned files, and people.

Scans are served only by ``document_file`` (scoped: 404 outside the scope); the storage is never
exposed under a public URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.units import documents as file_services
from anjian.units.document_forms import DocumentForm, OptionalReasonForm, PersonForm, ReasonForm
from anjian.units.documents import (
    MANAGE,
    STATUS_BADGES,
    VIEW,
    DocumentFilterSet,
    DocumentStatus,
    with_status,
)
from anjian.units.models import Unit, UnitDocument


def _status_label(document) -> str:
    return str(DocumentStatus(document.expiry_status).label)


class DocumentListView(ScopedListView):
    """Documents of every unit the user may see (or of one unit: ``?unit=``), by expiry."""

    model = UnitDocument
    action = VIEW
    template_name = "units/document_list.html"
    context_object_name = "documents"
    filterset_class = DocumentFilterSet
    search_fields = ("title", "number", "issuer", "unit__name", "person__name")
    export_title = gettext_lazy("Unit documents")
    export_columns = (
        Column(gettext_lazy("Unit"), lambda d: d.unit.name, 30),
        Column(gettext_lazy("Document type"), lambda d: d.get_doc_type_display(), 18),
        Column(gettext_lazy("Title"), lambda d: d.title, 24),
        Column(gettext_lazy("Number"), lambda d: d.number, 20),
        Column(gettext_lazy("Issued by"), lambda d: d.issuer, 20),
        Column(gettext_lazy("Valid from"), lambda d: d.valid_from, 12),
        Column(gettext_lazy("Valid to"), lambda d: d.valid_to, 12),
        Column(gettext_lazy("Status"), _status_label, 14),
        Column(gettext_lazy("Holder"), lambda d: d.person.name if d.person_id else "", 12),
    )

    def get_queryset(self):
        return (
            with_status(super().get_queryset())
            .select_related("unit", "person")
            .order_by(F("valid_to").asc(nulls_last=True), "unit__name", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit_id = self.request.GET.get("unit", "")
        ctx["unit"] = (
            Unit.objects.for_action(self.request.user, VIEW).filter(pk=unit_id).first()
            if unit_id.isdigit()
            else None
        )
        ctx["status_badges"] = STATUS_BADGES
        return ctx


class DocumentDetailView(ScopedDetailView):
    model = UnitDocument
    action = VIEW
    template_name = "units/document_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        return with_status(super().get_queryset()).select_related(
            "unit__region__parent", "person", "uploaded_by"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage_file"] = file_services.can_manage_file(self.request.user, self.object.unit)
        ctx["content_type"] = file_services.document_content_type(self.object)
        return ctx


@scoped(VIEW)
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The scanned file, inline (``?download=1``: as an attachment); 404 outside the scope."""
    document, handle = file_services.document_open_file(actor=request.user, document_id=pk)
    response = FileResponse(
        handle,
        content_type=file_services.document_content_type(document),
        as_attachment=request.GET.get("download") == "1",
        filename=file_services.document_download_name(document),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@scoped(MANAGE)
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = file_services.unit_get_for(request.user, pk, action=MANAGE)
    people = file_services.person_list_for(request.user, unit_id=unit.pk)
    form = DocumentForm(request.POST or None, request.FILES or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            document = file_services.document_create(
                actor=request.user,
                unit_id=unit.pk,
                file=form.cleaned_data["file"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The document has been added to the unit's file."))
            return redirect("units:document_detail", pk=document.pk)
    return render(request, "units/document_form.html", {"form": form, "unit": unit})


@scoped(MANAGE)
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = file_services.document_get_for(request.user, pk, action=MANAGE)
    people = file_services.person_list_for(request.user, unit_id=document.unit_id)
    initial = {
        "doc_type": document.doc_type,
        "title": document.title,
        "number": document.number,
        "issuer": document.issuer,
        "valid_from": document.valid_from,
        "valid_to": document.valid_to,
        "person": document.person_id,
        "note": document.note,
    }
    form = DocumentForm(
        request.POST or None, request.FILES or None, people=people, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            file_services.document_update(
                actor=request.user,
                document_id=document.pk,
                changes=form.service_kwargs(),
                file=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The document has been saved."))
            return redirect("units:document_detail", pk=document.pk)
    return render(
        request,
        "units/document_form.html",
        {"form": form, "unit": document.unit, "document": document},
    )


@scoped(MANAGE)
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a reason, then delete (audited with the reason)."""
    document = file_services.document_get_for(request.user, pk, action=MANAGE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            file_services.document_delete(
                actor=request.user, document_id=document.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages[0])
        else:
            messages.success(request, _("The document has been deleted."))
            return redirect(reverse("units:unit_detail", args=[document.unit_id]) + "#documents")
    return render(
        request, "units/document_confirm_delete.html", {"form": form, "document": document}
    )


# --- People -------------------------------------------------------------------------------------


@scoped(MANAGE)
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = file_services.unit_get_for(request.user, pk, action=MANAGE)
    form = PersonForm(request.POST or None, initial={"role": request.GET.get("role", "")})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.person_create(
                actor=request.user, unit_id=unit.pk, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The person has been added."))
            return redirect(reverse("units:unit_detail", args=[unit.pk]) + "#people")
    return render(request, "units/person_form.html", {"form": form, "unit": unit})


@scoped(MANAGE)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = file_services.person_get_for(request.user, pk, action=MANAGE)
    initial = {
        "role": person.role,
        "name": person.name,
        "mobile": person.mobile,
        "certificate_type": person.certificate_type,
        "certificate_no": person.certificate_no,
        "certificate_valid_to": person.certificate_valid_to,
    }
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            file_services.person_update(
                actor=request.user, person_id=person.pk, changes=form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The person has been saved."))
            return redirect(reverse("units:unit_detail", args=[person.unit_id]) + "#people")
    return render(
        request, "units/person_form.html", {"form": form, "unit": person.unit, "person": person}
    )


@scoped(MANAGE)
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = file_services.person_get_for(request.user, pk, action=MANAGE)
    form = OptionalReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        file_services.person_delete(
            actor=request.user, person_id=person.pk, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The person has been removed from the unit's file."))
        return redirect(reverse("units:unit_detail", args=[person.unit_id]) + "#people")
    return render(request, "units/person_confirm_delete.html", {"form": form, "person": person})


urlpatterns = [
    path("documents/", DocumentListView.as_view(), name="document_list"),
    path("documents/<int:pk>/", DocumentDetailView.as_view(), name="document_detail"),
    path("documents/<int:pk>/file/", document_file, name="document_file"),
    path("documents/<int:pk>/edit/", document_edit, name="document_edit"),
    path("documents/<int:pk>/delete/", document_delete, name="document_delete"),
    path("<int:pk>/documents/new/", document_create, name="document_create"),
    path("<int:pk>/people/new/", person_create, name="person_create"),
    path("people/<int:pk>/edit/", person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", person_delete, name="person_delete"),
]
