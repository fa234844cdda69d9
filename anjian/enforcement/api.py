"""Issued enforcement documents over the API (mounted at ``/api/v1/documents``): the scoped list,
one document, its Word file, and issuing the documents of an inspection. Same scope as the pages:
reading needs ``enforcement.view``, issuing ``enforcement.issue_documents``; outside it, 404."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import Id, Offset, Year
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.enforcement import documents
from anjian.enforcement.documents import DOCX_CONTENT_TYPE, ISSUE, VIEW
from anjian.enforcement.models import DocumentType, IssuedDocument

router = Router(tags=["enforcement documents"])

MAX_LIMIT = 200


class IssuedDocumentOut(Schema):
    id: int
    doc_type: DocumentType
    doc_type_label: str
    label: str = Field(description="The document number, e.g. 场口安监责改〔2026〕1号")
    year: int
    number: int
    title: str
    unit_id: int | None
    unit_name: str | None
    inspection_id: int | None
    order_id: int | None = Field(description="For a re-check opinion: the order it answers")
    hazard_ids: list[Id]
    officer_ids: list[Id]
    sha256: str
    issued_at: datetime.datetime
    file_url: str | None

    @staticmethod
    def resolve_doc_type_label(obj: IssuedDocument) -> str:
        return str(obj.get_doc_type_display())

    @staticmethod
    def resolve_unit_name(obj: IssuedDocument) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_hazard_ids(obj: IssuedDocument) -> list[int]:
        return sorted(h.pk for h in obj.hazards.all())

    @staticmethod
    def resolve_officer_ids(obj: IssuedDocument) -> list[int]:
        return sorted(u.pk for u in obj.officers.all())

    @staticmethod
    def resolve_file_url(obj: IssuedDocument) -> str | None:
        return f"/api/v1/documents/{obj.pk}/file" if obj.file else None


class IssuedDocumentPageOut(Schema):
    items: list[IssuedDocumentOut]
    count: int


class IssuedDocumentFilterIn(Schema):
    q: str | None = Field(None, description="Part of the number or of the unit's name")
    doc_type: DocumentType | None = None
    year: Year | None = None
    unit_id: Id | None = None
    inspection_id: Id | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


def _require(request: HttpRequest, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include enforcement documents."))


def _out(user, document_id: int) -> IssuedDocument:
    documents.document_get_for(user, document_id)
    return (
        IssuedDocument.objects.for_action(user, VIEW)
        .select_related("unit")
        .prefetch_related("hazards", "officers")
        .get(pk=document_id)
    )


@router.get(
    "/",
    response=IssuedDocumentPageOut,
    operation_id="documents_list",
    summary="The enforcement documents issued (scoped)",
)
def documents_list(request: HttpRequest, filters: Query[IssuedDocumentFilterIn]):
    _require(request, VIEW)
    qs = (
        IssuedDocument.objects.for_action(request.auth, VIEW)
        .select_related("unit")
        .prefetch_related("hazards", "officers")
    )
    if filters.q:
        from django.db.models import Q

        qs = qs.filter(Q(label__icontains=filters.q) | Q(unit__name__icontains=filters.q))
    if filters.doc_type:
        qs = qs.filter(doc_type=filters.doc_type)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.unit_id:
        qs = qs.filter(unit_id=filters.unit_id)
    if filters.inspection_id:
        qs = qs.filter(inspection_id=filters.inspection_id)
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.get(
    "/{int:issued_document_id}",
    response=IssuedDocumentOut,
    operation_id="documents_get",
    summary="One issued document",
)
def documents_get(request: HttpRequest, issued_document_id: Id):
    _require(request, VIEW)
    return _out(request.auth, issued_document_id)


@router.get(
    "/{int:issued_document_id}/file",
    response={200: None},
    operation_id="documents_file",
    summary="Download the Word file of a document",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The .docx file",
                "content": {DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def documents_file(request: HttpRequest, issued_document_id: Id):
    """The download is audited."""
    _require(request, VIEW)
    document, handle = documents.document_open(actor=request.auth, document_id=issued_document_id)
    response = FileResponse(
        handle,
        content_type=DOCX_CONTENT_TYPE,
        as_attachment=True,
        filename=documents.download_name(document),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/inspections/{int:inspection_id}/site-record",
    response={201: IssuedDocumentOut},
    operation_id="documents_site_record_issue",
    summary="Issue the on-site inspection record of a finished inspection",
)
def documents_site_record_issue(request: HttpRequest, inspection_id: Id):
    """Idempotent: the record already issued for the inspection is returned again."""
    _require(request, ISSUE)
    document = documents.site_record_issue(actor=request.auth, inspection_id=inspection_id)
    return Status(201, _out(request.auth, document.pk))


@router.post(
    "/inspections/{int:inspection_id}/order",
    response={201: IssuedDocumentOut},
    operation_id="documents_order_issue",
    summary="Issue the order to rectify the inspection's hazards within their deadlines",
)
def documents_order_issue(request: HttpRequest, inspection_id: Id):
    """One order covers every hazard the inspection recorded. Idempotent."""
    _require(request, ISSUE)
    document = documents.rectification_order_issue(actor=request.auth, inspection_id=inspection_id)
    return Status(201, _out(request.auth, document.pk))


@router.post(
    "/{int:issued_document_id}/recheck-opinion",
    response={201: IssuedDocumentOut},
    operation_id="documents_recheck_opinion_issue",
    summary="Issue the re-check opinion of a rectification order",
)
def documents_recheck_opinion_issue(request: HttpRequest, issued_document_id: Id):
    """Needs at least one of the order's hazards re-checked. Idempotent."""
    _require(request, ISSUE)
    document = documents.recheck_opinion_issue(actor=request.auth, order_id=issued_document_id)
    return Status(201, _out(request.auth, document.pk))


