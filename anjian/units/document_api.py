"""The unit's file over the API (mounted at ``/api/v1/units``): documents with their scanned files,
and people. Same scope as the pages: reading needs ``units.view``, writing ``units.manage_file``;
anything outside the caller's scope is 404.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import DB_INT_MAX, Id, Offset
from anjian.core.scoping import get_scope
from anjian.units import documents as file_services
from anjian.units.document_forms import DocumentForm
from anjian.units.documents import MANAGE, VIEW, DocumentStatus
from anjian.units.models import DocumentType, PersonRole, Unit, UnitDocument

router = Router(tags=["unit documents"])

MAX_LIMIT = 200

# --- Schemas ------------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    doc_type: DocumentType
    doc_type_label: str
    title: str
    number: str
    issuer: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    status: DocumentStatus = Field(description="Derived from valid_to and today's date")
    status_label: str
    person_id: int | None = Field(description="The holder (a person of the unit), if any")
    person_name: str | None
    note: str
    has_file: bool
    sha256: str = Field(description="SHA-256 of the scanned file, hex")
    content_type: str | None
    file_url: str | None = Field(description="Where to download the scan (same scope)")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    allowed_actions: list[str] = Field(description="What the caller may do: change, delete")

    @staticmethod
    def resolve_unit_name(obj: UnitDocument) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_doc_type_label(obj: UnitDocument) -> str:
        return str(obj.get_doc_type_display())

    @staticmethod
    def resolve_status(obj: UnitDocument) -> str:
        return obj.expiry_status

    @staticmethod
    def resolve_status_label(obj: UnitDocument) -> str:
        return str(DocumentStatus(obj.expiry_status).label)

    @staticmethod
    def resolve_person_name(obj: UnitDocument) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_has_file(obj: UnitDocument) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_content_type(obj: UnitDocument) -> str | None:
        return file_services.document_content_type(obj) if obj.file else None

    @staticmethod
    def resolve_file_url(obj: UnitDocument) -> str | None:
        return f"/api/v1/units/documents/{obj.pk}/file" if obj.file else None

    @staticmethod
    def resolve_allowed_actions(obj: UnitDocument) -> list[str]:
        return ["change", "delete"] if getattr(obj, "can_manage", False) else []


class DocumentPageOut(Schema):
    items: list[DocumentOut]
    count: int


class DocumentFilterIn(Schema):
    q: str | None = Field(None, description="Part of the title, number, issuer or unit name")
    status: DocumentStatus | None = None
    doc_type: DocumentType | None = None
    unit_id: Id | None = Field(None, description="Only the documents of this unit")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class DocumentPatchIn(Schema):
    doc_type: DocumentType | None = None
    title: str | None = Field(None, max_length=200)
    number: str | None = Field(None, max_length=100)
    issuer: str | None = Field(None, max_length=100)
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = Field(None, description="null: the document does not expire")
    person_id: Id | None = Field(None, description="The holder; null for none")
    note: str | None = None


class DocumentReasonIn(Schema):
    reason: str = Field("", description="Why the document is deleted (required)", max_length=500)


class PersonOut(Schema):
    id: int
    unit_id: int
    role: PersonRole
    role_label: str
    name: str
    mobile: str
    certificate_type: str
    certificate_no: str
    certificate_valid_to: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class PersonIn(Schema):
    role: PersonRole
    name: str = Field(..., max_length=50)
    mobile: str = Field("", max_length=20, description="Required for a safety officer")
    certificate_type: str = Field("", max_length=60)
    certificate_no: str = Field("", max_length=60)
    certificate_valid_to: datetime.date | None = None


class PersonPatchIn(Schema):
    role: PersonRole | None = None
    name: str | None = Field(None, max_length=50)
    mobile: str | None = Field(None, max_length=20)
    certificate_type: str | None = Field(None, max_length=60)
    certificate_no: str | None = Field(None, max_length=60)
    certificate_valid_to: datetime.date | None = None


MULTIPART_DOCUMENT = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["doc_type", "file"],
                    "properties": {
                        "doc_type": {"type": "string", "enum": list(DocumentType.values)},
                        "title": {"type": "string", "maxLength": 200},
                        "number": {"type": "string", "maxLength": 100},
                        "issuer": {"type": "string", "maxLength": 100},
                        "valid_from": {"type": "string", "format": "date"},
                        "valid_to": {"type": "string", "format": "date"},
                        "person": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": DB_INT_MAX,
                            "description": "Holder (person id)",
                        },
                        "note": {"type": "string"},
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, JPEG or PNG (checked by content), ≤ 20 MB",
                        },
                    },
                }
            }
        },
    }
}
MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


# --- Helpers ------------------------------------------------------------------------------------


def _require(request: HttpRequest, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include this part of the unit's file."))


def _mark_manageable(user, documents: list[UnitDocument]) -> list[UnitDocument]:
    unit_ids = {d.unit_id for d in documents}
    manageable = (
        set(
            Unit.objects.for_action(user, MANAGE)
            .filter(pk__in=sorted(unit_ids))
            .values_list("pk", flat=True)
        )
        if unit_ids and get_scope(user).can(MANAGE)
        else set()
    )
    for document in documents:
        document.can_manage = document.unit_id in manageable
    return documents


def _document_out(user, document_id: int) -> UnitDocument:
    document = file_services.document_get_for(user, document_id)
    return _mark_manageable(user, [document])[0]


def _form_errors(form) -> ValidationError:
    return ValidationError(
        {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    )


# --- Documents ----------------------------------------------------------------------------------


@router.get(
    "/documents",
    response=DocumentPageOut,
    operation_id="unit_documents_search",
    summary="Documents of every unit the caller may see",
)
def unit_documents_search(request: HttpRequest, filters: Query[DocumentFilterIn]):
    """Filter by status to find what expires soon (``status=expiring``) or has expired."""
    _require(request, VIEW)
    qs = file_services.document_list_for(
        request.auth, unit_id=filters.unit_id, status=filters.status, doc_type=filters.doc_type
    )
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(issuer__icontains=q)
            | Q(unit__name__icontains=q)
        )
    qs = qs.order_by(F("valid_to").asc(nulls_last=True), "unit__name", "pk")
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": _mark_manageable(request.auth, items), "count": qs.count()}


@router.get(
    "/{int:unit_id}/documents",
    response=list[DocumentOut],
    operation_id="unit_documents_list",
    summary="The documents of one unit",
)
def unit_documents_list(
    request: HttpRequest,
    unit_id: Id,
    status: DocumentStatus | None = None,
    doc_type: DocumentType | None = None,
):
    _require(request, VIEW)
    unit = file_services.unit_get_for(request.auth, unit_id)
    qs = file_services.document_list_for(
        request.auth, unit_id=unit.pk, status=status, doc_type=doc_type
    ).order_by(F("valid_to").asc(nulls_last=True), "doc_type", "pk")
    return _mark_manageable(request.auth, list(qs))


@router.post(
    "/{int:unit_id}/documents",
    response={201: DocumentOut},
    operation_id="unit_documents_create",
    summary="Upload a document to a unit's file (multipart)",
    openapi_extra=MULTIPART_DOCUMENT,
)
def unit_documents_create(request: HttpRequest, unit_id: Id):
    """Send ``multipart/form-data`` with the fields and the scanned ``file``. The file must be a
    PDF, JPEG or PNG by its content (a renamed text file is refused) and at most 20 MB."""
    _require(request, MANAGE)
    unit = file_services.unit_get_for(request.auth, unit_id, action=MANAGE)
    people = file_services.person_list_for(request.auth, unit_id=unit.pk)
    form = DocumentForm(request.POST, request.FILES, people=people)
    if not form.is_valid():
        raise _form_errors(form)
    document = file_services.document_create(
        actor=request.auth, unit_id=unit.pk, file=form.cleaned_data["file"], **form.service_kwargs()
    )
    return Status(201, _document_out(request.auth, document.pk))


@router.get(
    "/documents/{int:document_id}",
    response=DocumentOut,
    operation_id="unit_documents_get",
    summary="One document",
)
def unit_documents_get(request: HttpRequest, document_id: Id):
    _require(request, VIEW)
    return _document_out(request.auth, document_id)


@router.patch(
    "/documents/{int:document_id}",
    response=DocumentOut,
    operation_id="unit_documents_update",
    summary="Change a document's facts",
)
def unit_documents_update(request: HttpRequest, document_id: Id, payload: DocumentPatchIn):
    """Only the fields sent are changed; send ``"valid_to": null`` for a document without expiry."""
    _require(request, MANAGE)
    file_services.document_update(
        actor=request.auth,
        document_id=document_id,
        changes=payload.model_dump(exclude_unset=True),
    )
    return _document_out(request.auth, document_id)


@router.post(
    "/documents/{int:document_id}/file",
    response=DocumentOut,
    operation_id="unit_documents_file_replace",
    summary="Replace a document's scanned file (multipart)",
    openapi_extra=MULTIPART_FILE,
)
def unit_documents_file_replace(request: HttpRequest, document_id: Id):
    _require(request, MANAGE)
    file_services.document_get_for(request.auth, document_id, action=MANAGE)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": _("Attach the scanned file (PDF, JPEG or PNG).")})
    file_services.document_update(
        actor=request.auth, document_id=document_id, changes={}, file=upload
    )
    return _document_out(request.auth, document_id)


@router.get(
    "/documents/{int:document_id}/file",
    response={200: None},
    operation_id="unit_documents_file",
    summary="Download a document's scanned file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The scan",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def unit_documents_file(request: HttpRequest, document_id: Id):
    """The download is audited."""
    _require(request, VIEW)
    document, handle = file_services.document_open_file(actor=request.auth, document_id=document_id)
    response = FileResponse(
        handle,
        content_type=file_services.document_content_type(document),
        as_attachment=True,
        filename=file_services.document_download_name(document),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/documents/{int:document_id}/delete",
    response={204: None},
    operation_id="unit_documents_delete",
    summary="Delete a document (with a reason)",
)
def unit_documents_delete(request: HttpRequest, document_id: Id, payload: DocumentReasonIn):
    _require(request, MANAGE)
    file_services.document_delete(
        actor=request.auth, document_id=document_id, reason=payload.reason
    )
    return Status(204, None)


# --- People -------------------------------------------------------------------------------------


@router.get(
    "/{int:unit_id}/people",
    response=list[PersonOut],
    operation_id="unit_people_list",
    summary="The people of one unit",
)
def unit_people_list(request: HttpRequest, unit_id: Id, role: PersonRole | None = None):
    _require(request, VIEW)
    unit = file_services.unit_get_for(request.auth, unit_id)
    qs = file_services.person_list_for(request.auth, unit_id=unit.pk)
    if role:
        qs = qs.filter(role=role)
    return list(qs)


@router.post(
    "/{int:unit_id}/people",
    response={201: PersonOut},
    operation_id="unit_people_create",
    summary="Add a person to a unit's file",
)
def unit_people_create(request: HttpRequest, unit_id: Id, payload: PersonIn):
    _require(request, MANAGE)
    person = file_services.person_create(actor=request.auth, unit_id=unit_id, **payload.dict())
    return Status(201, file_services.person_get_for(request.auth, person.pk))


@router.get(
    "/people/{int:person_id}",
    response=PersonOut,
    operation_id="unit_people_get",
    summary="One person of a unit",
)
def unit_people_get(request: HttpRequest, person_id: Id):
    _require(request, VIEW)
    return file_services.person_get_for(request.auth, person_id)


@router.patch(
    "/people/{int:person_id}",
    response=PersonOut,
    operation_id="unit_people_update",
    summary="Change a person of a unit",
)
def unit_people_update(request: HttpRequest, person_id: Id, payload: PersonPatchIn):
    _require(request, MANAGE)
    person = file_services.person_update(
        actor=request.auth, person_id=person_id, changes=payload.model_dump(exclude_unset=True)
    )
    return file_services.person_get_for(request.auth, person.pk)


@router.delete(
    "/people/{int:person_id}",
    response={204: None},
    operation_id="unit_people_delete",
    summary="Remove a person from a unit's file",
)
def unit_people_delete(request: HttpRequest, person_id: Id):
    _require(request, MANAGE)
    file_services.person_delete(actor=request.auth, person_id=person_id)
    return Status(204, None)
