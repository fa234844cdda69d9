"""The demo town's inspections: finished ones with signatures and hazards, one in progress."""

import pytest

from anjian.demo.loader import load_demo
from anjian.demo.plan_demo import demo_back_filled
from anjian.enforcement.models import IssuedDocument
from anjian.hazards.models import Hazard
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.inspections.models import Inspection
from anjian.plans.models import InspectionPlan

pytestmark = pytest.mark.django_db


def test_the_demo_town_has_finished_and_ongoing_inspections_and_a_second_run_adds_none():
    load_demo()
    # The inspections part of the demo (the campaigns add joint inspections of their own, the
    # plan the clean visits of its tasks done before today).
    back_filled = demo_back_filled(InspectionPlan.objects.get())
    own = Inspection.objects.exclude(kind=InspectionKind.JOINT_ENFORCEMENT).exclude(
        pk__in=back_filled
    )
    finished = own.filter(status=InspectionStatus.FINISHED)
    assert finished.count() == 2
    with_findings = finished.filter(results__hazard__isnull=False).distinct().get()
    assert with_findings.results.filter(hazard__isnull=False).count() == 2
    assert with_findings.officers.count() == 2
    # The order cites the basis of the item that failed: the distribution box's door is an
    # electrical finding, not the principal's training (《安全生产法》第二十七条).
    hazards = {
        h.description: h for h in Hazard.objects.filter(inspection_result__inspection=with_findings)
    }
    box = next(h for text, h in hazards.items() if "配电箱" in text)
    assert "第二十七条" not in box.legal_basis and box.category == "electrical"
    extinguisher = next(h for text, h in hazards.items() if "灭火器" in text)
    assert extinguisher.legal_basis.startswith("《消防法》")
    assert all(i.unit_signature.startswith("data:image/png") for i in finished)
    assert own.filter(status=InspectionStatus.IN_PROGRESS).count() == 1
    documents = IssuedDocument.objects.filter(inspection__in=own, case__isnull=True).order_by("pk")
    assert [d.doc_type for d in documents] == ["site_record", "site_record", "rectification_order"]
    assert all(d.file and d.label.startswith("场口安监") for d in documents)
    counts = Inspection.objects.count(), IssuedDocument.objects.count()
    second = load_demo()
    assert second.total == 0
    assert (Inspection.objects.count(), IssuedDocument.objects.count()) == counts
    assert own.count() == 3 and documents.count() == 3
