"""Monthly self-inspection reports (月报) and the Order 16 Art 14 statistics statements: the
services, the pages and the API, as the enterprise and the town office use them."""

from __future__ import annotations

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.hazards import report_statements as statements
from anjian.hazards import reports
from anjian.hazards.choices import HazardLevel, HazardStatus, MonthlyReportKind
from anjian.hazards.models import Hazard, MonthlyReport, StatisticsStatement
from anjian.hazards.report_tasks import monthly_report_reminders_task
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.notifications.models import Notification
from anjian.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    """A local moment (Asia/Shanghai) to travel to."""
    return datetime.datetime(*args, tzinfo=TZ)


@pytest.fixture
def old_units(world):
    """The units were registered long ago (so they owe reports for past months too)."""
    Unit.objects.update(created_at=at(2020, 1, 1, 9))
    return world


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def self_check_hazard(world, **fields):
    return make_hazard(world.enterprise_a, world.unit_a, source="self_check", **fields)


def submit(world, *, user=None, unit=None, month=None, **kwargs):
    return reports.monthly_report_submit(
        actor=user or world.enterprise_a,
        unit_id=(unit or world.unit_a).pk,
        month=month or this_month(),
        **kwargs,
    )


def messages_of(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


# --- Submitting a month ------------------------------------------------------------------------


def test_the_month_s_hazards_are_offered_and_linked_to_the_report(world):
    found = self_check_hazard(world)
    by_town = make_hazard(world.inspector_a, world.unit_a)
    elsewhere = make_hazard(world.town_office_b, world.unit_b)
    candidates = list(
        reports.monthly_report_candidates(world.enterprise_a, world.unit_a, this_month())
    )
    assert candidates == [found, by_town]
    assert elsewhere not in candidates

    report = submit(
        world, kind="hazards", hazard_ids=[found.pk, by_town.pk], checks_done=4, note="月度自查"
    )

    assert report.kind == MonthlyReportKind.HAZARDS
    assert set(report.hazards.all()) == {found, by_town}
    assert report.signed_name == world.enterprise_a.name  # the submitter signs by default
    assert report.submitted_by == world.enterprise_a
    entry = AuditEntry.objects.get(action="monthly_report.submitted", target_id=str(report.pk))
    assert entry.actor == world.enterprise_a
    assert entry.changes["hazards"][1] == sorted([found.pk, by_town.pk])


def test_a_hazards_report_needs_a_hazard_of_the_unit_from_that_month(world):
    with pytest.raises(ValidationError) as empty:
        submit(world, kind="hazards", hazard_ids=[])
    assert "hazard_ids" in empty.value.message_dict
    other_unit = make_hazard(world.town_office_b, world.unit_b)
    with pytest.raises(ValidationError) as foreign:
        submit(world, kind="hazards", hazard_ids=[other_unit.pk])
    assert str(other_unit.pk) in messages_of(foreign.value)
    assert not MonthlyReport.objects.exists()


def test_a_hazard_closed_in_the_month_counts_though_found_earlier(world):
    with time_machine.travel(at(2026, 1, 20, 10), tick=False):
        hazard = self_check_hazard(world)
    with time_machine.travel(at(2026, 2, 3, 10), tick=False):
        act(world.enterprise_a, hazard, "submit", photos=[photo("after.jpg")], description="已整改")
        act(world.inspector_a, hazard, "pass")
        february = datetime.date(2026, 2, 1)
        offered = reports.monthly_report_candidates(world.enterprise_a, world.unit_a, february)
        assert list(offered) == [hazard]
        report = submit(world, month=february, kind="hazards", hazard_ids=[hazard.pk])
    assert list(report.hazards.all()) == [hazard]


def test_a_signed_statement_that_none_was_found(world):
    with pytest.raises(ValidationError) as unsigned:
        submit(world, kind="none_found", checks_done=2)
    assert "signed_name" in unsigned.value.message_dict

    report = submit(world, kind="none_found", checks_done=2, signed_name="  张安全 ")

    assert report.kind == MonthlyReportKind.NONE_FOUND
    assert report.signed_name == "张安全"
    assert report.hazards.count() == 0


def test_none_found_is_refused_when_the_self_checks_recorded_a_hazard_that_month(world):
    hazard = self_check_hazard(world)

    with pytest.raises(ValidationError) as refused:
        submit(world, kind="none_found", signed_name="张安全")

    assert hazard.code in refused.value.message_dict["kind"][0]
    assert not MonthlyReport.objects.exists()


def test_a_hazard_found_by_the_town_does_not_block_the_none_found_statement(world):
    make_hazard(world.inspector_a, world.unit_a)  # the town's inspection, not a self-check
    cancelled = self_check_hazard(world, deadline_days=None)
    act(world.town_office_a, cancelled, "cancel", note="录入错误")

    report = submit(world, kind="none_found", signed_name="张安全")

    assert report.kind == MonthlyReportKind.NONE_FOUND


def test_a_second_report_for_the_month_is_refused_and_a_correction_replaces_it(world):
    march = datetime.date(2026, 3, 1)
    with time_machine.travel(at(2026, 3, 25, 10), tick=False):
        first = submit(world, month=march, kind="none_found", signed_name="张安全", checks_done=1)
        with pytest.raises(ValidationError) as again:
            submit(world, month=march, kind="none_found", signed_name="李四")
    assert "张安全" in again.value.message_dict["month"][0]

    with time_machine.travel(at(2026, 4, 10, 18), tick=False):
        corrected = submit(
            world, month=march, kind="none_found", signed_name="张安全", checks_done=3, replace=True
        )
    assert corrected.pk == first.pk
    assert MonthlyReport.objects.get().checks_done == 3
    entry = AuditEntry.objects.get(action="monthly_report.corrected")
    assert entry.changes["checks_done"] == [1, 3]

    with (
        time_machine.travel(at(2026, 4, 11, 9), tick=False),
        pytest.raises(ValidationError) as late,
    ):
        submit(world, month=march, kind="none_found", signed_name="张安全", replace=True)
    assert "2026-04-10" in late.value.message_dict["month"][0]
    assert MonthlyReport.objects.get().checks_done == 3


def test_a_future_month_or_one_years_back_is_refused(world):
    next_month = reports.next_month(this_month())
    with pytest.raises(ValidationError) as future:
        submit(world, month=next_month, kind="none_found", signed_name="张安全")
    assert "month" in future.value.message_dict
    too_old = this_month().replace(year=this_month().year - 3)
    with pytest.raises(ValidationError):
        submit(world, month=too_old, kind="none_found", signed_name="张安全")
    with pytest.raises(ValidationError):
        submit(world, month="2026-13", kind="none_found", signed_name="张安全")
    assert not MonthlyReport.objects.exists()


def test_an_enterprise_reports_only_for_its_own_unit(world):
    with pytest.raises(Http404):
        submit(world, unit=world.unit_a2, kind="none_found", signed_name="越权")
    with pytest.raises(Http404):  # the office follows up but does not report for a unit
        submit(world, user=world.town_office_a, kind="none_found", signed_name="越权")
    assert not MonthlyReport.objects.exists()


# --- The office's follow-up --------------------------------------------------------------------


def test_the_office_sees_the_missing_units_of_its_own_town_only(old_units):
    world = old_units
    extra = Unit.objects.create(
        name="场口第二机械厂", kind=UnitKind.ENTERPRISE, region=world.village_a2
    )
    Unit.objects.filter(pk=extra.pk).update(created_at=at(2020, 1, 1, 9))
    month = reports.previous_month(this_month())
    submit(world, month=month, kind="none_found", signed_name="张安全")

    missing_a = list(reports.monthly_missing(world.town_office_a, month))
    missing_b = list(reports.monthly_missing(world.town_office_b, month))

    # unit_a reported; unit_a2 is a small eatery (not an enterprise): it owes no report.
    assert missing_a == [extra]
    assert missing_b == [world.unit_b]
    assert list(reports.monthly_missing(world.district_officer, month)) == [extra, world.unit_b]
    overview = reports.monthly_overview(world.town_office_a, month)
    assert (overview.expected, overview.submitted, overview.none_found, overview.missing) == (
        2,
        1,
        1,
        1,
    )
    assert reports.monthly_overview(world.town_office_b, month).submitted == 0


def test_a_unit_registered_after_the_month_owes_no_report_for_it(world):
    last_month = reports.previous_month(this_month())
    assert world.unit_a not in reports.monthly_missing(world.town_office_a, last_month)
    assert world.unit_a in reports.monthly_missing(world.town_office_a, this_month())


def test_reminding_twice_sends_each_missing_unit_one_message(old_units):
    world = old_units
    month = reports.previous_month(this_month())

    first = reports.monthly_remind_missing(actor=world.town_office_a, month=month)
    second = reports.monthly_remind_missing(actor=world.town_office_a, month=month)

    assert first == {"missing": 1, "units": 1, "notifications": 1}
    assert second == {"missing": 1, "units": 0, "notifications": 0}
    message = Notification.objects.get(recipient=world.enterprise_a)
    assert reports.month_label(month) in message.title
    assert message.link.startswith(reverse("hazards:monthly_report_submit", args=[world.unit_a.pk]))
    assert not Notification.objects.filter(recipient=world.enterprise_b).exists()
    assert AuditEntry.objects.filter(action="monthly_report.reminded").count() == 2


def test_reminding_needs_the_follow_up_role(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reports.monthly_remind_missing(actor=world.enterprise_a, month=this_month())


def test_the_daily_job_reminds_on_the_first_days_of_the_month_once(old_units):
    world = old_units
    with time_machine.travel(at(2026, 12, 2, 8), tick=False):
        submit(
            world,
            user=world.enterprise_b,
            unit=world.unit_b,
            month="2026-11",
            kind="none_found",
            signed_name="王五",
        )
        first = monthly_report_reminders_task.enqueue().return_value
        second = monthly_report_reminders_task.enqueue().return_value
    with time_machine.travel(at(2026, 12, 6, 8), tick=False):
        later = monthly_report_reminders_task.enqueue().return_value

    assert first["notifications"] == 1  # enterprise_a for unit_a; unit_b has reported
    assert second["notifications"] == 0
    assert later["notifications"] == 0
    assert Notification.objects.filter(recipient=world.enterprise_a).count() == 1
    assert not Notification.objects.filter(recipient=world.enterprise_b).exists()


def test_the_month_s_workbook_has_a_row_per_unit(old_units):
    world = old_units
    month = this_month()
    hazard = self_check_hazard(world)
    submit(
        world,
        month=month,
        kind="hazards",
        hazard_ids=[hazard.pk],
        checks_done=5,
        signed_name="张安全",
    )

    content = reports.monthly_export(world.town_office_a, month)

    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    by_unit = {row[0]: row for row in rows}
    assert set(by_unit) == {world.unit_a.name}
    assert by_unit[world.unit_a.name][4:7] == (1, 5, "张安全")
    assert AuditEntry.objects.filter(action="export.downloaded", actor=world.town_office_a).exists()


# --- Statistics statements ----------------------------------------------------------------------


@pytest.fixture
def year_2025(world):
    """A unit's 2025: three hazards found in Q1 (one major), one of them closed in Q1, one closed
    in Q2, one cancelled; one found in Q2 and left open."""
    h = {}
    with time_machine.travel(at(2025, 2, 10, 10), tick=False):
        h["q1_closed_q1"] = make_hazard(world.inspector_a, world.unit_a)
        h["q1_closed_q2"] = make_hazard(world.inspector_a, world.unit_a, source="self_check")
        h["q1_major"] = make_hazard(world.inspector_a, world.unit_a, level=HazardLevel.MAJOR)
        h["cancelled"] = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
        act(world.town_office_a, h["cancelled"], "cancel", note="重复录入")
    with time_machine.travel(at(2025, 3, 5, 10), tick=False):
        act(
            world.enterprise_a,
            h["q1_closed_q1"],
            "submit",
            photos=[photo()],
            description="已整改",
            cost="350",
        )
        act(world.inspector_a, h["q1_closed_q1"], "pass")
        submit(
            world, month="2025-03", kind="hazards", hazard_ids=[h["q1_closed_q1"].pk], checks_done=2
        )
    with time_machine.travel(at(2025, 4, 15, 10), tick=False):
        act(
            world.enterprise_a,
            h["q1_closed_q2"],
            "submit",
            photos=[photo()],
            description="已整改",
            cost="120.5",
        )
        act(world.inspector_a, h["q1_closed_q2"], "pass")
    with time_machine.travel(at(2025, 5, 1, 10), tick=False):
        h["q2_open"] = make_hazard(world.inspector_a, world.unit_a)
        submit(world, month="2025-04", kind="none_found", signed_name="张安全", checks_done=3)
    return h


def independent_count(unit, first: datetime.date, after: datetime.date) -> dict:
    """The same figures counted row by row in Python, from the definitions."""

    def within(moment):
        return moment is not None and first <= timezone.localdate(moment) < after

    rows = [h for h in Hazard.objects.filter(unit=unit) if h.status != HazardStatus.CANCELLED]
    end = timezone.make_aware(datetime.datetime.combine(after, datetime.time.min))
    closed_by_end = [h for h in rows if h.status == HazardStatus.CLOSED and h.closed_at < end]
    open_at_end = [h for h in rows if h.found_at < end and h not in closed_by_end]
    return {
        "found_general": sum(1 for h in rows if within(h.found_at) and h.level == "general"),
        "found_major": sum(1 for h in rows if within(h.found_at) and h.level == "major"),
        "closed_general": sum(
            1 for h in rows if h.status == "closed" and within(h.closed_at) and h.level == "general"
        ),
        "closed_major": sum(
            1 for h in rows if h.status == "closed" and within(h.closed_at) and h.level == "major"
        ),
        "open_at_end": len(open_at_end),
        "overdue_at_end": sum(1 for h in open_at_end if h.deadline and h.deadline < after),
    }


@pytest.mark.parametrize(
    ("period", "year", "quarter", "expected"),
    [
        (
            "quarter",
            2025,
            1,
            {
                "found_general": 2,
                "found_major": 1,
                "closed_general": 1,
                "rate_general": 50.0,
                "open_at_end": 2,
                "overdue_at_end": 2,
                "funds_spent": "350.00",
                "found_self_check": 1,
                "monthly_reports": 1,
                "checks_done": 2,
            },
        ),
        (
            "quarter",
            2025,
            2,
            {
                "found_general": 1,
                "found_major": 0,
                "closed_general": 1,
                "rate_general": 0.0,
                "open_at_end": 2,
                "overdue_at_end": 2,
                "funds_spent": "120.50",
                "rate_major": 100.0,
                "monthly_reports": 1,
                "months_none_found": 1,
            },
        ),
        (
            "year",
            2025,
            None,
            {
                "found_general": 3,
                "found_major": 1,
                "closed_general": 2,
                "rate_general": 66.7,
                "rate_major": 0.0,
                "open_at_end": 2,
                "funds_spent": "470.50",
                "checks_done": 5,
            },
        ),
    ],
)
def test_the_figures_equal_an_independent_count(world, year_2025, period, year, quarter, expected):
    figures = statements.statement_figures(world.unit_a, period, year, quarter)

    first, after = statements.period_dates(period, year, quarter)
    independent = independent_count(world.unit_a, first, after)
    assert {k: figures[k] for k in independent} == independent
    assert {k: figures[k] for k in expected} == expected
    assert figures["major_open_at_end"] == 1
    assert set(figures) == set(statements.FIGURE_KEYS)


def test_signing_freezes_the_figures_and_flags_a_late_statement(world, year_2025):
    with time_machine.travel(at(2025, 4, 10, 10), tick=False):
        statement = statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            period="quarter",
            year=2025,
            quarter=1,
            principal_name="赵主要",
        )
    assert statement.due == datetime.date(2025, 4, 15)
    assert statement.is_late is False
    signed = dict(statement.figures)
    assert (signed["found_general"], signed["found_major"]) == (2, 1)

    with time_machine.travel(at(2025, 6, 1, 10), tick=False):
        act(world.town_office_a, year_2025["q1_major"], "cancel", note="实为重复")
    assert statements.statement_figures(world.unit_a, "quarter", 2025, 1)["found_major"] == 0
    statement.refresh_from_db()
    assert statement.figures == signed
    assert AuditEntry.objects.filter(
        action="hazard_statement.signed", target_id=str(statement.pk)
    ).exists()

    with pytest.raises(ValidationError) as twice:
        statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            period="quarter",
            year=2025,
            quarter=1,
            principal_name="赵主要",
        )
    assert "赵主要" in twice.value.message_dict["period"][0]

    with time_machine.travel(at(2026, 2, 3, 10), tick=False):
        yearly = statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            period="year",
            year=2025,
            principal_name="赵主要",
        )
    assert yearly.due == datetime.date(2026, 1, 31)
    assert yearly.is_late is True


