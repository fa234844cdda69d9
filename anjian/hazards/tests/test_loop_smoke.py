"""The ordinary loop end to end through the services: record, order, submit, fail, pass."""

import pytest

from anjian.audit.models import AuditEntry
from anjian.hazards.choices import HazardStatus, ReportOutcome
from anjian.hazards.tests.factories import act, make_hazard, photo

pytestmark = pytest.mark.django_db


def test_an_ordinary_hazard_goes_round_the_loop_and_is_struck_off(world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.original_deadline == hazard.deadline
    before = hazard.photos.get()
    act(
        world.enterprise_a,
        hazard,
        "submit",
        photos=[photo("after.jpg")],
        description="已加装防护门",
        cost="350",
        pairs={0: before.pk},
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.SUBMITTED
    assert hazard.photos.get(kind="after").pairs_with == before
    act(world.inspector_a, hazard, "fail", note="线路仍裸露", deadline=hazard.deadline)
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.reports.get(round=1).outcome == ReportOutcome.FAILED
    act(
        world.enterprise_a, hazard, "submit", photos=[photo("after2.jpg")], description="线路已整理"
    )
    act(world.inspector_a, hazard, "pass")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED
    assert hazard.closed_by == world.inspector_a
    types = list(hazard.events.values_list("type", flat=True))
    assert types == [
        "hazard.recorded",
        "hazard.order",
        "hazard.submit",
        "hazard.fail",
        "hazard.submit",
        "hazard.pass",
    ]
    assert (
        AuditEntry.objects.filter(target_id=str(hazard.pk), action__startswith="hazard.").count()
        == 6
    )


def test_a_village_officer_records_without_a_deadline_and_is_told_why(world):
    from django.core.exceptions import ValidationError

    from anjian.hazards.models import Hazard

    with pytest.raises(ValidationError) as refused:
        make_hazard(world.village_officer_a, world.unit_a, source="village_patrol")
    assert "deadline" in refused.value.message_dict
    assert not Hazard.objects.exists()
    hazard = make_hazard(
        world.village_officer_a, world.unit_a, deadline_days=None, source="village_patrol"
    )
    assert hazard.status == HazardStatus.FOUND
