"""Issue 16's documents part in the access walk: the officers of an inspection (page and API)
and the office's Word templates (settings page and API). The preview pages reuse the issue URLs
(GET), already registered; the preview operations take the registered ``inspection_id`` /
``issued_document_id`` path parameters."""

from __future__ import annotations

import io
from typing import Any

import docx
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.enforcement.models import OfficeTemplate
from anjian.enforcement.settings_services import MANAGE
from anjian.enforcement.templates_docx import ScopedOfficeTemplates, office_template_upload
from anjian.inspections.models import Inspection

FUNCTION_VIEW_OBJECTS: dict[str, tuple[type, str]] = {
    "inspections:inspection_officers": (Inspection, "inspections.inspect"),
    "enforcement_settings:template_delete": (ScopedOfficeTemplates, MANAGE),
}
PATH_PARAMS: dict[str, tuple[type, str]] = {
    "office_template_id": (ScopedOfficeTemplates, MANAGE),
}
ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "enforcement_settings_office_templates_list": (MANAGE, None),
    "enforcement_settings_office_templates_upload": (MANAGE, "multipart"),
}
OBJECT_OPERATION_BODIES: dict[str, Any] = {
    "inspections_officers_set": {"officer_ids": []},
}


def _template() -> SimpleUploadedFile:
    doc = docx.Document()
    doc.add_paragraph("{{ title }} {{ number }}")
    out = io.BytesIO()
    doc.save(out)
    return SimpleUploadedFile("walk.docx", out.getvalue())


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    """In every town: the office's Word template of the site record."""
    offices = {unit.region.parent_id: office for unit, office in recorders.items()}
    for town in towns:
        if not OfficeTemplate.objects.filter(town=town).exists():
            office_template_upload(
                actor=offices[town.pk], doc_type="site_record", upload=_template(), town_id=town.pk
            )