def test_a_period_that_has_not_ended_cannot_be_signed(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as early:
        statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            period="year",
            year=today.year,
            principal_name="赵主要",
        )
    assert "period" in early.value.message_dict
    with pytest.raises(ValidationError) as no_quarter:
        statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            period="quarter",
            year=2025,
            principal_name="赵主要",
        )
    assert "quarter" in no_quarter.value.message_dict
    with pytest.raises(Http404):
        statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_b.pk,
            period="year",
            year=2025,
            principal_name="越权",
        )
    assert not StatisticsStatement.objects.exists()


def test_due_dates_follow_order_16_article_14():
    assert statements.statement_due("quarter", 2026, 1) == datetime.date(2026, 4, 15)
    assert statements.statement_due("quarter", 2026, 3) == datetime.date(2026, 10, 15)
    assert statements.statement_due("quarter", 2026, 4) == datetime.date(2027, 1, 15)
    assert statements.statement_due("year", 2026) == datetime.date(2027, 1, 31)


def test_the_statement_workbook_is_a_signed_table(world, year_2025):
    with time_machine.travel(at(2025, 4, 10, 10), tick=False):
        statement = statements.statement_sign(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            period="quarter",
            year=2025,
            quarter=1,
            principal_name="赵主要",
        )
    content = statements.statement_xlsx(statement)

    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c not in (None, "")]
    assert world.unit_a.name in cells
    assert "赵主要" in cells
    figures = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(figures) == len(statements.FIGURES)
    assert figures[0][2] == 2  # ordinary hazards found in Q1
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)


