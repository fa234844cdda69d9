"""Deadline reminders and overdue escalation: the right day, the right people, once, as one
digest per person.

March 2026 has no public holiday. A deadline of Tuesday 10 March gives: "due soon" on Thursday
5 March (Fri 6, Mon 9, Tue 10 are the 3 working days left, across the weekend), "due today" on
the 10th, "overdue" on Wednesday 11 March, the leaders on Thursday 19 March (11, 12, 13, 16, 17,
18, 19: 7 working days past).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from anjian.core.scheduler import PERIODIC
from anjian.hazards import escalation
from anjian.hazards.choices import HazardStatus, ReminderKind
from anjian.hazards.escalation import hazard_send_reminders, kinds_due
from anjian.hazards.models import HazardEvent, HazardReminder
from anjian.hazards.tasks import hazard_reminders_task
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.notifications.models import Notification

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date
K = ReminderKind
RECORDED_ON = D(2026, 3, 2)
DEADLINE = D(2026, 3, 10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: datetime.date, hour: int = 7):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=SHANGHAI), tick=False
    )


def days(first: datetime.date, last: datetime.date):
    d = first
    while d <= last:
        yield d
        d += datetime.timedelta(days=1)


def hazard_due(world, unit=None, deadline=DEADLINE, actor=None, **fields):
    with at(RECORDED_ON):
        return make_hazard(
            actor or world.inspector_a,
            unit or world.unit_a,
            deadline_days=(deadline - RECORDED_ON).days,
            photos=0,
            **fields,
        )


def digests(**filters) -> list[Notification]:
    return list(Notification.objects.filter(kind="hazard.digest", **filters).order_by("pk"))


def digest_readers(**filters) -> list[str]:
    return sorted(n.recipient.username for n in digests(**filters))


def test_the_kind_due_is_the_latest_that_applies():
    from anjian.core.calendar import WorkingCalendar

    cal = WorkingCalendar()
    assert kinds_due(DEADLINE, D(2026, 3, 4), cal) == []  # 4 working days left
    assert kinds_due(DEADLINE, D(2026, 3, 5), cal) == [K.DUE_SOON]
    assert kinds_due(DEADLINE, D(2026, 3, 7), cal) == [K.DUE_SOON]  # a Saturday
    assert kinds_due(DEADLINE, DEADLINE, cal) == [K.DUE_TODAY]
    assert kinds_due(DEADLINE, D(2026, 3, 11), cal) == [K.OVERDUE]
    assert kinds_due(DEADLINE, D(2026, 3, 18), cal) == [K.OVERDUE]  # 6 working days past
    assert kinds_due(DEADLINE, D(2026, 3, 19), cal) == [K.OVERDUE, K.OVERDUE_LEADERS]


def test_each_threshold_fires_on_its_day_to_the_right_people(world):
    hazard = hazard_due(world)
    fired: dict[datetime.date, list[str]] = {}
    for day in days(D(2026, 3, 3), D(2026, 3, 25)):
        with at(day):
            result = hazard_send_reminders()
        kinds = [k for k in (K.DUE_SOON, K.DUE_TODAY, K.OVERDUE, K.OVERDUE_LEADERS) if result[k]]
        if kinds:
            fired[day] = kinds
    assert fired == {
        D(2026, 3, 5): [K.DUE_SOON],
        D(2026, 3, 10): [K.DUE_TODAY],
        D(2026, 3, 11): [K.OVERDUE],
        D(2026, 3, 19): [K.OVERDUE_LEADERS],
    }
    on = {n.created_at.astimezone(SHANGHAI).date(): n for n in digests()}
    assert sorted({d for d in on}) == sorted(fired)
    readers = {
        day: digest_readers(created_at__date=day)
        for day in fired  # created_at__date uses the project's time zone
    }
    assert readers == {
        D(2026, 3, 5): ["enterprise_a"],
        D(2026, 3, 10): ["enterprise_a"],
        # The unit, the inspector who found and ordered it, the unit's expert, the town office.
        D(2026, 3, 11): ["enterprise_a", "expert_a", "inspector_a", "town_office_a"],
        D(2026, 3, 19): ["leader_a"],
    }
    for message in digests():
        assert message.link == reverse("hazards:hazard_detail", args=[hazard.pk])
        assert hazard.code in message.body
        assert DEADLINE.isoformat() in message.body
    # The other unit of the town and the other town hear nothing.
    assert digest_readers(recipient__username__in=["enterprise_a2", "town_office_b"]) == []


def test_three_working_days_before_counts_across_a_holiday(world):
    # Deadline Friday 9 October: Tue 29 Sep, Wed 30 Sep, (1–7 Oct off), Thu 8, Fri 9.
    with at(D(2026, 9, 21)):
        hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=18, photos=0)
    assert hazard.deadline == D(2026, 10, 9)
    with at(D(2026, 9, 28)):
        assert hazard_send_reminders()[K.DUE_SOON] == 0
    with at(D(2026, 9, 29)):
        assert hazard_send_reminders()[K.DUE_SOON] == 1
    assert digest_readers() == ["enterprise_a"]
    assert hazard.events.get(type="hazard.reminded").data["working_days"] == 3
    assert hazard.code in digests()[0].body


def test_running_the_job_twice_the_same_day_sends_each_reminder_once(world):
    hazard_due(world)
    with at(D(2026, 3, 11)):
        first = hazard_reminders_task.enqueue().return_value
    with at(D(2026, 3, 11), hour=19):
        second = hazard_reminders_task.enqueue().return_value
        third = hazard_send_reminders()
    assert first == {
        "due_soon": 0,
        "due_today": 0,
        "overdue": 1,
        "overdue_leaders": 0,
        "digests": 4,
    }
    assert second == third == {k: 0 for k in first}
    assert Notification.objects.filter(kind="hazard.digest").count() == 4
    assert HazardReminder.objects.count() == 1


def test_a_concurrent_run_that_claimed_a_reminder_first_keeps_it(world, monkeypatch):
    raced = hazard_due(world)
    other = hazard_due(world, unit=world.unit_a2)
    claim = escalation._claim

    def claim_after_another_run(dues, today):
        # Another run inserted the reminder of ``raced`` between our read and our insert.
        HazardReminder.objects.create(
            hazard=raced, kind=K.OVERDUE, deadline=raced.deadline, sent_on=today
        )
        return claim(dues, today)

    monkeypatch.setattr(escalation, "_claim", claim_after_another_run)
    with at(D(2026, 3, 11)):
        result = hazard_send_reminders()
    assert result[K.OVERDUE] == 1
    office = digests(recipient=world.town_office_a)
    assert len(office) == 1
    assert other.code in office[0].body
    assert raced.code not in office[0].body
    assert digest_readers(recipient=world.enterprise_a) == []
    assert HazardReminder.objects.filter(hazard=raced).count() == 1


def test_a_digest_lists_several_hazards_in_one_message_per_person(world):
    first = hazard_due(world)
    second = hazard_due(world, deadline=D(2026, 3, 6))
    next_door = hazard_due(world, unit=world.unit_a2)
    with at(D(2026, 3, 11)):
        result = hazard_send_reminders()
    assert result[K.OVERDUE] == 3
    office = digests(recipient=world.town_office_a)
    assert len(office) == 1
    assert all(h.code in office[0].body for h in (first, second, next_door))
    assert len(office[0].body.splitlines()) == 3
    assert office[0].link == reverse("hazards:hazard_list") + "?queue=overdue"
    unit = digests(recipient=world.enterprise_a)
    assert len(unit) == 1
    assert first.code in unit[0].body and second.code in unit[0].body
    assert next_door.code not in unit[0].body
    assert [next_door.code in n.body for n in digests(recipient=world.enterprise_a2)] == [True]
    # Each line says how late: the 6 March hazard is 3 working days past (9, 10, 11).
    line = next(x for x in office[0].body.splitlines() if second.code in x)
    assert "2026-03-06" in line
    assert " 3 " in line.replace(second.code, "").replace("2026-03-06", "")
    assert second.events.get(type="hazard.reminded").data["working_days"] == 3


def test_an_extension_rearms_the_reminders_for_the_new_deadline(world):
    hazard = hazard_due(world)
    with at(DEADLINE):
        hazard_send_reminders()
        act(
            world.enterprise_a,
            hazard,
            "request_extension",
            note="设备到货延迟",
            requested_deadline=D(2026, 3, 20),
        )
        act(world.town_office_a, hazard, "approve_extension")
    for day in days(D(2026, 3, 11), D(2026, 3, 23)):
        with at(day):
            hazard_send_reminders()
    sent = sorted(HazardReminder.objects.values_list("deadline", "kind", "sent_on"))
    assert sent == [
        (DEADLINE, K.DUE_TODAY, DEADLINE),
        (D(2026, 3, 20), K.DUE_SOON, D(2026, 3, 17)),  # Wed 18, Thu 19, Fri 20 left
        (D(2026, 3, 20), K.DUE_TODAY, D(2026, 3, 20)),
        (D(2026, 3, 20), K.OVERDUE, D(2026, 3, 21)),
    ]


def test_submitted_closed_and_cancelled_hazards_get_nothing(world):
    submitted = hazard_due(world)
    closed = hazard_due(world)
    cancelled = hazard_due(world)
    with at(D(2026, 3, 9)):
        act(world.enterprise_a, submitted, "submit", photos=[photo()], description="已整改")
        act(world.enterprise_a, closed, "submit", photos=[photo()], description="已整改")
        act(world.inspector_a, closed, "pass")
        act(world.town_office_a, cancelled, "cancel", note="重复录入")
    for day in (DEADLINE, D(2026, 3, 11), D(2026, 3, 25)):
        with at(day):
            assert hazard_send_reminders() == {
                "due_soon": 0,
                "due_today": 0,
                "overdue": 0,
                "overdue_leaders": 0,
                "digests": 0,
            }
    assert not HazardReminder.objects.exists()
    for hazard in (submitted, closed, cancelled):
        hazard.refresh_from_db()
    assert [h.status for h in (submitted, closed, cancelled)] == [
        HazardStatus.SUBMITTED,
        HazardStatus.CLOSED,
        HazardStatus.CANCELLED,
    ]


def test_reminders_are_on_the_timeline_without_changing_the_hazard(world):
    hazard = hazard_due(world)
    hazard.refresh_from_db()
    version, status = hazard.version, hazard.status
    for day in (D(2026, 3, 11), D(2026, 3, 19)):
        with at(day):
            hazard_send_reminders()
    hazard.refresh_from_db()
    assert (hazard.version, hazard.status) == (version, status)
    events = list(
        HazardEvent.objects.filter(hazard=hazard, type__in=["hazard.reminded", "hazard.escalated"])
        .order_by("pk")
        .values_list("type", "data", "from_status", "to_status", "actor")
    )
    assert [(t, d["kind"]) for t, d, *_rest in events] == [
        ("hazard.reminded", K.OVERDUE),
        ("hazard.escalated", K.OVERDUE_LEADERS),
    ]
    assert all(f == t == "" and actor is None for _t, _d, f, t, actor in events)
    assert sorted(events[1][1]["recipients"]) == [world.leader_a.pk]
    assert events[1][1]["working_days"] == 7


def test_after_missed_days_only_what_is_still_true_is_sent(world):
    hazard = hazard_due(world)
    # The scheduler was down until the day after the deadline: no "due soon", no "due today".
    with at(D(2026, 3, 12)):
        result = hazard_send_reminders()
    assert result[K.DUE_SOON] == result[K.DUE_TODAY] == 0
    assert result[K.OVERDUE] == 1
    assert list(HazardReminder.objects.values_list("kind", flat=True)) == [K.OVERDUE]
    assert hazard.code in digests(recipient=world.enterprise_a)[0].body


def test_a_run_after_a_long_outage_tells_the_office_and_the_leaders(world):
    hazard_due(world)
    with at(D(2026, 3, 25)):
        result = hazard_send_reminders()
    assert (result[K.OVERDUE], result[K.OVERDUE_LEADERS]) == (1, 1)
    assert digest_readers() == [
        "enterprise_a",
        "expert_a",
        "inspector_a",
        "leader_a",
        "town_office_a",
    ]
    escalated = gettext(" (reported to the town leaders)")
    assert escalated in digests(recipient=world.leader_a)[0].body
    assert escalated not in digests(recipient=world.enterprise_a)[0].body


def test_an_enterprise_that_ordered_its_own_self_check_is_not_told_twice(world):
    hazard_due(world, actor=world.enterprise_a, source="self_check")
    with at(D(2026, 3, 11)):
        hazard_send_reminders()
    # It ordered the rectification itself, but as the unit, not as an official.
    assert digest_readers() == ["enterprise_a", "expert_a", "town_office_a"]


def test_the_queries_do_not_grow_with_the_number_of_hazards(world):
    for _ in range(3):
        hazard_due(world)
    for _ in range(15):
        hazard_due(world, deadline=D(2026, 3, 17))
    with at(D(2026, 3, 11)), CaptureQueriesContext(connection) as three:
        assert hazard_send_reminders()[K.OVERDUE] == 3
    with at(D(2026, 3, 18)), CaptureQueriesContext(connection) as fifteen:
        assert hazard_send_reminders()[K.OVERDUE] == 15
    # The same four people hear both times: one digest each.
    assert len(digests(recipient=world.town_office_a)) == 2
    assert len(fifteen.captured_queries) == len(three.captured_queries)
    # 13 to read and write, 4 per person (the message, once).
    assert len(three.captured_queries) <= 13 + 4 * 4


def test_the_reminder_job_is_scheduled_every_morning():
    job = next(j for j in PERIODIC if j.name == "hazard_reminders")
    assert job.task() is hazard_reminders_task
    assert job.every.describe() == "daily at 07:30"
