"""The town's enforcement settings over the API (mounted at ``/api/v1/enforcement-settings``):
the twins of the settings pages. Every operation needs ``enforcement.manage_settings`` (403
otherwise) and works on the caller's town (``town_id`` chooses among several); another town's
certificate or rule answers 404. Writes go through ``settings_services`` and are audited.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from anjian.accounts.models import User
from anjian.core.api_types import Id, Offset
from anjian.core.pagination import api_page
from anjian.enforcement import settings_services as services
from anjian.enforcement import templates_docx
from anjian.enforcement.models import (
    AuthorityMode,
    DocumentType,
    EnforcementSettings,
    OfficerCertificate,
    OfficeTemplate,
)
from anjian.enforcement.settings_services import MANAGE

router = Router(tags=["enforcement settings"])

MAX_LIMIT = 200


# --- Schemas --------------------------------------------------------------------------------------


class PrintedOut(Schema):
    mode: AuthorityMode
    label: str
    lines: list[str] = Field(description="The issuing authority as printed on documents")


class SettingsOut(Schema):
    town_id: int
    town_name: str
    mode: AuthorityMode
    authority_name: str
    town_body_name: str
    reconsideration_body: str
    court: str
    penalty_cap: Decimal | None
    printed: list[str] = Field(description="What the town's documents print now")
    printed_by_mode: list[PrintedOut]
    tag: str = Field(
        description="Send it back as expected_tag: a change made meanwhile answers 409"
    )


class SettingsIn(Schema):
    mode: AuthorityMode | None = None
    authority_name: str | None = Field(None, max_length=100)
    town_body_name: str | None = Field(None, max_length=100)
    reconsideration_body: str | None = Field(None, max_length=100)
    court: str | None = Field(None, max_length=100)
    penalty_cap: Decimal | None = Field(None, description="Yuan; send null to remove the cap")
    expected_tag: str | None = Field(
        None, description="The tag read with the settings: 409 if they changed since"
    )


class TownQuery(Schema):
    town_id: Id | None = Field(None, description="One of the caller's towns (default: the first)")


class CertificateOut(Schema):
    id: int
    user_id: int
    user_name: str
    username: str
    number: str
    valid_until: datetime.date | None
    status: str = Field(description="valid, expiring (30 days), expired or missing")
    may_sign: bool = Field(description="Whether documents accept this officer as a signer")
    tag: str = Field(description="Send it back as expected_tag when changing the certificate")


class CertificatePageOut(Schema):
    items: list[CertificateOut]
    count: int


class StaffOut(Schema):
    id: int = Field(description="The user's id")
    name: str
    username: str
    certificate: CertificateOut | None


class StaffPageOut(Schema):
    items: list[StaffOut]
    count: int


class ListQuery(Schema):
    town_id: Id | None = None
    q: str | None = Field(None, description="Part of the name, user name or certificate number")
    status: str | None = Field(None, description="valid, expiring, expired or missing")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class CertificateCreateIn(Schema):
    user_id: Id
    number: str = Field(max_length=40)
    valid_until: datetime.date | None = None


class CertificateUpdateIn(Schema):
    number: str | None = Field(None, max_length=40)
    valid_until: datetime.date | None = None
    expected_tag: str | None = Field(None, description="The certificate's tag: 409 if changed")


class NumberingRuleOut(Schema):
    id: int | None = Field(description="The rule's id; null while the default format applies")
    doc_type: DocumentType
    doc_type_label: str
    code: str
    pattern: str
    is_default: bool
    last_number: int = Field(description="Numbers given this year")
    next_number: str = Field(description="The next number, not taken")
    tag: str = Field(description="Send it back as expected_tag when changing the format")


class RulesOut(Schema):
    town_id: int
    items: list[NumberingRuleOut]


class RuleSetIn(Schema):
    doc_type: DocumentType
    pattern: str = Field(max_length=80)
    town_id: Id | None = None
    expected_tag: str | None = Field(None, description="The format's tag: 409 if changed")


class NumberingRuleUpdateIn(Schema):
    pattern: str = Field(max_length=80)
    expected_tag: str | None = Field(None, description="The format's tag: 409 if changed")


class PreviewQuery(Schema):
    doc_type: str | None = Field(None, description="The kind of document")
    pattern: str | None = Field(None, description="A format to try (default: the town's)")
    town_id: Id | None = None


class NumberPreviewOut(Schema):
    doc_type: DocumentType
    pattern: str
    next_number: str
    last_number: int


# --- Building answers ---------------------------------------------------------------------------


def _settings_out(town, settings: EnforcementSettings) -> dict:
    return {
        "town_id": town.pk,
        "town_name": town.name,
        **{name: getattr(settings, name) for name in services.SETTINGS_FIELDS},
        "printed": list(
            services.printed_lines(
                town,
                mode=settings.mode,
                authority_name=settings.authority_name,
                town_body_name=settings.town_body_name,
            )
        ),
        "printed_by_mode": [
            {"mode": p.mode, "label": p.label, "lines": list(p.lines)}
            for p in services.printed_by_mode(town, settings)
        ],
        "tag": services.settings_tag(settings),
    }


def _cert_out(cert: OfficerCertificate, today: datetime.date) -> dict:
    status = services.certificate_status(cert, today)
    return {
        "id": cert.pk,
        "user_id": cert.user_id,
        "user_name": cert.user.name,
        "username": cert.user.username,
        "number": cert.number,
        "valid_until": cert.valid_until,
        "status": status,
        "may_sign": status in {"valid", "expiring"},
        "tag": services.certificate_tag(cert),
    }


def _rule_out(row: services.RuleRow) -> dict:
    return {
        "id": row.id,
        "doc_type": row.doc_type,
        "doc_type_label": row.label,
        "code": row.code,
        "pattern": row.pattern,
        "is_default": row.is_default,
        "last_number": row.last_number,
        "next_number": row.next_label,
        "tag": row.tag,
    }


# --- The town's settings ------------------------------------------------------------------------


@router.get(
    "/settings",
    response=SettingsOut,
    operation_id="enforcement_settings_get",
    summary="The town's enforcement settings and what its documents print",
)
def settings_get(request: HttpRequest, query: Query[TownQuery]):
    town = services.town_for(request.auth, query.town_id)
    return _settings_out(town, services.settings_of(town))


@router.put(
    "/settings",
    response=SettingsOut,
    operation_id="enforcement_settings_update",
    summary="Change the town's enforcement settings (only the fields sent)",
)
def settings_update(request: HttpRequest, payload: SettingsIn, query: Query[TownQuery]):
    """An entrusted town needs the issuing authority's name (422 otherwise). Audited."""
    fields = payload.model_dump(exclude_unset=True)
    services.town_for(request.auth, query.town_id)  # 403/404 before anything is judged
    settings = services.enforcement_settings_update(
        actor=request.auth, town_id=query.town_id, **fields
    )
    return _settings_out(settings.town, settings)


