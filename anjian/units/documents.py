"""The unit's file (一企一档): its documents (licences, certificates, plans, evaluations…) and its
people (principal, safety officers, certified workers), and the expiry reminders.

Reads (selectors) go through ``UnitDocument.objects.for_action`` / ``UnitPerson.objects.for_action``;
writes (services) re-fetch their target through ``for_action(actor, "units.manage_file")`` (404
outside the scope) and audit themselves. A document's status (valid, expiring, expired, no expiry)
is derived from ``valid_to`` and today's date, never stored.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.roles import Role
from anjian.audit.services import audit_record, snapshot
from anjian.core.filters import IdFilter
from anjian.core.validators import validate_mobile
from anjian.units.models import (
    DocumentType,
    ExpiryReminder,
    PersonRole,
    Unit,
    UnitDocument,
    UnitPerson,
    UnitStatus,
)

logger = logging.getLogger("anjian.units.documents")

VIEW = "units.view"
MANAGE = "units.manage_file"

# A document whose validity ends within this many days is "expiring".
EXPIRING_DAYS = 60
# Reminders go out this many days before ``valid_to`` (0: on the day it expires).
THRESHOLDS = (60, 30, 7, 0)
# After a downtime, an "expires today" reminder is still sent this many days late, not later.
MISSED_GRACE_DAYS = 7
MAX_FILE_BYTES = 20 * 1024 * 1024


class DocumentStatus(models.TextChoices):
    VALID = "valid", gettext_lazy("Valid")
    EXPIRING = "expiring", gettext_lazy("Expiring within 60 days")
    EXPIRED = "expired", gettext_lazy("Expired")
    NO_EXPIRY = "no_expiry", gettext_lazy("No expiry")


# Bootstrap badge class per status (the unit tab, the lists).
STATUS_BADGES = {
    DocumentStatus.VALID: "text-bg-success",
    DocumentStatus.EXPIRING: "text-bg-warning",
    DocumentStatus.EXPIRED: "text-bg-danger",
    DocumentStatus.NO_EXPIRY: "text-bg-secondary",
}


def document_status(valid_to: datetime.date | None, today: datetime.date) -> DocumentStatus:
    if valid_to is None:
        return DocumentStatus.NO_EXPIRY
    if valid_to < today:
        return DocumentStatus.EXPIRED
    if valid_to <= today + datetime.timedelta(days=EXPIRING_DAYS):
        return DocumentStatus.EXPIRING
    return DocumentStatus.VALID


def status_q(status: str, today: datetime.date) -> Q:
    """The condition on ``valid_to`` of documents in ``status`` (same rule as ``document_status``)."""
    horizon = today + datetime.timedelta(days=EXPIRING_DAYS)
    return {
        DocumentStatus.NO_EXPIRY: Q(valid_to__isnull=True),
        DocumentStatus.EXPIRED: Q(valid_to__lt=today),
        DocumentStatus.EXPIRING: Q(valid_to__gte=today, valid_to__lte=horizon),
        DocumentStatus.VALID: Q(valid_to__gt=horizon),
    }[DocumentStatus(status)]


def with_status(qs, today: datetime.date | None = None):
    """Annotate ``expiry_status`` (a DocumentStatus value) on a queryset of documents."""
    today = today or timezone.localdate()
    return qs.annotate(
        expiry_status=Case(
            *(When(status_q(s, today), then=Value(s.value)) for s in DocumentStatus),
            output_field=CharField(),
        )
    )


# --- Files: checked by their content, not their name --------------------------------------------

# (magic bytes, content type, extension)
FILE_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
CONTENT_TYPES = {ext: ctype for _magic, ctype, ext in FILE_SIGNATURES}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    sha256: str
    size: int


def file_check(upload) -> CheckedFile:
    """Accept a PDF, JPEG or PNG of at most 20 MB, recognised by its first bytes; hash it."""
    size = upload.size if upload.size is not None else 0
    if size == 0:
        raise ValidationError({"file": _("The scanned file is empty.")})
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("The scanned file is %(size).1f MB; at most 20 MB is allowed.")
                % {"size": size / 1024 / 1024}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    match = next((sig for sig in FILE_SIGNATURES if head.startswith(sig[0])), None)
    if match is None:
        raise ValidationError(
            {
                "file": _(
                    "The scanned file “%(name)s” is not a PDF, JPEG or PNG file (its content was "
                    "checked, not its name)."
                )
                % {"name": getattr(upload, "name", "")}
            }
        )
    _magic, content_type, extension = match
    digest = hashlib.sha256()
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type, extension, digest.hexdigest(), size)


def document_content_type(document: UnitDocument) -> str:
    extension = document.file.name.rsplit(".", 1)[-1].lower() if document.file else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def document_download_name(document: UnitDocument) -> str:
    extension = document.file.name.rsplit(".", 1)[-1].lower() if document.file else "bin"
    stem = (document.title or document.get_doc_type_display()).replace("/", "-").strip()
    if document.number:
        stem = f"{stem}-{document.number}"
    return f"{stem}.{extension}"


def _store_file(document: UnitDocument, upload, checked: CheckedFile) -> None:
    # A random name: nothing about the document can be guessed from its storage path.
    document.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
    document.sha256 = checked.sha256


def _delete_stored_file_later(name: str) -> None:
    if not name:
        return
    from django.core.files.storage import default_storage

    def _delete() -> None:
        try:
            default_storage.delete(name)
        except Exception:  # pragma: no cover - a missing file is no reason to fail
            logger.warning("could not delete stored file %s", name)

    transaction.on_commit(_delete)


# --- Selectors ----------------------------------------------------------------------------------


def unit_get_for(user, unit_id: int, *, action: str = VIEW) -> Unit:
    unit = Unit.objects.for_action(user, action).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def document_list_for(
    user,
    *,
    unit_id: int | None = None,
    status: str | None = None,
    doc_type: str | None = None,
    today: datetime.date | None = None,
):
    today = today or timezone.localdate()
    qs = UnitDocument.objects.for_action(user, VIEW)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status_q(status, today))
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    return with_status(qs, today).select_related("unit", "person")


def document_get_for(user, document_id: int, *, action: str = VIEW) -> UnitDocument:
    document = (
        with_status(UnitDocument.objects.for_action(user, action))
        .select_related("unit__region__parent", "person", "uploaded_by")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise Http404
    return document


def person_list_for(user, *, unit_id: int | None = None):
    qs = UnitPerson.objects.for_action(user, VIEW).select_related("unit")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs


def person_get_for(user, person_id: int, *, action: str = VIEW) -> UnitPerson:
    person = (
        UnitPerson.objects.for_action(user, action)
        .select_related("unit")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404
    return person


def can_manage_file(user, unit: Unit) -> bool:
    return Unit.objects.for_action(user, MANAGE).filter(pk=unit.pk).exists()


def unit_file_for(user, unit: Unit) -> dict[str, Any]:
    """What the unit page's "documents" and "people" tabs need, in three queries whatever the
    size of the file.

    Keys: ``documents`` (list, each with ``expiry_status``), ``people`` (list),
    ``document_counts`` ({status: n} for every DocumentStatus), ``document_alerts`` (expiring +
    expired), ``can_manage_file`` (bool), ``today``.
    """
    today = timezone.localdate()
    documents = list(
        with_status(UnitDocument.objects.for_action(user, VIEW).filter(unit_id=unit.pk), today)
        .select_related("person")
        .order_by(F("valid_to").asc(nulls_last=True), "doc_type", "pk")
    )
    people = list(UnitPerson.objects.for_action(user, VIEW).filter(unit_id=unit.pk))
    counts = {s.value: 0 for s in DocumentStatus}
    for document in documents:
        counts[document.expiry_status] += 1
    return {
        "documents": documents,
        "people": people,
        "document_counts": counts,
        "document_alerts": counts[DocumentStatus.EXPIRING] + counts[DocumentStatus.EXPIRED],
        "can_manage_file": can_manage_file(user, unit),
        "today": today,
    }


class DocumentFilterSet(django_filters.FilterSet):
    """Filters of the document list (page and API): status, type, unit."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DocumentStatus.choices, method="filter_status"
    )
    doc_type = django_filters.ChoiceFilter(
        label=gettext_lazy("Document type"), choices=DocumentType.choices
    )
    unit = IdFilter(label=gettext_lazy("Unit"), field_name="unit_id", widget=forms.HiddenInput)

    class Meta:
        model = UnitDocument
        fields = ["status", "doc_type", "unit"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, timezone.localdate())) if value else queryset


