"""The demo town is the 2018 report's 场口镇, and loading it twice changes nothing."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q

from anjian.accounts.models import User
from anjian.accounts.roles import Role
from anjian.accounts.services import login_check_credentials
from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_verify_chain
from anjian.core.validators import validate_credit_code
from anjian.demo import town
from anjian.demo.loader import demo_logins, load_demo
from anjian.regions.models import Region
from anjian.teams.models import Committee
from anjian.units.models import Unit

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_second_load_creates_nothing_and_writes_no_audit_entry(demo_town):
    counts = (
        Region.objects.count(),
        Committee.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
    )
    entries = AuditEntry.objects.count()
    second = load_demo()
    assert second.total == 0
    assert (
        Region.objects.count(),
        Committee.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == entries
    assert audit_verify_chain().ok


def test_the_town_has_its_committee_and_the_six_specialised_committees_of_the_report(demo_town):
    changkou = Region.objects.get(code=town.TOWN_CODE)
    main = Committee.objects.get(region=changkou, kind="main")
    assert main.name == "场口镇安全生产委员会"
    assert [c.name for c in main.children.order_by("sort_order")] == [
        "工业、商贸企业专委会",
        "建设工程、燃气和小城市培育拆建专委会",
        "道路交通专委会",
        "消防专委会",
        "农业农村专委会",
        "文教卫、民宗、运休和旅游专委会",
    ]


def test_unit_counts_follow_the_report(demo_town):
    changkou = Region.objects.get(code=town.TOWN_CODE)
    kinds = Counter(Unit.objects.filter(region__parent=changkou).values_list("kind", flat=True))
    # 2 storage + 48 users + 19 三场所三企业 enterprises; 1 fireworks shop; 60 street shops; 90 small
    # venues; 15 construction projects; 8 ponds and reservoirs.
    assert kinds == {
        "enterprise": 69,
        "fireworks_shop": 1,
        "street_shop": 60,
        "small_venue": 90,
        "construction": 15,
        "reservoir": 8,
    }
    assert Unit.objects.filter(region__parent__code=town.OTHER_TOWN_CODE).exists()


def test_every_credit_code_is_valid_and_unique(demo_town):
    codes = [c for c in Unit.objects.values_list("credit_code", flat=True) if c]
    assert len(codes) == len(set(codes)) >= 70
    for code in codes:
        assert validate_credit_code(code) == code


def test_every_role_has_a_demo_user_who_can_log_in(demo_town):
    roles = {role for _u, _n, _m, role, _s, _t in town.DEMO_USERS}
    assert roles == set(Role)
    for _label, username, password in demo_logins():
        user = login_check_credentials(login=username, password=password)
        assert user.username == username
        assert not user.must_change_password


def test_the_expert_sees_exactly_the_contracted_units(demo_town):
    expert = User.objects.get(username="ck_expert")
    assert Unit.objects.visible_to(expert).count() == 12
    enterprise = User.objects.get(username="ck_enterprise")
    assert Unit.objects.visible_to(enterprise).count() == 1
    other_office = User.objects.get(username="ca_office")
    assert (
        not Unit.objects.visible_to(other_office)
        .filter(region__parent__code=town.TOWN_CODE)
        .exists()
    )


def test_the_command_prints_the_log_ins(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "ck_office" in out and town.DEMO_PASSWORD in out
    assert "镇安监办" in out


# The demo is dated back from the day it is loaded: loaded on this day, its meetings are those of
# the second and third quarters of 2026, and the first three quarters each hold some hazards.
DEMO_DAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)


def _quarter_counts(year: int, quarter: int) -> dict[str, int]:
    """The figures of a quarter in the demo town, counted straight from the rows: local days
    [first day, first day of the next quarter), hazards not cancelled, visits finished."""
    from anjian.hazards.choices import HazardStatus
    from anjian.hazards.models import Hazard
    from anjian.inspections.choices import InspectionStatus
    from anjian.inspections.models import Inspection

    start = datetime.datetime(year, 3 * quarter - 2, 1, tzinfo=SHANGHAI)
    end = datetime.datetime(year + quarter // 4, 3 * quarter % 12 + 1, 1, tzinfo=SHANGHAI)
    hazards = Hazard.objects.filter(unit__region__parent__code=town.TOWN_CODE).exclude(
        status=HazardStatus.CANCELLED
    )
    return {
        "hazards.found": hazards.filter(found_at__gte=start, found_at__lt=end).count(),
        "hazards.closed": hazards.filter(closed_at__gte=start, closed_at__lt=end).count(),
        "hazards.open_at_end": hazards.filter(found_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .count(),
        "inspections.visits": Inspection.objects.filter(
            unit__region__parent__code=town.TOWN_CODE,
            status=InspectionStatus.FINISHED,
            started_at__gte=start,
            started_at__lt=end,
        ).count(),
    }


def test_the_later_meeting_pack_compares_with_the_meeting_of_the_quarter_before():
    from anjian.reports.models import AnalysisMeeting
    from anjian.reports.pack import pack_compute

    with time_machine.travel(DEMO_DAY, tick=False):
        load_demo()
        office = User.objects.get(username="ck_office")
        meetings = list(
            AnalysisMeeting.objects.filter(region__code=town.TOWN_CODE).order_by("held_on")
        )
        assert [m.title for m in meetings] == [
            "2026年二季度安全生产形势分析会",
            "2026年三季度安全生产形势分析会",
        ]
        assert [m.held_on for m in meetings] == [
            datetime.date(2026, 7, 10),
            datetime.date(2026, 10, 10),
        ]
        pack = pack_compute(office, meetings[1])
    assert pack.previous == meetings[0]
    changes = {c.key: c for c in pack.changes}
    q1, q2, q3 = (_quarter_counts(2026, q) for q in (1, 2, 3))
    # The demo data tells the quarters apart, so a "before" column of the wrong period fails.
    assert q2["hazards.found"] and q2["hazards.closed"]
    assert q2 != q1 and q2 != q3
    for key, before in q2.items():
        change = changes[key]
        assert (change.before, change.now) == (before, q3[key]), key
        assert change.difference == q3[key] - before, key


def test_twenty_units_have_their_city_system_id_and_an_export_leaves_them_out(demo_town):
    import json

    from anjian.exchange.choices import ExchangeSystem, RecordKind
    from anjian.exchange.exports import ExportParams
    from anjian.exchange.models import ExternalId
    from anjian.exchange.services import export_create

    office = User.objects.get(username="ck_office")
    entered = set(
        ExternalId.objects.filter(system=ExchangeSystem.HANGZHOU).values_list("unit_id", flat=True)
    )
    assert len(entered) == 20
    out = export_create(
        actor=office, params=ExportParams(kind=RecordKind.UNIT, system=ExchangeSystem.HANGZHOU)
    )
    records = json.loads(out.file.read())["records"]
    ids = {int(r["anjian_id"].split(":")[1]) for r in records}
    town_units = set(
        Unit.objects.filter(region__parent__code=town.TOWN_CODE).values_list("pk", flat=True)
    )
    assert ids == town_units - entered