# --- Certificates ---------------------------------------------------------------------------------


def _filtered_staff(request: HttpRequest, query: ListQuery):
    town = services.town_for(request.auth, query.town_id)
    people = services.staff_of(request.auth, town)
    return town, people


@router.get(
    "/staff",
    response=StaffPageOut,
    operation_id="enforcement_settings_staff_list",
    summary="The town's staff with their law-enforcement certificates",
)
def staff_list(request: HttpRequest, query: Query[ListQuery]):
    _town, people = _filtered_staff(request, query)
    qs = (
        User.objects.for_action(request.auth, MANAGE)
        .filter(pk__in=people.values("pk"))
        .select_related("enforcement_certificate")
        .order_by("name", "username")
    )
    if query.q:
        from django.db.models import Q

        qs = qs.filter(
            Q(name__icontains=query.q)
            | Q(username__icontains=query.q)
            | Q(enforcement_certificate__number__icontains=query.q)
        )
    today = timezone.localdate()
    rows = []
    for person in qs:
        cert = getattr(person, "enforcement_certificate", None) if _has_cert(person) else None
        status = services.certificate_status(cert, today)
        if query.status and status != query.status:
            continue
        rows.append(
            {
                "id": person.pk,
                "name": person.name,
                "username": person.username,
                "certificate": _cert_out(cert, today) if cert else None,
            }
        )
    return {"items": rows[query.offset : query.offset + query.limit], "count": len(rows)}


