"""Deadline reminders and overdue escalation (催办、逾期督办), sent once a day as one digest per
person.

For each hazard with a deadline that is still the unit's to rectify (found with a deadline, or
under rectification; a submitted rectification awaits the re-check and is not the unit's delay):

==================  ============================================  ===============================
kind                when (working days, Chinese calendar)         who hears (``REMINDER_AUDIENCES``)
==================  ============================================  ===============================
``due_soon``        3 working days or fewer before the deadline   the unit's enterprise users
``due_today``       on the day of the deadline                    the unit's enterprise users
``overdue``         the first run after the deadline passed       the unit, who ordered/found it
                                                                  (if an official), the unit's
                                                                  expert, the town office
``overdue_leaders`` 7 working days or more past the deadline      the town's leaders
==================  ============================================  ===============================

Each (hazard, kind, deadline) is recorded once in ``HazardReminder``; its unique constraint is the
lock: the rows are inserted first and the messages sent after, in one transaction, so a second
run (or a concurrent one) finds them there and sends nothing. An extension moves the deadline,
and so re-arms every reminder for the new date.

Only what is still true is sent: after days without a run, a hazard already overdue gets the
overdue notice, not also "due in 3 days" and "due today" (``kinds_due``). The overdue notice and
the leaders' escalation go to different people, so a late run sends both.

A person hears once a day: everything due for them is gathered into one message
(``hazard.digest``, de-duplication key ``hazard-digest:<date>``) listing each hazard with its unit,
deadline and working days left or overdue. Each hazard's timeline gets one event per kind
(``hazard.reminded``, or ``hazard.escalated`` for the leaders); these are not transitions and do
not touch the status or the version.

The queries do not grow with the number of hazards: the hazards, the reminders already sent and
the people around their units are each loaded at once; writing costs a few queries per run and
one message per person.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anjian.core.calendar import WorkingCalendar
from anjian.hazards.choices import HazardStatus, ReminderKind
from anjian.hazards.models import Hazard, HazardEvent, HazardReminder
from anjian.hazards.notifications import (
    EXPERTS,
    LEADERS,
    OFFICE,
    OFFICIALS_WHO_ACTED,
    UNIT_USERS,
    Audience,
    audience_users,
    hazard_list_url,
    hazard_url,
)

logger = logging.getLogger("anjian.hazards.escalation")

K = ReminderKind
DUE_SOON_WORKING_DAYS = 3
LEADERS_AFTER_WORKING_DAYS = 7
REMINDED_STATUSES = (HazardStatus.FOUND, HazardStatus.RECTIFYING)

# Who hears of each kind of reminder (names of ``anjian.hazards.notifications.AUDIENCES``).
REMINDER_AUDIENCES: dict[str, tuple[str, ...]] = {
    K.DUE_SOON: (UNIT_USERS,),
    K.DUE_TODAY: (UNIT_USERS,),
    K.OVERDUE: (UNIT_USERS, OFFICIALS_WHO_ACTED, EXPERTS, OFFICE),
    K.OVERDUE_LEADERS: (LEADERS,),
}
# The most pressing first: a digest lists its hazards in this order.
SEVERITY = (K.OVERDUE_LEADERS, K.OVERDUE, K.DUE_TODAY, K.DUE_SOON)
DIGEST_KIND = "hazard.digest"


def kinds_due(
    deadline: datetime.date, today: datetime.date, calendar: WorkingCalendar
) -> list[str]:
    """The reminders that apply on ``today`` to a deadline (the latest one of the unit's chain,
    and the leaders' escalation once 7 working days are past), whether sent already or not."""
    if deadline == today:
        return [K.DUE_TODAY]
    if deadline > today:
        left = calendar.working_days_between(today, deadline)
        return [K.DUE_SOON] if left <= DUE_SOON_WORKING_DAYS else []
    late = calendar.working_days_between(deadline, today)
    return [K.OVERDUE, K.OVERDUE_LEADERS] if late >= LEADERS_AFTER_WORKING_DAYS else [K.OVERDUE]


@dataclass
class Due:
    """One reminder to send: a hazard, a kind, the people who hear of it."""

    hazard: Hazard
    kind: str
    recipients: list = field(default_factory=list)
    working_days: int = 0  # left before the deadline, or past it when overdue


def _candidates(today: datetime.date, calendar: WorkingCalendar) -> list[Hazard]:
    """Hazards with a deadline up to 3 working days ahead or past, not yet fully escalated."""
    horizon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS + 1).date
    escalated = HazardReminder.objects.filter(
        hazard=OuterRef("pk"), kind=K.OVERDUE_LEADERS, deadline=OuterRef("deadline")
    )
    return list(
        Hazard.objects.filter(
            status__in=REMINDED_STATUSES, deadline__isnull=False, deadline__lt=horizon
        )
        .exclude(Exists(escalated))
        .select_related("unit__region")
        .order_by("deadline", "pk")
    )


