"""Pages of the issued documents: the scoped list (filters, search by number, Excel), the Word
download (404 outside the scope) and issuing from the inspection record page: GET shows the
document as it will print (a preview, no number taken), POST confirms and takes the number."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from anjian.core.export import Column
from anjian.core.filters import IdFilter
from anjian.core.views import ScopedListView, scoped
from anjian.enforcement import documents
from anjian.enforcement.documents import DOCX_CONTENT_TYPE, ISSUE, VIEW
from anjian.enforcement.models import DocumentType, IssuedDocument


def _years():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this, this - 10, -1)]


class DocumentFilterSet(django_filters.FilterSet):
    doc_type = django_filters.ChoiceFilter(
        label=gettext_lazy("kind of document"), choices=DocumentType.choices
    )
    year = django_filters.TypedChoiceFilter(label=gettext_lazy("year"), choices=_years, coerce=int)
    unit = IdFilter(label=gettext_lazy("unit"), field_name="unit_id")

    class Meta:
        model = IssuedDocument
        fields = ["doc_type", "year", "unit"]


class DocumentListView(ScopedListView):
    model = IssuedDocument
    action = VIEW
    template_name = "enforcement/document_list.html"
    context_object_name = "documents"
    filterset_class = DocumentFilterSet
    search_fields = ("label", "unit__name")
    export_title = gettext_lazy("Enforcement documents issued")
    export_columns = (
        Column(gettext_lazy("document number"), lambda d: d.label, 26),
        Column(gettext_lazy("kind of document"), lambda d: d.get_doc_type_display(), 24),
        Column(gettext_lazy("unit"), lambda d: d.unit.name if d.unit_id else "", 30),
        Column(gettext_lazy("issued at"), lambda d: d.issued_at, 18),
        Column(gettext_lazy("signed off by"), lambda d: d.issued_by.name if d.issued_by else ""),
        Column(gettext_lazy("SHA-256 of the file"), lambda d: d.sha256, 66),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "issued_by")


@scoped(VIEW)
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The Word file, as an attachment; 404 outside the scope."""
    document, handle = documents.document_open(actor=request.user, document_id=pk)
    response = FileResponse(
        handle,
        content_type=DOCX_CONTENT_TYPE,
        as_attachment=True,
        filename=documents.download_name(document),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _issue(request: HttpRequest, back_pk: int, issue, **kwargs) -> HttpResponse:
    try:
        document = issue(actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Document %(number)s is ready to download.") % {"number": document.label}
        )
    return redirect("inspections:inspection_detail", pk=back_pk)


def _preview(request: HttpRequest, back_url: str, **kwargs) -> HttpResponse:
    """GET: the document as it will print, with "__" for its number, and a button to confirm."""
    preview = documents.document_preview(actor=request.user, **kwargs)
    return render(
        request, "enforcement/document_preview.html", {"preview": preview, "back_url": back_url}
    )


def _inspection_url(pk: int) -> str:
    return reverse("inspections:inspection_detail", args=[pk])


@scoped(ISSUE)
@require_http_methods(["GET", "POST"])
def site_record_issue(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _preview(
            request, _inspection_url(pk), doc_type=DocumentType.SITE_RECORD, inspection_id=pk
        )
    return _issue(request, pk, documents.site_record_issue, inspection_id=pk)


@scoped(ISSUE)
@require_http_methods(["GET", "POST"])
def order_issue(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _preview(
            request,
            _inspection_url(pk),
            doc_type=DocumentType.RECTIFICATION_ORDER,
            inspection_id=pk,
        )
    return _issue(request, pk, documents.rectification_order_issue, inspection_id=pk)


@scoped(ISSUE)
@require_http_methods(["GET", "POST"])
def recheck_issue(request: HttpRequest, pk: int) -> HttpResponse:
    order = documents.document_get_for(request.user, pk, action=ISSUE)
    if request.method == "GET":
        back = (
            _inspection_url(order.inspection_id)
            if order.inspection_id
            else reverse("enforcement:document_list")
        )
        return _preview(request, back, doc_type=DocumentType.RECHECK_OPINION, order_id=pk)
    if order.inspection_id is None:
        try:
            document = documents.recheck_opinion_issue(actor=request.user, order_id=pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, document.label)
        return redirect("enforcement:document_list")
    return _issue(request, order.inspection_id, documents.recheck_opinion_issue, order_id=pk)


urlpatterns = [
    path("", DocumentListView.as_view(), name="document_list"),
    path("<int:pk>/file/", document_download, name="document_download"),
    path("inspections/<int:pk>/site-record/", site_record_issue, name="site_record_issue"),
    path("inspections/<int:pk>/order/", order_issue, name="order_issue"),
    path("<int:pk>/recheck-opinion/", recheck_issue, name="recheck_issue"),
]