def _has_cert(person) -> bool:
    try:
        person.enforcement_certificate  # noqa: B018 - the reverse one-to-one may be missing
    except OfficerCertificate.DoesNotExist:
        return False
    return True


@router.get(
    "/certificates",
    response=CertificatePageOut,
    operation_id="enforcement_settings_certificates_list",
    summary="The law-enforcement certificates of the town's staff",
)
def certificates_list(request: HttpRequest, query: Query[ListQuery]):
    _town, people = _filtered_staff(request, query)
    qs = (
        services.certificates()
        .for_action(request.auth, MANAGE)
        .filter(user__in=people.values("pk"))
        .select_related("user")
        .order_by("user__name", "pk")
    )
    if query.q:
        from django.db.models import Q

        qs = qs.filter(
            Q(number__icontains=query.q)
            | Q(user__name__icontains=query.q)
            | Q(user__username__icontains=query.q)
        )
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=services.EXPIRING_DAYS)
    if query.status == "expired":
        qs = qs.filter(valid_until__lt=today)
    elif query.status == "expiring":
        qs = qs.filter(valid_until__gte=today, valid_until__lte=soon)
    elif query.status == "valid":
        from django.db.models import Q

        qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=soon))
    page = api_page(qs, offset=query.offset, limit=query.limit)
    return {"items": [_cert_out(c, today) for c in page["items"]], "count": page["count"]}


@router.post(
    "/certificates",
    response={201: CertificateOut},
    operation_id="enforcement_settings_certificates_create",
    summary="Record the certificate of one of the town's staff",
)
def certificates_create(request: HttpRequest, payload: CertificateCreateIn):
    services.town_for(request.auth)  # 403 without the action
    cert = services.certificate_create(actor=request.auth, **payload.model_dump())
    return Status(201, _cert_out(cert, timezone.localdate()))


@router.put(
    "/certificates/{int:certificate_id}",
    response=CertificateOut,
    operation_id="enforcement_settings_certificates_update",
    summary="Change a certificate's number or validity (only the fields sent)",
)
def certificates_update(request: HttpRequest, certificate_id: Id, payload: CertificateUpdateIn):
    cert = services.certificate_update(
        actor=request.auth, certificate_id=certificate_id, **payload.model_dump(exclude_unset=True)
    )
    return _cert_out(cert, timezone.localdate())


@router.delete(
    "/certificates/{int:certificate_id}",
    response={204: None},
    operation_id="enforcement_settings_certificates_delete",
    summary="Remove a certificate (its holder no longer signs documents)",
)
def certificates_delete(request: HttpRequest, certificate_id: Id):
    services.certificate_delete(actor=request.auth, certificate_id=certificate_id)
    return Status(204, None)


# --- Numbering rules --------------------------------------------------------------------------------


@router.get(
    "/numbering-rules",
    response=RulesOut,
    operation_id="enforcement_settings_rules_list",
    summary="Each document type's number format and next number (not taken)",
)
def rules_list(request: HttpRequest, query: Query[TownQuery]):
    town = services.town_for(request.auth, query.town_id)
    return {"town_id": town.pk, "items": [_rule_out(r) for r in services.rule_rows(town)]}


@router.put(
    "/numbering-rules",
    response=NumberingRuleOut,
    operation_id="enforcement_settings_rules_set",
    summary="Set the number format of a document type",
)
def rules_set(request: HttpRequest, payload: RuleSetIn):
    """Placeholders {town}, {code}, {year} and {number}; {year} and {number} are needed. An
    unknown placeholder is refused (422) with the names it found."""
    services.town_for(request.auth, payload.town_id)
    rule = services.numbering_rule_set(
        actor=request.auth,
        doc_type=payload.doc_type,
        pattern=payload.pattern,
        town_id=payload.town_id,
        expected_tag=payload.expected_tag,
    )
    return _rule_out(next(r for r in services.rule_rows(rule.town) if r.doc_type == rule.doc_type))


