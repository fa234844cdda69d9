"""The demo town's unit files: documents and people per enterprise, idempotent."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anjian.audit.models import AuditEntry
from anjian.demo.document_demo import load_demo_documents
from anjian.demo.loader import DemoReport, load_demo
from anjian.units.documents import DocumentStatus, document_status
from anjian.units.models import DocumentType, PersonRole, Unit, UnitDocument, UnitPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return load_demo()  # the loader runs load_demo_documents as one of its parts


def test_every_demo_enterprise_has_a_file_and_a_second_load_creates_nothing(demo):
    enterprises = Unit.objects.filter(kind="enterprise", region__parent__code="330111112000")
    assert enterprises.exists()
    for unit in enterprises:
        types = set(unit.documents.values_list("doc_type", flat=True))
        assert {
            DocumentType.BUSINESS_LICENCE,
            DocumentType.SAFETY_EVALUATION,
            DocumentType.INSURANCE,
        } <= types
        roles = set(unit.people.values_list("role", flat=True))
        assert {PersonRole.PRINCIPAL, PersonRole.SAFETY_OFFICER} <= roles
    assert demo.created["unit documents"] == UnitDocument.objects.count()
    assert demo.created["unit people"] == UnitPerson.objects.count()

    # Some documents expire within 30 days, one has expired, licences do not expire.
    today = timezone.localdate()
    statuses = [document_status(d.valid_to, today) for d in UnitDocument.objects.all()]
    assert statuses.count(DocumentStatus.EXPIRED) == 1
    soon = UnitDocument.objects.filter(
        valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=30)
    )
    assert soon.count() >= 5
    licences = UnitDocument.objects.filter(doc_type=DocumentType.BUSINESS_LICENCE)
    assert not licences.filter(valid_to__isnull=False).exists()
    assert all(d.sha256 and d.file.name.endswith(".pdf") for d in UnitDocument.objects.all())

    # A second run creates nothing and writes no audit entry.
    audit_before = AuditEntry.objects.count()
    again = DemoReport()
    load_demo_documents(again)
    assert again.total == 0
    assert AuditEntry.objects.count() == audit_before
