"""The suite's clock: ``ANJIAN_TEST_NOW`` moves every test of the run to another day.

Rules that depend on "today" (deadlines in working days, reminders, escalation, monthly reports,
plan progress, statistics periods, the demo) must hold on every day of the year, not only on the
day a test was written. ``make test-dates`` runs the tests marked ``dates`` once for each of a
spread of days (month starts and ends, year ends, 29 February, around the Spring Festival and
National Day); any run can be moved by hand::

    ANJIAN_TEST_NOW=2028-02-29 make test
    ANJIAN_TEST_NOW=2027-12-31T23:30+08:00 .venv/bin/pytest anjian/hazards

A date alone means 10:00 in Beijing. The clock keeps ticking from there; a test that travels to a
day of its own (``time_machine.travel``) still does so.
"""

from __future__ import annotations

import datetime
import os
import zoneinfo

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ENV = "ANJIAN_TEST_NOW"
_traveller = None


def parse(value: str) -> datetime.datetime:
    """``2028-02-29`` (10:00 in Beijing) or an ISO date and time (Beijing time if no offset)."""
    value = value.strip()
    if len(value) == 10:
        day = datetime.date.fromisoformat(value)
        return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=SHANGHAI)
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def start_from_environment() -> datetime.datetime | None:
    """Move the process's clock to ``ANJIAN_TEST_NOW`` if it is set; returns the moment."""
    global _traveller
    value = os.environ.get(ENV, "").strip()
    if not value or _traveller is not None:
        return None
    import time_machine

    moment = parse(value)
    _traveller = time_machine.travel(moment, tick=True)
    _traveller.start()
    return moment


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None