# --- Pages --------------------------------------------------------------------------------------


def test_the_enterprise_reports_the_month_on_its_page(world, client, login):
    hazard = self_check_hazard(world)
    login("enterprise_a")
    url = reverse("hazards:monthly_report_submit", args=[world.unit_a.pk])
    month = reports.month_param(this_month())

    page = client.get(url, {"month": month})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{hazard.pk}" checked' in html  # offered pre-ticked

    response = client.post(
        url + f"?month={month}",
        {
            "month": month,
            "kind": "hazards",
            "hazard_ids": [hazard.pk],
            "checks_done": 3,
            "signed_name": "张安全",
        },
    )
    assert response.status_code == 302
    report = MonthlyReport.objects.get(unit=world.unit_a)
    assert list(report.hazards.all()) == [hazard]

    listing = client.get(reverse("hazards:monthly_reports"))
    assert listing.status_code == 200
    assert reverse("hazards:monthly_report_detail", args=[report.pk]) in listing.content.decode()
    again = client.post(
        url,
        {
            "month": month,
            "kind": "hazards",
            "hazard_ids": [hazard.pk],
            "checks_done": 4,
            "signed_name": "张安全",
        },
    )
    assert again.status_code == 200  # refused: the page shows why
    assert MonthlyReport.objects.get().checks_done == 3