def _dues(hazards: list[Hazard], today: datetime.date, calendar: WorkingCalendar) -> list[Due]:
    if not hazards:
        return []
    # The reminders already sent for the hazards' current deadlines (one query, by a join).
    sent = set(
        HazardReminder.objects.filter(
            hazard__status__in=REMINDED_STATUSES,
            hazard__deadline__lte=max(h.deadline for h in hazards),
            deadline=F("hazard__deadline"),
        ).values_list("hazard_id", "kind", "deadline")
    )
    dues = []
    for hazard in hazards:
        for kind in kinds_due(hazard.deadline, today, calendar):
            if (hazard.pk, kind, hazard.deadline) in sent:
                continue
            days = abs(calendar.working_days_between(today, hazard.deadline))
            dues.append(Due(hazard, kind, working_days=days))
    return dues


def _claim(dues: list[Due], today: datetime.date) -> list[Due]:
    """Insert the reminder rows (the lock); return the dues this run claimed. Normally one
    insert; if another run got some first, one at a time, skipping those already there."""
    rows = [
        HazardReminder(
            hazard=d.hazard,
            kind=d.kind,
            deadline=d.hazard.deadline,
            sent_on=today,
            recipients=len(d.recipients),
        )
        for d in dues
    ]
    try:
        with transaction.atomic():
            HazardReminder.objects.bulk_create(rows)
        return dues
    except IntegrityError:
        pass
    claimed = []
    for due, row in zip(dues, rows, strict=True):
        row.pk = None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:  # another run sent this reminder at the same moment
            continue
        claimed.append(due)
    return claimed


def _events(dues: Iterable[Due]) -> None:
    HazardEvent.objects.bulk_create(
        HazardEvent(
            hazard=d.hazard,
            type="hazard.escalated" if d.kind == K.OVERDUE_LEADERS else "hazard.reminded",
            actor=None,
            data={
                "kind": d.kind,
                "deadline": d.hazard.deadline.isoformat(),
                "working_days": d.working_days,
                "recipients": [u.pk for u in d.recipients],
            },
        )
        for d in dues
    )


# --- The digest -------------------------------------------------------------------------------


def _line(due: Due) -> str:
    params = {
        "code": due.hazard.code,
        "unit": due.hazard.unit.name,
        "deadline": due.hazard.deadline.isoformat(),
        "days": due.working_days,
    }
    days = due.working_days
    if due.kind == K.DUE_TODAY:
        return _("%(code)s %(unit)s: the deadline is today (%(deadline)s)") % params
    if due.kind == K.DUE_SOON:
        if days == 0:  # the deadline falls on a day off before the next working day
            return _("%(code)s %(unit)s: deadline %(deadline)s, no working day left") % params
        return (
            ngettext(
                "%(code)s %(unit)s: deadline %(deadline)s, %(days)s working day left",
                "%(code)s %(unit)s: deadline %(deadline)s, %(days)s working days left",
                days,
            )
            % params
        )
    if days == 0:  # past the deadline, no working day yet
        line = _("%(code)s %(unit)s: deadline %(deadline)s, overdue") % params
    else:
        line = (
            ngettext(
                "%(code)s %(unit)s: deadline %(deadline)s, overdue by %(days)s working day",
                "%(code)s %(unit)s: deadline %(deadline)s, overdue by %(days)s working days",
                days,
            )
            % params
        )
    if due.kind == K.OVERDUE_LEADERS:
        line += _(" (reported to the town leaders)")
    return line