class DocumentPreviewOut(Schema):
    doc_type: DocumentType
    title: str
    label: str = Field(description="The number as it will print, with __ for the number")
    can_issue: bool
    problems: list[str] = Field(description="Why the document cannot be issued yet")
    existing_id: int | None = Field(description="The document already issued, if any")
    fields: dict = Field(description="The document's values (those of an office template)")
    text: list[str] = Field(description="The document's lines, as printed")
    html: str = Field(description="The print preview (an A4 page, watermarked 预览)")


def _preview_out(request: HttpRequest, **kwargs) -> DocumentPreviewOut:
    return preview_out(documents.document_preview(actor=request.auth, **kwargs))


def preview_out(preview: documents.Preview) -> DocumentPreviewOut:
    """A document's preview as the API answers it (inspection and case documents)."""
    from django.template.loader import render_to_string

    layout = preview.layout
    lines: list[str] = []
    for block in layout.blocks if layout else ():
        if block.kind == "table":
            lines.extend("　".join(map(str, row)) for row in block.rows)
        elif block.kind == "paragraph" and block.text:
            lines.append(block.text)
    html = (
        render_to_string(
            "core/_layout.html", {"layout": layout, "watermark": _("PREVIEW")}, request=None
        )
        if layout
        else ""
    )
    return DocumentPreviewOut(
        doc_type=preview.doc_type,
        title=preview.title,
        label=preview.label,
        can_issue=preview.can_issue,
        problems=preview.problems,
        existing_id=preview.existing.pk if preview.existing else None,
        fields=layout.context if layout else {},
        text=lines,
        html=html,
    )


@router.get(
    "/inspections/{int:inspection_id}/site-record/preview",
    response=DocumentPreviewOut,
    operation_id="documents_site_record_preview",
    summary="Preview the on-site inspection record before its number is taken",
)
def documents_site_record_preview(request: HttpRequest, inspection_id: Id):
    """Nothing is written and no number is used."""
    _require(request, ISSUE)
    return _preview_out(request, doc_type=DocumentType.SITE_RECORD, inspection_id=inspection_id)


@router.get(
    "/inspections/{int:inspection_id}/order/preview",
    response=DocumentPreviewOut,
    operation_id="documents_order_preview",
    summary="Preview the rectification order before its number is taken",
)
def documents_order_preview(request: HttpRequest, inspection_id: Id):
    """Nothing is written and no number is used."""
    _require(request, ISSUE)
    return _preview_out(
        request, doc_type=DocumentType.RECTIFICATION_ORDER, inspection_id=inspection_id
    )


@router.get(
    "/{int:issued_document_id}/recheck-opinion/preview",
    response=DocumentPreviewOut,
    operation_id="documents_recheck_opinion_preview",
    summary="Preview the re-check opinion of an order before its number is taken",
)
def documents_recheck_opinion_preview(request: HttpRequest, issued_document_id: Id):
    """Nothing is written and no number is used."""
    _require(request, ISSUE)
    return _preview_out(request, doc_type=DocumentType.RECHECK_OPINION, order_id=issued_document_id)