@router.put(
    "/numbering-rules/{int:rule_id}",
    response=NumberingRuleOut,
    operation_id="enforcement_settings_rules_update",
    summary="Change the format of one of the town's numbering rules",
)
def rules_update(request: HttpRequest, rule_id: Id, payload: NumberingRuleUpdateIn):
    rule = services.numbering_rule_update(
        actor=request.auth,
        rule_id=rule_id,
        pattern=payload.pattern,
        expected_tag=payload.expected_tag,
    )
    return _rule_out(next(r for r in services.rule_rows(rule.town) if r.doc_type == rule.doc_type))


@router.delete(
    "/numbering-rules/{int:rule_id}",
    response={204: None},
    operation_id="enforcement_settings_rules_reset",
    summary="Go back to the default format for the rule's document type",
)
def rules_reset(request: HttpRequest, rule_id: Id):
    services.numbering_rule_reset(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@router.get(
    "/numbering-rules/preview",
    response=NumberPreviewOut,
    operation_id="enforcement_settings_rules_preview",
    summary="The next number of a document type, with the town's or a given format (not taken)",
)
def rules_preview(request: HttpRequest, query: Query[PreviewQuery]):
    town = services.town_for(request.auth, query.town_id)
    doc_type = query.doc_type or ""
    label, last = services.preview_number(town, doc_type, query.pattern)
    pattern = query.pattern
    if pattern is None:
        pattern = next(r.pattern for r in services.rule_rows(town) if r.doc_type == doc_type)
    return {"doc_type": doc_type, "pattern": pattern, "next_number": label, "last_number": last}


# --- The office's own Word templates ----------------------------------------------------------------


class OfficeTemplateOut(Schema):
    doc_type: DocumentType
    doc_type_label: str
    id: int | None = Field(description="The uploaded template (null: the built-in layout)")
    name: str
    sha256: str
    uploaded_at: datetime.datetime | None


class OfficeTemplatesOut(Schema):
    town_id: int
    items: list[OfficeTemplateOut]
    variables: dict = Field(description="The variables a template may use, with sample values")


class OfficeTemplateIn(Schema):
    doc_type: str = Field("", description="The kind of document (site_record, …)")
    town_id: Id | None = None


def _template_row(doc_type: str, label: str, template) -> dict:
    return {
        "doc_type": doc_type,
        "doc_type_label": str(label),
        "id": template.pk if template else None,
        "name": template.name if template else "",
        "sha256": template.sha256 if template else "",
        "uploaded_at": template.uploaded_at if template else None,
    }


@router.get(
    "/office-templates",
    response=OfficeTemplatesOut,
    operation_id="enforcement_settings_office_templates_list",
    summary="The town's own Word templates per document type, and the variables they may use",
)
def office_templates_list(request: HttpRequest, town_id: Id | None = None):
    town = services.town_for(request.auth, town_id)
    kept = {t.doc_type: t for t in OfficeTemplate.objects.filter(town=town)}
    return {
        "town_id": town.pk,
        "items": [_template_row(v, label, kept.get(v)) for v, label in DocumentType.choices],
        "variables": templates_docx.SAMPLE_CONTEXT,
    }


@router.post(
    "/office-templates",
    response={201: OfficeTemplateOut},
    operation_id="enforcement_settings_office_templates_upload",
    summary="Upload (or replace) the Word template of a document type (multipart)",
)
def office_templates_upload(
    request: HttpRequest, payload: Form[OfficeTemplateIn], file: File[UploadedFile]
):
    """Checked by filling it in with the sample values; 422 with the reason otherwise."""
    template = templates_docx.office_template_upload(
        actor=request.auth, doc_type=payload.doc_type, upload=file, town_id=payload.town_id
    )
    return Status(201, _template_row(template.doc_type, template.get_doc_type_display(), template))


@router.delete(
    "/office-templates/{int:office_template_id}",
    response={204: None},
    operation_id="enforcement_settings_office_templates_delete",
    summary="Remove a Word template (the built-in layout is used again)",
)
def office_templates_delete(request: HttpRequest, office_template_id: Id):
    templates_docx.office_template_delete(actor=request.auth, template_id=office_template_id)
    return Status(204, None)
