"""Issuing numbered documents. ``document_issue`` is the only writer of numbers."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.core.exceptions import ActionNotPermitted
from anjian.enforcement.models import (
    DEFAULT_FORMAT,
    TYPE_CODES,
    DocumentCounter,
    DocumentType,
    IssuedDocument,
    NumberingRule,
)
from anjian.regions.models import Region, RegionLevel

ISSUE = "enforcement.issue_documents"


def town_short_name(town: Region) -> str:
    """场口镇 → 场口, 银湖街道 → 银湖: the town's word in document numbers."""
    for suffix in ("街道", "镇", "乡"):
        if town.name.endswith(suffix) and len(town.name) > len(suffix):
            return town.name[: -len(suffix)]
    return town.name


def format_number(town: Region, doc_type: str, year: int, number: int) -> str:
    rule = NumberingRule.objects.filter(town=town, doc_type=doc_type).first()
    pattern = rule.pattern if rule else DEFAULT_FORMAT
    return pattern.format(
        town=town_short_name(town), code=TYPE_CODES[doc_type], year=year, number=number
    )


def _counter(town: Region, doc_type: str, year: int) -> DocumentCounter:
    counter = DocumentCounter.objects.filter(town=town, doc_type=doc_type, year=year).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            return DocumentCounter.objects.create(town=town, doc_type=doc_type, year=year)
    except IntegrityError:  # created by a concurrent issue a moment ago
        return DocumentCounter.objects.get(town=town, doc_type=doc_type, year=year)


@transaction.atomic
def document_issue(
    *, actor, town: Region, doc_type: str, unit=None, inspection=None, title: str = "", year=None
) -> IssuedDocument:
    """Give the next number of ``doc_type`` in ``town`` for ``year`` (this year by default) and
    record the document. The counter row's increment locks it until this transaction ends, so
    concurrent issues wait and each gets the next number; a rolled-back issue frees its number."""
    if doc_type not in DocumentType.values:
        raise ValueError(f"unknown document type {doc_type!r}")
    if town.level != RegionLevel.TOWN:
        raise ValueError("documents are numbered per town")
    if actor is not None:
        allowed = Region.objects.for_action(actor, ISSUE).filter(pk=town.pk).exists()
        if not allowed:
            raise ActionNotPermitted(_("You may not issue documents of this town."))
    if unit is not None and unit.region.parent_id != town.pk:
        raise Http404
    year = year or timezone.localdate().year
    counter = _counter(town, doc_type, year)
    DocumentCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    number = DocumentCounter.objects.values_list("last_number", flat=True).get(pk=counter.pk)
    document = IssuedDocument.objects.create(
        town=town,
        doc_type=doc_type,
        year=year,
        number=number,
        label=format_number(town, doc_type, year, number),
        unit=unit,
        inspection=inspection,
        title=title,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="document.issued",
        obj=document,
        region_id=town.pk,
        changes={"number": document.label, "type": doc_type},
    )
    return document
