"""The whole demo loads, and keeps what it promises, on the days the date arithmetic finds hard:
a month's first day (early in the morning too), 29 February, the turn of the year, the days of a
meeting, around the Spring Festival and National Day. The pure check of every day of a year is
``test_demo_dates.py``; the real date is covered by every test that loads the demo.

The normal suite loads it on three of these days; ``ANJIAN_TEST_DATES=1`` (``make test-dates``
once the ``dates`` marker is registered) loads it on all of them."""

from __future__ import annotations

import datetime
import os
import zoneinfo
from collections import Counter

import docx
import pytest
import time_machine
from django.utils import timezone

from anjian.accounts.models import User
from anjian.core.calendar import working_days_between
from anjian.demo.loader import load_demo
from anjian.demo.plan_demo import LATE_TASKS
from anjian.enforcement.documents import cn_date
from anjian.enforcement.models import IssuedDocument
from anjian.hazards.choices import HazardStatus
from anjian.hazards.models import Hazard, MonthlyReport
from anjian.hazards.reports import previous_month
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.models import Inspection
from anjian.plans.models import InspectionPlan
from anjian.reports.models import AnalysisMeeting
from anjian.reports.pack import pack_compute

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ALL_DATES = os.environ.get("ANJIAN_TEST_DATES") == "1"


def _at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


EVERY_RUN = [
    _at(2027, 3, 1, 0, 10),  # a month's first day, ten minutes after midnight
    _at(2027, 12, 10),  # the day the fourth quarter's meeting would be
    _at(2028, 2, 29),
]
SPREAD = [
    _at(2027, 1, 1),
    _at(2027, 1, 10),
    _at(2027, 2, 5),  # the eve of the 2027 Spring Festival (6 February)
    _at(2027, 2, 12),
    _at(2027, 3, 31, 23, 50),
    _at(2027, 4, 28),
    _at(2027, 5, 1),
    _at(2027, 6, 30),
    _at(2027, 7, 10),
    _at(2027, 9, 30),
    _at(2027, 10, 1),  # National Day
    _at(2027, 10, 8),
    _at(2027, 11, 30),
    _at(2027, 12, 31, 23, 50),
    _at(2028, 1, 1),
]


def _dates():
    for moment in EVERY_RUN:
        yield pytest.param(moment, id=moment.strftime("%Y-%m-%dT%H:%M"))
    for moment in SPREAD:
        yield pytest.param(
            moment,
            id=moment.strftime("%Y-%m-%dT%H:%M"),
            marks=pytest.mark.skipif(not ALL_DATES, reason="ANJIAN_TEST_DATES=1 loads on these"),
        )


@pytest.mark.parametrize("moment", list(_dates()))
def test_the_demo_loads_and_keeps_its_promises_on_this_day(moment):
    with time_machine.travel(moment, tick=False):
        first = load_demo()
        today = timezone.localdate()
        _hazards_in_every_state(today)
        _monthly_reports_of_the_months_before(today)
        _two_meetings_the_later_compared_with_the_earlier()
        _plan_mostly_done_and_the_year_spread_over_its_months(today)
        _documents_dated_when_their_steps_were(today)
        assert load_demo().total == 0  # a second load the same day creates nothing
    assert first.created["hazards"] >= 35


def _docx_text(document: IssuedDocument) -> str:
    with document.file.open("rb") as handle:
        word = docx.Document(handle)
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def _documents_dated_when_their_steps_were(today: datetime.date) -> None:
    """An inspection's site record and order carry the day of the inspection, in the database and
    in the Word file; a case's documents follow its steps; numbers follow the dates."""
    documents = list(IssuedDocument.objects.select_related("inspection").order_by("issued_at"))
    assert len(documents) >= 10
    earlier = [d for d in documents if timezone.localdate(d.issued_at) < today]
    assert len(earlier) >= 0.8 * len(documents), [d.issued_at for d in documents]
    for document in documents:
        issued = timezone.localdate(document.issued_at)
        if document.doc_type in ("site_record", "rectification_order"):
            assert issued == timezone.localdate(document.inspection.finished_at)
        if document.doc_type in ("rectification_order", "penalty_decision"):
            assert cn_date(issued) in _docx_text(document), document.label
    for kind in {d.doc_type for d in documents}:
        numbers = [(d.year, d.number) for d in documents if d.doc_type == kind]
        assert numbers == sorted(numbers), kind


def _hazards_in_every_state(today: datetime.date) -> None:
    hazards = Hazard.objects.filter(unit__region__parent__name="场口镇")
    assert set(hazards.values_list("status", flat=True)) == set(HazardStatus.values)
    overdue = [working_days_between(h.deadline, today) for h in hazards.overdue(today)]
    assert max(overdue) > 7
    assert any(0 <= d <= 5 for d in overdue)
    due_soon = hazards.filter(
        status=HazardStatus.RECTIFYING,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=3),
    )
    assert due_soon.count() >= 2
    assert max(h.found_at for h in hazards) <= timezone.now()


def _monthly_reports_of_the_months_before(today: datetime.date) -> None:
    month = today.replace(day=1)
    expected = []
    for _i in range(5):
        month = previous_month(month)
        expected.append(month)
    reports = list(MonthlyReport.objects.order_by("-month"))
    assert [r.month for r in reports] == expected
    assert {r.kind for r in reports} == {"hazards", "none_found"}
    for report in reports:
        for hazard in report.hazards.all():
            found = timezone.localdate(hazard.found_at).replace(day=1)
            closed = hazard.closed_at and timezone.localdate(hazard.closed_at).replace(day=1)
            assert report.month in (found, closed)
        assert report.submitted_at <= timezone.now()


def _plan_mostly_done_and_the_year_spread_over_its_months(today: datetime.date) -> None:
    plan = InspectionPlan.objects.get(year=today.year, town__name="场口镇")
    assert plan.status == "published"
    assert 300 <= plan.tasks.count() <= 1200  # a few hundred visits a year, not thousands
    past = plan.tasks.filter(due_date__lt=today)
    late = set(plan.tasks.late(today).values_list("unit__name", flat=True))
    if past.exists():
        assert 1 <= len(late) <= LATE_TASKS + 2  # a few named late (+ the demo's own visits)
        assert past.done().count() >= 0.9 * past.count()
    else:  # January: nothing fell due yet
        assert not late
    finished = Inspection.objects.filter(
        status=InspectionStatus.FINISHED, started_at__year=today.year
    )
    by_month = Counter(timezone.localtime(i.started_at).month for i in finished)
    assert max(i.finished_at for i in finished) <= timezone.now()
    for month in range(1, today.month):
        assert by_month[month] >= 20, month  # every month of the year so far has its visits
    if today.month > 1:  # no spike in the month of loading
        assert by_month[today.month] <= max(by_month[m] for m in range(1, today.month)) * 1.2


def _two_meetings_the_later_compared_with_the_earlier() -> None:
    meetings = list(AnalysisMeeting.objects.filter(region__name="场口镇").order_by("held_on"))
    assert len(meetings) == 2
    assert meetings[1].held_on < timezone.localdate()
    pack = pack_compute(User.objects.get(username="ck_office"), meetings[1])
    assert pack.previous == meetings[0]
