"""Analysis meetings and their pack: recorded through the service (audited), scoped, and every list
of the pack equal to what the test counts itself."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.hazards.models import Hazard
from anjian.hazards.selectors import twelve_months_before
from anjian.reports.models import AnalysisMeeting
from anjian.reports.pack import OVERDUE_TOP, pack_as_of, pack_compute
from anjian.reports.services import meeting_create
from anjian.stats.figures import TOTAL
from anjian.stats.periods import PeriodKind, period_make
from anjian.stats.tests.town import TZ, at, build_town, expected_figures
from anjian.units.models import Engineer, ServiceFirm, Unit

pytestmark = pytest.mark.django_db

NOW = at(2026, 7, 15, 9)
Q1 = period_make(PeriodKind.QUARTER, year=2026, quarter=1)
Q2 = period_make(PeriodKind.QUARTER, year=2026, quarter=2)


def _api(client, user, method, path, body=None, **params):
    token = api_token_issue(user=user, name="t").raw
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "post":
        return client.post(path, body, content_type="application/json", **headers)
    return client.get(path, params, **headers)


def _meetings(world):
    first = meeting_create(
        actor=world.town_office_a,
        held_on=datetime.date(2026, 4, 8),
        period=Q1,
        title="一季度分析会",
    )
    second = meeting_create(
        actor=world.leader_a, held_on=datetime.date(2026, 7, 10), period=Q2, notes="重点：危化"
    )
    return first, second


def test_recording_a_meeting_is_audited_and_defaults_its_title(world):
    first, second = _meetings(world)
    assert first.region == world.town_a and second.region == world.town_a
    assert "场口镇" in second.title and "2026-07-10" in second.title
    assert (second.period_start, second.period_end) == (datetime.date(2026, 4, 1), Q2.last_day)
    entry = AuditEntry.objects.get(action="analysis_meeting.recorded", target_id=second.pk)
    assert entry.actor == world.leader_a
    with pytest.raises(Exception) as exc:
        meeting_create(actor=world.inspector_a, held_on=datetime.date(2026, 7, 1), period=Q2)
    assert exc.type.__name__ == "PermissionDenied"
    with pytest.raises(Exception) as exc:  # a town one may not record meetings of
        meeting_create(
            actor=world.town_office_a, held_on=datetime.date(2026, 7, 1), period=Q2,
            region_id=world.town_b.pk,
        )  # fmt: skip
    assert exc.type.__name__ == "ValidationError"


def test_the_form_validates_in_chinese_and_records(world, client, login):
    login("town_office_a")
    url = reverse("reports:meeting_create")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "custom", "start": "2026-03-02", "end": "2026-03-01"})
    assert bad.status_code == 200 and not AnalysisMeeting.objects.exists()
    html = bad.content.decode()
    assert "此项为必填项" in html  # the day of the meeting
    assert "截止日期早于起始日期" in html  # the last day comes before the first
    ok = client.post(url, {"held_on": "2026-07-10", "kind": "quarter", "year": 2026, "quarter": 2})
    meeting = AnalysisMeeting.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse(
        "reports:meeting_detail", args=[meeting.pk]
    )
    assert (meeting.period_kind, meeting.period_start) == ("quarter", datetime.date(2026, 4, 1))
    # The inspector may read meetings but not record them.
    login("inspector_a")
    assert client.get(url).status_code == 403


def test_since_the_last_meeting_each_row_and_its_difference(world):
    town = build_town(world, hazards=80)
    _first, second = _meetings(world)
    pack = pack_compute(world.town_office_a, second, now=NOW)
    assert pack.previous is not None and pack.previous.title == "一季度分析会"
    a = world.town_a

    def ok(u):
        return u.region.parent_id == a.pk

    def docs(d):
        return d.town_id == a.pk

    before = expected_figures(town, Q1, Q1.as_of(NOW), unit_ok=ok, towns=[a], docs_ok=docs)
    now = expected_figures(town, Q2, Q2.as_of(NOW), unit_ok=ok, towns=[a], docs_ok=docs)
    compared = 0
    for change in pack.changes:
        if change.key not in now:
            continue
        b, n = before[change.key][TOTAL], now[change.key][TOTAL]
        assert (change.before, change.now) == (b, n), change.key
        if change.kind == "count":
            assert change.difference == n - b
        elif change.kind == "percent":
            want = None if b is None or n is None else round(n - b, 1)
            assert change.difference == want, change.key
        compared += 1
    assert compared >= 30
    found = next(c for c in pack.changes if c.key == "hazards.found")
    assert found.before > 0 and found.now > 0
    d = found.now - found.before
    assert found.difference_text == (f"{d:+d}" if d else "0")
    # The pack leaves out rows with nothing at either meeting, never a row that changed.
    shown = {c.key for c in pack.changes_shown}
    assert "hazards.found" in shown
    assert all(c.key in shown for c in pack.changes if c.difference not in (None, 0, "0.00"))
    # The first meeting has no previous one.
    assert pack_compute(world.town_office_a, _first, now=NOW).previous is None


def test_longest_overdue_and_open_major_hazards(world):
    build_town(world, hazards=90)
    _first, second = _meetings(world)
    pack = pack_compute(world.town_office_a, second, now=NOW)
    as_of = pack_as_of(second, NOW)
    assert as_of == at(2026, 7, 11, 0)  # the end of the meeting's day
    day = datetime.date(2026, 7, 11)
    hazards = list(
        Hazard.objects.filter(unit__region__parent=world.town_a)
        .exclude(status="cancelled")
        .prefetch_related("reports")
    )

    def open_at(h):
        return h.found_at < as_of and (h.closed_at is None or h.closed_at >= as_of)

    def awaiting(h):
        return any(
            r.submitted_at < as_of
            and ((r.outcome == "pending" and r.rechecked_at is None)
                 or (r.rechecked_at is not None and r.rechecked_at >= as_of))
            for r in h.reports.all()
        )  # fmt: skip

    overdue = sorted(
        (h for h in hazards if open_at(h) and h.deadline and h.deadline < day and not awaiting(h)),
        key=lambda h: (h.deadline, h.found_at, h.pk),
    )
    assert len(overdue) > OVERDUE_TOP  # the list is cut at the top N
    assert [(r.id, r.days_overdue) for r in pack.overdue] == [
        (h.pk, (day - h.deadline).days) for h in overdue[:OVERDUE_TOP]
    ]
    major = sorted((h for h in hazards if open_at(h) and h.level == "major"),
                   key=lambda h: (h.found_at, h.pk))  # fmt: skip
    assert major and [r.id for r in pack.major_open] == [h.pk for h in major]
    assert {r.listed for r in pack.major_open} <= {True, False}
    assert all(
        r.listed == (Hazard.objects.get(pk=r.id).listed_at is not None) for r in pack.major_open
    )


def _hazard(unit, found, *, closed=None, category="electrical", source="town_inspection", **kw):
    return Hazard(
        unit=unit, location="现场", description="隐患", hazard_type="unsafe_condition",
        category=category, level=kw.pop("level", "general"), source=source, found_at=found,
        deadline=(found + datetime.timedelta(days=10)).date(),
        status="closed" if closed else "rectifying", closed_at=closed, **kw,
    )  # fmt: skip


def test_repeat_offenders(world):
    build_town(world, hazards=0)  # one hazard at unit_a (fire), found in March
    three = Unit.objects.create(name="三次厂", region=world.village_a1)
    back = Unit.objects.create(name="复发厂", region=world.village_a2)
    twice = Unit.objects.create(name="两次厂", region=world.village_a1)
    old = Unit.objects.create(name="旧账厂", region=world.village_a1)
    Hazard.objects.bulk_create([
        *[_hazard(three, at(2026, m, 5)) for m in (2, 3, 5)],
        # closed, then the same category found again: back after it was struck off
        _hazard(back, at(2026, 1, 5), closed=at(2026, 1, 20)),
        _hazard(back, at(2026, 3, 5)),
        # two in different categories, the first closed: not a repeat
        _hazard(twice, at(2026, 1, 5), closed=at(2026, 1, 20)),
        _hazard(twice, at(2026, 3, 5), category="fire"),
        # three, but one found more than twelve months before the meeting
        _hazard(old, at(2025, 6, 1)), _hazard(old, at(2026, 2, 1)), _hazard(old, at(2026, 3, 1)),
        # found after the meeting: not counted
        _hazard(twice, at(2026, 7, 12)),
    ])  # fmt: skip
    _first, second = _meetings(world)
    pack = pack_compute(world.town_office_a, second, now=NOW)
    assert twelve_months_before(datetime.date(2026, 7, 11)) == datetime.date(2025, 7, 11)
    got = {r.unit_name: (r.found, r.refound) for r in pack.repeat}
    assert got == {"三次厂": (3, 0), "复发厂": (2, 1)}


def test_the_experts_findings_by_unit(world):
    build_town(world, hazards=0)
    firm = ServiceFirm.objects.create(region=world.town_a, name="富阳安评公司")
    Engineer.objects.create(firm=firm, name="王工", user=world.expert_a)
    Hazard.objects.bulk_create([
        _hazard(world.unit_a, at(2026, 4, 3), source="expert_check", found_by_name="李工"),
        _hazard(world.unit_a, at(2026, 5, 3), found_by=world.expert_a, level="major"),
        _hazard(world.unit_a2, at(2026, 6, 3), source="expert_check", found_by_name="李工",
                closed=at(2026, 6, 20)),
        _hazard(world.unit_a2, at(2026, 3, 3), source="expert_check"),  # Q1: not this period
        _hazard(world.unit_a2, at(2026, 5, 3)),  # the town's own inspection
        _hazard(world.unit_b, at(2026, 5, 3), source="expert_check"),  # the other town
    ])  # fmt: skip
    _first, second = _meetings(world)
    pack = pack_compute(world.town_office_a, second, now=NOW)
    got = {e.unit_name: (e.found, e.major, e.closed, e.experts) for e in pack.experts}
    assert got == {
        world.unit_a.name: (2, 1, 0, ["李工", "王工"]),
        world.unit_a2.name: (1, 0, 1, ["李工"]),
    }


def test_pages_api_and_word_of_the_pack(world, client, login):
    build_town(world, hazards=40)
    _first, second = _meetings(world)
    login("town_office_a")
    with time_machine.travel(NOW, tick=False):
        detail = client.get(reverse("reports:meeting_detail", args=[second.pk]))
        printable = client.get(reverse("reports:meeting_pack", args=[second.pk]))
        word = client.get(reverse("reports:meeting_docx", args=[second.pk]))
        api = _api(client, world.town_office_a, "get", f"/api/v1/reports/meetings/{second.pk}/pack")
        pack = pack_compute(world.town_office_a, second, now=NOW)
    assert detail.status_code == printable.status_code == word.status_code == api.status_code == 200
    assert 'data-testid="pack-printable"' in printable.content.decode()
    data = api.json()
    assert [h["id"] for h in data["longest_overdue"]] == [h.id for h in pack.overdue]
    assert data["previous_meeting"]["title"] == "一季度分析会"
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    cells = [
        c.text for t in Document(io.BytesIO(word.content)).tables for r in t.rows for c in r.cells
    ]
    assert second.title in text and "重点：危化" in text
    assert all(h.code in cells for h in pack.overdue)
    assert AuditEntry.objects.filter(action="export.downloaded", target_repr=second.title).exists()


def test_a_town_user_cannot_get_the_other_towns_meeting(world, client, login):
    _first, second = _meetings(world)
    login("town_office_b")
    for name in ("meeting_detail", "meeting_pack", "meeting_docx"):
        assert client.get(reverse(f"reports:{name}", args=[second.pk])).status_code == 404
    for suffix in ("", "/pack", "/docx"):
        path = f"/api/v1/reports/meetings/{second.pk}{suffix}"
        assert _api(client, world.town_office_b, "get", path).status_code == 404
    listed = _api(client, world.town_office_b, "get", "/api/v1/reports/meetings").json()
    assert listed["count"] == 0
    page = client.get(reverse("reports:meeting_list"))
    assert list(page.context["object_list"]) == []
    # The district sees both of town A's meetings.
    listed = _api(client, world.district_officer, "get", "/api/v1/reports/meetings").json()
    assert listed["count"] == 2
    login("enterprise_a")
    assert client.get(reverse("reports:meeting_detail", args=[second.pk])).status_code == 403


def test_the_list_searches_pages_and_exports(world, client, login):
    for day in range(1, 31):
        meeting_create(
            actor=world.town_office_a, held_on=datetime.date(2026, 6, day), period=Q2,
            title=f"第{day}次分析会" if day != 7 else "消防专题分析会",
        )  # fmt: skip
    login("leader_a")
    url = reverse("reports:meeting_list")
    first = client.get(url)
    assert (
        first.context["page_obj"].paginator.count == 30 and len(first.context["object_list"]) == 25
    )
    assert client.get(url, {"page": 2}).context["object_list"][0].held_on == datetime.date(
        2026, 6, 5
    )
    found = client.get(url, {"q": "消防"})
    assert [m.title for m in found.context["object_list"]] == ["消防专题分析会"]
    export = client.get(url, {"q": "消防", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert len(rows) == 2 and rows[1][0] == "消防专题分析会"
    created = _api(
        client, world.leader_a, "post", "/api/v1/reports/meetings",
        {"held_on": "2026-07-20", "kind": "month", "year": 2026, "month": 6},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["period_start"] == "2026-06-01"
    refused = _api(
        client, world.inspector_a, "post", "/api/v1/reports/meetings",
        {"held_on": "2026-07-20", "kind": "year", "year": 2026},
    )  # fmt: skip
    assert refused.status_code == 403


@pytest.mark.parametrize("persona", ["town_office_a", "district_officer"])
def test_the_pack_runs_a_fixed_number_of_queries(world, persona):
    build_town(world, hazards=10, seed=1)
    _first, second = _meetings(world)
    user = world.users[persona]
    pack_compute(user, second, now=NOW)  # warm the caches (content types, calendars)
    with CaptureQueriesContext(connection) as small:
        pack_compute(user, second, now=NOW)
    build_town(world, hazards=120, seed=2)
    firm = ServiceFirm.objects.create(region=world.town_a, name="安评")
    Engineer.objects.create(firm=firm, name="王工", user=world.expert_a)
    Hazard.objects.filter(pk__in=Hazard.objects.order_by("pk").values("pk")[:40]).update(
        source="expert_check"
    )
    with CaptureQueriesContext(connection) as large:
        big = pack_compute(user, second, now=NOW)
    assert big.overdue and big.repeat and big.experts
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_the_tz_of_the_moment(world):
    """A meeting whose day has not ended: the pack is as of now."""
    meeting = meeting_create(
        actor=world.town_office_a, held_on=datetime.date(2026, 7, 15), period=Q2
    )
    assert pack_as_of(meeting, NOW) == NOW
    assert pack_as_of(meeting, NOW).astimezone(TZ).date() == datetime.date(2026, 7, 15)