# --- Services: documents ------------------------------------------------------------------------

DOCUMENT_FIELDS = (
    "doc_type",
    "title",
    "number",
    "issuer",
    "valid_from",
    "valid_to",
    "person_id",
    "note",
)


def _clean_document(document: UnitDocument) -> None:
    errors: dict[str, str] = {}
    if document.doc_type not in DocumentType.values:
        errors["doc_type"] = _("Choose the document type.")
    if document.valid_from and document.valid_to and document.valid_to < document.valid_from:
        errors["valid_to"] = _("“Valid to” (%(to)s) is before “valid from” (%(from)s).") % {
            "to": document.valid_to.isoformat(),
            "from": document.valid_from.isoformat(),
        }
    if (
        document.person_id is not None
        and not UnitPerson.objects.filter(pk=document.person_id, unit_id=document.unit_id).exists()
    ):
        errors["person"] = _("The holder must be a person of this unit.")
    for field in ("title", "number", "issuer", "note"):
        setattr(document, field, (getattr(document, field) or "").strip())
    if errors:
        raise ValidationError(errors)
    document.full_clean(exclude=["file", "unit", "person", "uploaded_by"])


@transaction.atomic
def document_create(
    *,
    actor,
    unit_id: int,
    doc_type: str,
    file: UploadedFile | None,
    title: str = "",
    number: str = "",
    issuer: str = "",
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    person_id: int | None = None,
    note: str = "",
) -> UnitDocument:
    """Add a document (with its scanned file) to a unit's file. ``actor`` None is the system."""
    unit = (
        Unit.objects.filter(pk=unit_id).first()
        if actor is None
        else Unit.objects.for_action(actor, MANAGE).filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    document = UnitDocument(
        unit=unit,
        doc_type=doc_type or "",
        title=title or "",
        number=number or "",
        issuer=issuer or "",
        valid_from=valid_from,
        valid_to=valid_to,
        person_id=person_id,
        note=note or "",
        uploaded_by=actor if actor is not None and actor.pk else None,
    )
    _clean_document(document)
    if file is None:
        raise ValidationError({"file": _("Attach the scanned file (PDF, JPEG or PNG).")})
    checked = file_check(file)
    _store_file(document, file, checked)
    document.save()
    audit_record(
        actor=actor, action="unit_document.created", obj=document, after=snapshot(document)
    )
    return document


@transaction.atomic
def document_update(
    *, actor, document_id: int, changes: dict[str, Any], file: UploadedFile | None = None
) -> UnitDocument:
    """Change a document's facts (only the keys given) and, with ``file``, replace its scan."""
    document = UnitDocument.objects.for_action(actor, MANAGE).filter(pk=document_id).first()
    if document is None:
        raise Http404
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:  # pragma: no cover - a programming error, not user input
        raise ValueError(f"not document fields: {sorted(unknown)}")
    before = snapshot(document)
    for key, value in changes.items():
        setattr(
            document,
            key,
            "" if value is None and key in {"title", "number", "issuer", "note"} else value,
        )
    _clean_document(document)
    old_name = ""
    if file is not None:
        checked = file_check(file)
        old_name = document.file.name
        _store_file(document, file, checked)
    after = snapshot(document)
    if after == before:
        return document
    document.save()
    audit_record(
        actor=actor,
        action="unit_document.file_replaced" if file is not None else "unit_document.updated",
        obj=document,
        before=before,
        after=after,
    )
    if old_name and old_name != document.file.name:
        _delete_stored_file_later(old_name)
    return document


@transaction.atomic
def document_delete(*, actor, document_id: int, reason: str) -> None:
    """Remove a document and its scan from the file; the reason is required and audited."""
    document = UnitDocument.objects.for_action(actor, MANAGE).filter(pk=document_id).first()
    if document is None:
        raise Http404
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for deleting this document.")})
    before = snapshot(document)
    name = document.file.name
    unit = document.unit
    audit_record(
        actor=actor,
        action="unit_document.deleted",
        obj=document,
        before=before,
        after=None,
        reason=reason,
        region_id=unit.region_id,
    )
    document.delete()
    _delete_stored_file_later(name)


def document_open_file(*, actor, document_id: int):
    """The stored scan of a document the actor may see (404 otherwise), opened for reading;
    the download is audited."""
    document = document_get_for(actor, document_id)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(
        actor=actor,
        action="unit_document.downloaded",
        obj=document,
        changes={"sha256": document.sha256},
    )
    return document, handle


# --- Services: people ---------------------------------------------------------------------------

PERSON_FIELDS = (
    "role",
    "name",
    "mobile",
    "certificate_type",
    "certificate_no",
    "certificate_valid_to",
)


def _clean_person(person: UnitPerson) -> None:
    errors: dict[str, str] = {}
    person.name = (person.name or "").strip()
    person.mobile = (person.mobile or "").strip()
    person.certificate_type = (person.certificate_type or "").strip()
    person.certificate_no = (person.certificate_no or "").strip()
    if person.role not in PersonRole.values:
        errors["role"] = _("Choose the person's role.")
    if not person.name:
        errors["name"] = _("Enter the person's name.")
    if person.mobile:
        try:
            person.mobile = validate_mobile(person.mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages[0]
    elif person.role == PersonRole.SAFETY_OFFICER:
        errors["mobile"] = _("A safety officer needs a mobile number.")
    if person.role == PersonRole.CERTIFIED_WORKER:
        if not person.certificate_type:
            errors["certificate_type"] = _(
                "Enter the certificate of the certified worker (e.g. 电工作业)."
            )
        if not person.certificate_no:
            errors["certificate_no"] = _("Enter the certificate number of the certified worker.")
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["unit", "user"])


@transaction.atomic
def person_create(
    *,
    actor,
    unit_id: int,
    role: str,
    name: str,
    mobile: str = "",
    certificate_type: str = "",
    certificate_no: str = "",
    certificate_valid_to: datetime.date | None = None,
) -> UnitPerson:
    unit = (
        Unit.objects.filter(pk=unit_id).first()
        if actor is None
        else Unit.objects.for_action(actor, MANAGE).filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    person = UnitPerson(
        unit=unit,
        role=role or "",
        name=name or "",
        mobile=mobile or "",
        certificate_type=certificate_type or "",
        certificate_no=certificate_no or "",
        certificate_valid_to=certificate_valid_to,
    )
    _clean_person(person)
    person.save()
    audit_record(actor=actor, action="unit_person.created", obj=person, after=snapshot(person))
    return person


@transaction.atomic
def person_update(*, actor, person_id: int, changes: dict[str, Any]) -> UnitPerson:
    person = UnitPerson.objects.for_action(actor, MANAGE).filter(pk=person_id).first()
    if person is None:
        raise Http404
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:  # pragma: no cover - a programming error, not user input
        raise ValueError(f"not person fields: {sorted(unknown)}")
    before = snapshot(person)
    for key, value in changes.items():
        setattr(person, key, "" if value is None and key != "certificate_valid_to" else value)
    _clean_person(person)
    after = snapshot(person)
    if after != before:
        person.save()
        audit_record(
            actor=actor, action="unit_person.updated", obj=person, before=before, after=after
        )
    return person


@transaction.atomic
def person_delete(*, actor, person_id: int, reason: str = "") -> None:
    """Remove a person from the unit's file; documents they held keep existing without holder."""
    person = UnitPerson.objects.for_action(actor, MANAGE).filter(pk=person_id).first()
    if person is None:
        raise Http404
    audit_record(
        actor=actor,
        action="unit_person.deleted",
        obj=person,
        before=snapshot(person),
        after=None,
        reason=(reason or "").strip(),
        region_id=person.unit.region_id,
    )
    person.delete()


# --- Expiry reminders ---------------------------------------------------------------------------


def due_threshold(valid_to: datetime.date, today: datetime.date) -> int | None:
    """The most recent reminder threshold reached on ``today``: 60/30/7 days before or 0 (the day
    itself, still sent up to MISSED_GRACE_DAYS late); None when no reminder is due.

    Only the most recent one counts: a job that did not run for a few days sends that one, not
    every threshold it missed.
    """
    days_left = (valid_to - today).days
    if days_left > max(THRESHOLDS):
        return None
    if days_left < 0:
        return 0 if -days_left <= MISSED_GRACE_DAYS else None
    return min(t for t in THRESHOLDS if t >= days_left)


def _reminder_text(document: UnitDocument, unit: Unit, today: datetime.date) -> tuple[str, str]:
    days_left = (document.valid_to - today).days
    params = {
        "document": str(document),
        "number": document.number or "-",
        "unit": unit.name,
        "date": document.valid_to.isoformat(),
        "days": days_left,
    }
    if days_left > 0:
        title = _("%(unit)s: “%(document)s” expires in %(days)d days") % params
    elif days_left == 0:
        title = _("%(unit)s: “%(document)s” expires today") % params
    else:
        title = _("%(unit)s: “%(document)s” has expired") % params
    body = (
        _(
            "The document “%(document)s” (number %(number)s) of %(unit)s is valid until %(date)s. "
            "Renew it in time and upload the new scan to the unit's file."
        )
        % params
    )
    return title, body


def document_send_expiry_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the due expiry reminders (60, 30, 7 days before and on the day) to each unit's
    enterprise users and its expert. Idempotent: ``ExpiryReminder`` (unique per document,
    threshold and validity) and each notification's ``dedupe_key`` make a second run a no-op.
    """
    from anjian.accounts.models import RoleAssignment
    from anjian.notifications.services import notify

    today = today or timezone.localdate()
    documents = list(
        UnitDocument.objects.filter(
            valid_to__gte=today - datetime.timedelta(days=MISSED_GRACE_DAYS),
            valid_to__lte=today + datetime.timedelta(days=max(THRESHOLDS)),
        )
        .exclude(unit__status__in=[UnitStatus.CLOSED, UnitStatus.MOVED])
        .select_related("unit")
        .order_by("pk")
    )
    due: list[tuple[UnitDocument, int]] = []
    for document in documents:
        threshold = due_threshold(document.valid_to, today)
        if threshold is not None:
            due.append((document, threshold))
    if not due:
        return {"documents": 0, "notifications": 0}
    sent = set(
        ExpiryReminder.objects.filter(document_id__in=[d.pk for d, _t in due]).values_list(
            "document_id", "days_before", "valid_to"
        )
    )
    due = [(d, t) for d, t in due if (d.pk, t, d.valid_to) not in sent]
    recipients: dict[int, list] = {}
    for assignment in (
        RoleAssignment.objects.filter(
            unit_id__in={d.unit_id for d, _t in due},
            role__in=[Role.ENTERPRISE, Role.EXPERT],
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ):
        users = recipients.setdefault(assignment.unit_id, [])
        if assignment.user not in users:
            users.append(assignment.user)
    documents_reminded = notifications = 0
    with translation.override(settings.LANGUAGE_CODE):
        for document, threshold in due:
            title, body = _reminder_text(document, document.unit, today)
            link = reverse("units:document_detail", args=[document.pk])
            key = f"unit_document.expiry:{document.pk}:{document.valid_to.isoformat()}:{threshold}"
            try:
                with transaction.atomic():
                    ExpiryReminder.objects.create(
                        document=document, days_before=threshold, valid_to=document.valid_to
                    )
                    created = [
                        notify(
                            recipient=user,
                            kind="unit_document.expiry",
                            title=title,
                            body=body,
                            link=link,
                            dedupe_key=key,
                            email=True,
                        )
                        for user in recipients.get(document.unit_id, [])
                    ]
            except IntegrityError:  # another run sent this reminder at the same moment
                continue
            documents_reminded += 1
            notifications += sum(1 for n in created if n is not None)
    return {"documents": documents_reminded, "notifications": notifications}