def _digest(items: list[Due], today: datetime.date) -> tuple[str, str, str]:
    """Title, text and link of one person's digest: one line per hazard, most pressing first."""
    by_hazard: dict[int, Due] = {}
    for due in sorted(items, key=lambda d: (SEVERITY.index(d.kind), d.hazard.deadline)):
        by_hazard.setdefault(due.hazard.pk, due)  # a hazard once, under its most pressing kind
    lines = list(by_hazard.values())
    count = len(lines)
    title = ngettext(
        "Hazard deadlines, %(date)s: %(count)d hazard to follow up",
        "Hazard deadlines, %(date)s: %(count)d hazards to follow up",
        count,
    ) % {"date": today.isoformat(), "count": count}
    body = "\n".join(_line(d) for d in lines)
    if count == 1:
        link = hazard_url(lines[0].hazard.pk)
    else:
        overdue = any(d.kind in (K.OVERDUE, K.OVERDUE_LEADERS) for d in lines)
        link = hazard_list_url("overdue" if overdue else "open")
    return title, body, link


def _send_digests(dues: list[Due], today: datetime.date) -> int:
    """One message per person for everything due for them today. A later run the same day that
    finds something new sends a second, supplementary message (``hazard-digest:<date>:2``…)."""
    from anjian.notifications.models import Notification
    from anjian.notifications.services import notify

    per_person: dict[int, tuple[object, list[Due]]] = {}
    for due in dues:
        for user in due.recipients:
            per_person.setdefault(user.pk, (user, []))[1].append(due)
    if not per_person:
        return 0
    base = f"hazard-digest:{today.isoformat()}"
    earlier: dict[int, int] = {}
    for recipient_id in Notification.objects.filter(
        recipient_id__in=list(per_person), kind=DIGEST_KIND, dedupe_key__startswith=base
    ).values_list("recipient_id", flat=True):
        earlier[recipient_id] = earlier.get(recipient_id, 0) + 1
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, (user, items) in per_person.items():
            n = earlier.get(user_id, 0)
            title, body, link = _digest(items, today)
            created = notify(
                recipient=user,
                kind=DIGEST_KIND,
                title=title,
                body=body,
                link=link,
                dedupe_key=base if n == 0 else f"{base}:{n + 1}",
                email=True,
            )
            sent += created is not None
    return sent


# --- The service --------------------------------------------------------------------------------


def hazard_send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Send today's deadline reminders and overdue escalations, one digest per person.

    Idempotent: a second run the same day sends nothing. Returns how many hazards got each kind
    of reminder and how many digests were sent.
    """
    today = today or timezone.localdate()
    calendar = WorkingCalendar()
    result = {kind.value: 0 for kind in SEVERITY[::-1]} | {"digests": 0}
    dues = _dues(_candidates(today, calendar), today, calendar)
    if not dues:
        return result
    audience = Audience({d.hazard.unit_id: d.hazard.unit for d in dues}.values())
    for due in dues:
        due.recipients = audience_users(audience, due.hazard, REMINDER_AUDIENCES[due.kind])
    with transaction.atomic():
        claimed = _claim(dues, today)
        _events(claimed)
        result["digests"] = _send_digests(claimed, today)
    for due in claimed:
        result[due.kind] += 1
    logger.info("hazard reminders %s: %s", today.isoformat(), result)
    return result
