"""The demo's clock: run a step of the demo's story through the real services on the day it
happened, so that everything the step writes carries that day: the inspection's times, the hazards
it found and their deadlines, the Word documents' dates and numbers, the audit records.

Changing the dates afterwards with ``update()`` (as the hazard part does for its timelines) cannot
reach the dates printed inside a document; running the step "as of" its day can. ``as_of`` replaces
``django.utils.timezone.now`` (which the services, ``localdate()`` and ``auto_now`` fields all read)
with a clock that starts at the chosen moment and runs on at the real pace.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from anjian.core.calendar import WorkingCalendar

WORK_HOUR = 10  # a visit starts at ten in the morning
_REAL_NOW = timezone.now


def real_now() -> datetime.datetime:
    """The time outside any ``as_of`` block."""
    return _REAL_NOW()


@contextmanager
def as_of(moment: datetime.datetime) -> Iterator[None]:
    """Within the block, ``timezone.now()`` is ``moment`` plus the time spent in the block."""
    offset = moment - _REAL_NOW()
    with mock.patch("django.utils.timezone.now", lambda: _REAL_NOW() + offset):
        yield


def working_moment(
    days_back: int,
    *,
    hour: int = WORK_HOUR,
    not_before: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> datetime.datetime:
    """``hour`` o'clock of the working day ``days_back`` days before today (or the working day
    before it, when that day is a weekend or holiday), never before ``not_before`` and never after
    ``now``: a demo loaded on New Year's Day keeps this year's campaign's visits in this year, and
    one loaded at ten past midnight does not put a visit in the future."""
    now = now or _REAL_NOW()
    calendar = WorkingCalendar()
    day = timezone.localdate(now) - datetime.timedelta(days=days_back)
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    local = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    if not_before is not None and local < not_before:
        local = not_before
    return min(local, now)