def test_the_page_refuses_none_found_when_a_self_check_found_a_hazard(world, client, login):
    hazard = self_check_hazard(world)
    login("enterprise_a")
    url = reverse("hazards:monthly_report_submit", args=[world.unit_a.pk])
    response = client.post(
        url,
        {
            "month": reports.month_param(this_month()),
            "kind": "none_found",
            "checks_done": 1,
            "signed_name": "张安全",
        },
    )
    assert response.status_code == 200
    assert hazard.code in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_another_unit_s_report_page_is_not_found(world, client, login):
    login("enterprise_a")
    url = reverse("hazards:monthly_report_submit", args=[world.unit_a2.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "none_found", "signed_name": "越权"}).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_the_office_overview_lists_its_missing_units_and_reminds_them(old_units, client, login):
    world = old_units
    month = reports.month_param(reports.previous_month(this_month()))
    login("town_office_a")
    page = client.get(reverse("hazards:monthly_overview"), {"month": month})
    assert page.status_code == 200
    html = page.content.decode()
    assert world.unit_a.name in html
    assert world.unit_b.name not in html

    for _i in range(2):
        response = client.post(reverse("hazards:monthly_remind"), {"month": month})
        assert response.status_code == 302
    assert Notification.objects.filter(recipient=world.enterprise_a).count() == 1

    export = client.get(reverse("hazards:monthly_overview"), {"month": month, "export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [world.unit_a.name]

    login("town_office_b")
    html_b = client.get(reverse("hazards:monthly_overview"), {"month": month}).content.decode()
    assert world.unit_b.name in html_b
    assert world.unit_a.name not in html_b


def test_the_office_pages_are_not_for_enterprises(world, client, login):
    login("enterprise_a")
    assert client.get(reverse("hazards:monthly_overview")).status_code == 403
    assert client.get(reverse("hazards:statement_list")).status_code == 403
    login("town_office_a")
    assert client.get(reverse("hazards:monthly_reports")).status_code == 403


def test_the_enterprise_signs_a_statement_and_the_office_sees_it(world, year_2025, client, login):
    login("enterprise_a")
    url = reverse("hazards:statement_sign", args=[world.unit_a.pk])
    params = {"period": "quarter", "year": 2025, "quarter": 1}
    with time_machine.travel(at(2025, 4, 10, 10), tick=False):
        preview = client.get(url, params)
        assert preview.status_code == 200
        response = client.post(url, {**params, "principal_name": "赵主要"})
    statement = StatisticsStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hazards:statement_detail", args=[statement.pk])
    assert statement.figures["found_general"] == 2

    login("town_office_a")
    listing = client.get(reverse("hazards:statement_list"))
    assert listing.status_code == 200
    assert "赵主要" in listing.content.decode()
    download = client.get(reverse("hazards:statement_xlsx", args=[statement.pk]))
    assert download.status_code == 200
    login("town_office_b")
    assert client.get(reverse("hazards:statement_detail", args=[statement.pk])).status_code == 404
    assert client.get(reverse("hazards:statement_xlsx", args=[statement.pk])).status_code == 404
    assert "赵主要" not in client.get(reverse("hazards:statement_list")).content.decode()


# --- API ----------------------------------------------------------------------------------------


def api(client, user, method, path, body=None, **params):
    token = api_token_issue(user=user, name="test").raw
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/hazard-reports{path}"
    if method == "get":
        return client.get(url, params, **headers)
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_api_submit_duplicate_and_scope(world, client):
    hazard = self_check_hazard(world)
    month = reports.month_param(this_month())
    candidates = api(
        client, world.enterprise_a, "get", f"/units/{world.unit_a.pk}/candidates", month=month
    )
    assert candidates.status_code == 200
    assert [h["id"] for h in candidates.json()["items"]] == [hazard.pk]
    assert candidates.json()["self_found_ids"] == [hazard.pk]

    refused = api(
        client,
        world.enterprise_a,
        "post",
        "/monthly",
        {"unit_id": world.unit_a.pk, "month": month, "kind": "none_found", "signed_name": "张安全"},
    )
    assert refused.status_code == 422
    assert hazard.code in refused.json()["error"]["message"]

    body = {
        "unit_id": world.unit_a.pk,
        "month": month,
        "kind": "hazards",
        "hazard_ids": [hazard.pk],
        "checks_done": 2,
    }
    created = api(client, world.enterprise_a, "post", "/monthly", body)
    assert created.status_code == 201
    assert created.json()["hazard_ids"] == [hazard.pk]
    assert created.json()["month"] == month
    duplicate = api(client, world.enterprise_a, "post", "/monthly", body)
    assert duplicate.status_code == 422
    assert duplicate.json()["error"]["details"][0]["field"] == "month"

    other = api(
        client,
        world.enterprise_a,
        "post",
        "/monthly",
        {**body, "unit_id": world.unit_a2.pk, "hazard_ids": []},
    )
    assert other.status_code == 404
    office = api(client, world.town_office_a, "post", "/monthly", body)
    assert office.status_code == 403

    listed = api(client, world.town_office_a, "get", "/monthly", month=month)
    assert [r["id"] for r in listed.json()["items"]] == [created.json()["id"]]
    assert api(client, world.town_office_b, "get", "/monthly").json()["count"] == 0
    report_id = created.json()["id"]
    assert api(client, world.town_office_b, "get", f"/monthly/{report_id}").status_code == 404


def test_api_overview_missing_remind_and_export(old_units, client):
    world = old_units
    month = reports.month_param(reports.previous_month(this_month()))
    overview = api(client, world.town_office_a, "get", "/monthly/overview", month=month)
    assert overview.status_code == 200
    assert overview.json() | {"rate": 0} == {
        "month": month,
        "expected": 1,
        "submitted": 0,
        "with_hazards": 0,
        "none_found": 0,
        "missing": 1,
        "rate": 0,
    }
    missing = api(client, world.town_office_b, "get", "/monthly/missing", month=month)
    assert [u["id"] for u in missing.json()["items"]] == [world.unit_b.pk]

    first = api(client, world.town_office_a, "post", "/monthly/remind", {"month": month})
    second = api(client, world.town_office_a, "post", "/monthly/remind", {"month": month})
    assert (first.json()["notifications"], second.json()["notifications"]) == (1, 0)
    assert (
        api(client, world.enterprise_a, "post", "/monthly/remind", {"month": month}).status_code
        == 403
    )

    export = api(client, world.town_office_a, "get", "/monthly/export", month=month)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(row=2, column=1).value == world.unit_a.name


def test_api_statements(world, year_2025, client):
    unit = world.unit_a.pk
    with time_machine.travel(at(2025, 4, 20, 10), tick=False):
        preview = api(
            client,
            world.enterprise_a,
            "get",
            f"/units/{unit}/statement-figures",
            period="quarter",
            year=2025,
            quarter=1,
        )
        assert preview.status_code == 200
        assert preview.json()["figures"]["found_general"] == 2
        assert preview.json()["due"] == "2025-04-15"
        signed = api(
            client,
            world.enterprise_a,
            "post",
            "/statements",
            {
                "unit_id": unit,
                "period": "quarter",
                "year": 2025,
                "quarter": 1,
                "principal_name": "赵主要",
            },
        )
        periods = api(client, world.enterprise_a, "get", f"/units/{unit}/statement-periods")
    assert signed.status_code == 201
    body = signed.json()
    assert body["is_late"] is True  # signed after the 15th
    assert body["figures"]["closed_general"] == 1
    assert body["rows"][0]["key"] == "found_general"
    q1 = next(p for p in periods.json() if p["period"] == "quarter" and p["quarter"] == 1)
    assert q1["statement_id"] == body["id"]

    again = api(
        client,
        world.enterprise_a,
        "post",
        "/statements",
        {
            "unit_id": unit,
            "period": "quarter",
            "year": 2025,
            "quarter": 1,
            "principal_name": "赵主要",
        },
    )
    assert again.status_code == 422
    got = api(client, world.town_office_a, "get", f"/statements/{body['id']}")
    assert got.json()["principal_name"] == "赵主要"
    xlsx = api(client, world.town_office_a, "get", f"/statements/{body['id']}/xlsx")
    assert xlsx.status_code == 200
    assert api(client, world.town_office_b, "get", f"/statements/{body['id']}").status_code == 404
    assert api(client, world.town_office_b, "get", "/statements").json()["count"] == 0
    assert (
        api(client, world.enterprise_b, "get", f"/units/{unit}/statement-figures").status_code
        == 404
    )


def test_the_follow_up_and_the_figures_take_a_fixed_number_of_queries(
    old_units, django_assert_max_num_queries
):
    world = old_units
    for i in range(5):
        Unit.objects.create(
            name=f"场口机械{i}厂", kind=UnitKind.ENTERPRISE, region=world.village_a1
        )
    for _i in range(3):
        self_check_hazard(world)
    month = this_month()
    office = world.town_office_a
    reports.monthly_overview(office, month)  # the user's scope is read once and kept
    with django_assert_max_num_queries(3):
        reports.monthly_overview(office, month)
    with django_assert_max_num_queries(1):
        assert len(list(reports.monthly_missing(office, month))) == 6
    with django_assert_max_num_queries(4):
        statements.statement_figures(world.unit_a, "year", month.year)


def test_the_database_refuses_a_second_statement_of_the_same_year(world):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from anjian.hazards.models import StatisticsStatement

    def sign(quarter=None):
        StatisticsStatement.objects.create(
            unit=world.unit_a,
            period="year" if quarter is None else "quarter",
            year=2025,
            quarter=quarter,
            principal_name="张三",
            signed_at=timezone.now(),
        )

    sign()
    sign(quarter=1)
    for quarter in (None, 1):
        with pytest.raises(IntegrityError), transaction.atomic():
            sign(quarter)
