"""The demo town's hazards show every state and situation, with a history in the past, and
loading the demo twice creates nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_verify_chain
from anjian.core.calendar import working_days_between
from anjian.demo.loader import load_demo
from anjian.hazards.choices import (
    ExtensionStatus,
    HazardLevel,
    HazardStatus,
    ListingLevel,
    ReportOutcome,
    ResumptionDecision,
)
from anjian.hazards.models import Hazard, HazardEvent, HazardPhoto, MonthlyReport, TipOff
from anjian.hazards.services import hazard_actions_for

pytestmark = pytest.mark.django_db


def test_every_state_and_the_situations_an_office_meets_occur(demo_town):
    today = timezone.localdate()
    hazards = Hazard.objects.all()
    assert 35 <= hazards.count() <= 50
    assert set(hazards.values_list("status", flat=True)) == set(HazardStatus.values)
    overdue_working_days = [working_days_between(h.deadline, today) for h in hazards.overdue(today)]
    assert max(overdue_working_days) > 7
    assert any(0 <= d <= 5 for d in overdue_working_days)
    due_soon = hazards.filter(
        status=HazardStatus.RECTIFYING,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=3),
    )
    assert due_soon.count() >= 2
    assert hazards.filter(closed_on_spot=True, spot_rechecked=True).exists()
    assert hazards.filter(closed_on_spot=True, spot_rechecked=False).exists()
    assert hazards.filter(status=HazardStatus.CANCELLED, duplicate_of__isnull=False).exists()
    resubmitted = hazards.get(status=HazardStatus.SUBMITTED, reports__outcome=ReportOutcome.FAILED)
    assert resubmitted.reports.filter(outcome=ReportOutcome.PENDING).count() == 1
    assert hazards.filter(extensions__status=ExtensionStatus.PENDING).count() == 1
    extended = hazards.get(extensions__status=ExtensionStatus.APPROVED)
    assert extended.original_deadline < today <= extended.deadline
    # The history spreads over the last twelve months, never into the future.
    months = {(h.found_at.year, h.found_at.month) for h in hazards}
    assert len(months) >= 10
    assert min(h.found_at for h in hazards) > timezone.now() - datetime.timedelta(days=366)
    assert not HazardEvent.objects.filter(at__gt=timezone.now()).exists()
    assert HazardPhoto.objects.filter(kind="after", pairs_with__isnull=False).exists()


def test_the_enterprise_reported_monthly_and_the_public_sent_tip_offs(demo_town):
    today = timezone.localdate()
    reports = MonthlyReport.objects.order_by("-month")
    assert reports.count() == 5
    assert reports.first().month < today.replace(day=1)  # this month's report is still due
    assert set(reports.values_list("kind", flat=True)) == {"hazards", "none_found"}
    # Each report lists what the service accepts: the unit's hazards found or closed in its
    # month; the major hazard is in the report of the month it was found.
    for monthly in reports:
        assert monthly.hazards.exists() == (monthly.kind == "hazards")
        for hazard in monthly.hazards.all():
            found = timezone.localdate(hazard.found_at).replace(day=1)
            closed = hazard.closed_at and timezone.localdate(hazard.closed_at).replace(day=1)
            assert monthly.month in (found, closed)
    major = Hazard.objects.get(unit=reports.first().unit, level=HazardLevel.MAJOR)
    major_month = timezone.localdate(major.found_at).replace(day=1)
    assert reports.get(month=major_month).hazards.filter(pk=major.pk).exists()
    assert all(r.submitted_at.date() > r.month for r in reports)
    assert set(TipOff.objects.values_list("status", flat=True)) == {"new", "accepted"}
    accepted = Hazard.objects.get(tip_off__isnull=False)
    assert accepted.source == "tip_off" and accepted.status == HazardStatus.RECTIFYING
    assert accepted.deadline >= today


def test_the_demo_users_each_have_something_to_do(demo_town):
    from anjian.accounts.models import User

    enterprise = User.objects.get(username="ck_enterprise")
    submitted = Hazard.objects.visible_to(enterprise).filter(status=HazardStatus.SUBMITTED)
    assert submitted.exists()
    inspector = User.objects.get(username="ck_inspector")
    assert "pass" in {t.action for t in hazard_actions_for(inspector, submitted.first())}
    office = User.objects.get(username="ck_office")
    pending = Hazard.objects.get(extensions__status=ExtensionStatus.PENDING)
    assert "approve_extension" in {t.action for t in hazard_actions_for(office, pending)}


def test_the_major_hazards_tell_their_story(demo_town):
    majors = Hazard.objects.filter(level=HazardLevel.MAJOR)
    assert majors.filter(status=HazardStatus.CLOSED).exists()
    assert majors.filter(status=HazardStatus.FOUND, listing_level="").exists()
    listed = majors.get(listing_level=ListingLevel.TOWN)
    assert listed.status == HazardStatus.RECTIFYING
    assert listed.interim_suspension
    assert listed.plans.get().status == "approved"
    assert listed.assessments.get().conclusion == "passed"
    assert listed.resumptions.get().decision == ResumptionDecision.PENDING
    application = listed.resumptions.get()
    assert application.applied_at < timezone.now() - datetime.timedelta(days=1)
    steps = list(listed.events.order_by("at", "pk").values_list("type", flat=True))
    assert steps.index("hazard.approve_plan") < steps.index("hazard.record_assessment")


def test_a_second_load_creates_no_hazard_and_writes_no_audit_entry(demo_town):
    assert demo_town.created["hazards"] >= 35
    counts = (
        Hazard.objects.count(),
        HazardEvent.objects.count(),
        HazardPhoto.objects.count(),
        MonthlyReport.objects.count(),
        TipOff.objects.count(),
    )
    entries = AuditEntry.objects.count()
    second = load_demo()
    assert second.total == 0
    assert (
        Hazard.objects.count(),
        HazardEvent.objects.count(),
        HazardPhoto.objects.count(),
        MonthlyReport.objects.count(),
        TipOff.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == entries
    assert audit_verify_chain().ok
