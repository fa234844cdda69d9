"""The working-day calendar: Chinese public holidays and make-up working days (调休上班).

Later issues count rectification deadlines and "days overdue" in working days, so every answer
here must exist for every date, including years nobody has published yet.

Where a year's holidays come from, in this order:

1. **office** — the office entered the year itself (``CalendarYear`` + ``CalendarDay`` rows). An
   entered year overrides everything else for that year.
2. **published** — the ``chinese_calendar`` package (State Council announcements; it covers
   2004 up to the last announced year, today 2026).
3. **weekends_only** — nothing is known: Saturdays and Sundays are days off, and every answer that
   touches such a year carries a warning ("2027年的法定节假日尚未录入，已按周末计算"). A date in an
   unknown year never raises.

The functions:

- ``is_working_day(d)``
- ``add_working_days(start, n) -> DeadlineResult(date, warnings)``: the deadline is **the n-th
  working day after the start date**; the start date itself is never counted. ``n == 0`` means
  "the start date if it is a working day, otherwise the next working day".
- ``working_days_between(a, b)``: the number of working days ``d`` with ``a < d <= b`` (negative
  when ``b < a``). With ``a`` a deadline and ``b`` today it is the number of working days overdue.
- ``calendar_source(year)`` and ``calendar_warning(year)``.

Each top-level function builds a ``WorkingCalendar`` (one small query: which years the office has
entered). Code that asks many questions at once (a list of 25 hazards with their days overdue)
builds one ``WorkingCalendar()`` and asks it, so its query count does not grow with the list.
A year's days are cached in the process, keyed by the year's ``revision`` (new on every save), so
a cached copy can never be served after the office changed the year; saving also drops the
cache (``calendar_cache_clear``). A list that only shows days overdue builds
``WorkingCalendar.for_display()``: it reuses the revisions this process read in the
last 5 seconds instead of asking on every request (a tenth of the filtered hazard list's CPU under
load, bench/bench_hazards.py); deadlines, reminders and escalations always ask.

Writes go through ``calendar_year_save`` / ``calendar_year_remove`` (audited, one transaction).
"""

from __future__ import annotations

import datetime
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from anjian.core.prepared import fetch_prepared

SOURCE_OFFICE = "office"
SOURCE_PUBLISHED = "published"
SOURCE_WEEKENDS_ONLY = "weekends_only"

HOLIDAY = "holiday"
WORKDAY = "workday"

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_WORKING_DAYS = 3660  # ten years: more is a typing error, not a deadline
MAX_PERIOD_DAYS = 31
NAME_MAX_LENGTH = 60

ONE_DAY = datetime.timedelta(days=1)


def source_label(source: str) -> str:
    return {
        SOURCE_OFFICE: _("entered by the office"),
        SOURCE_PUBLISHED: _("published by the State Council"),
        SOURCE_WEEKENDS_ONLY: _("not entered: weekends only"),
    }[source]


# --- The data of one year ---------------------------------------------------------------------


@dataclass(frozen=True)
class YearData:
    """What is known about one year: its holidays (days off) and make-up working days, by date."""

    year: int
    source: str
    holidays: Mapping[datetime.date, str] = field(default_factory=dict)
    workdays: Mapping[datetime.date, str] = field(default_factory=dict)

    def is_working_day(self, d: datetime.date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    @cached_property
    def _working_days_through(self) -> tuple[int, ...]:
        """At index i: the working days from 1 January to the year's day i + 1, both counted."""
        first = datetime.date(self.year, 1, 1)
        counts, total = [], 0
        for i in range((datetime.date(self.year + 1, 1, 1) - first).days):
            total += self.is_working_day(first + datetime.timedelta(days=i))
            counts.append(total)
        return tuple(counts)

    def working_days_through(self, d: datetime.date) -> int:
        """The working days of this year up to ``d``, ``d`` counted (counted once per year, so
        that a list of overdue hazards costs a subtraction per row, not a walk over the days)."""
        return self._working_days_through[
            d.toordinal() - datetime.date(self.year, 1, 1).toordinal()
        ]

    @property
    def working_days(self) -> int:
        return self._working_days_through[-1]

    def entries(self) -> list[CalendarEntry]:
        rows = [CalendarEntry(d, HOLIDAY, n) for d, n in self.holidays.items()]
        rows += [CalendarEntry(d, WORKDAY, n) for d, n in self.workdays.items()]
        return sorted(rows, key=lambda e: e.date)


@lru_cache(maxsize=1)
def _published_range() -> tuple[int, int]:
    from chinese_calendar.constants import holidays

    return min(holidays).year, max(holidays).year


@lru_cache(maxsize=256)
def _published_year(year: int) -> YearData | None:
    """The package's data for ``year``, or None when it does not cover the year."""
    first, last = _published_range()
    if not first <= year <= last:
        return None
    from chinese_calendar.constants import Holiday, holidays, workdays

    chinese = {h.value: h.chinese for h in Holiday}
    return YearData(
        year=year,
        source=SOURCE_PUBLISHED,
        holidays={d: chinese.get(n, n) for d, n in sorted(holidays.items()) if d.year == year},
        workdays={d: chinese.get(n, n) for d, n in sorted(workdays.items()) if d.year == year},
    )


def _revisions_query(_unused=None):
    """The revision of every year the office entered: every request that counts working days
    asks it first, so it is a prepared statement (``core.prepared``)."""
    from anjian.core.models import CalendarYear

    return CalendarYear.objects.values_list("year", "revision")


@lru_cache(maxsize=256)
def _weekends_only_year(year: int) -> YearData:
    """A year nobody has entered and the package does not cover: only weekends are days off."""
    return YearData(year=year, source=SOURCE_WEEKENDS_ONLY)


_office_cache: dict[tuple[int, uuid.UUID], YearData] = {}
_OFFICE_CACHE_SIZE = 64


def calendar_cache_clear(year: int | None = None) -> None:
    """Drop cached office years (all, or one year) and the revisions last read. Saving a year
    calls it."""
    global _recent_revisions
    _recent_revisions = None
    for key in list(_office_cache):
        if year is None or key[0] == year:
            _office_cache.pop(key, None)


# How old the office's revisions may be for a calendar that only shows figures (days overdue in a
# list): read at most once in this many seconds per process instead of once per request.
DISPLAY_MAX_AGE = 5.0
# (when this process read them, the revisions): read by any calendar outside a transaction (what a
# transaction sees may never be committed), so that a display is never older than the last
# question asked here.
_recent_revisions: tuple[float, dict[int, uuid.UUID]] | None = None
_clock = time.monotonic


def _office_revisions(max_age: float) -> dict[int, uuid.UUID]:
    global _recent_revisions
    recent = _recent_revisions
    asked_at = _clock()  # before the query: the age is never underestimated
    if max_age > 0 and recent is not None and asked_at - recent[0] < max_age:
        return recent[1]
    revisions = dict(fetch_prepared("calendar_revisions", _revisions_query))
    if not transaction.get_connection().in_atomic_block:  # committed: fit for every thread
        _recent_revisions = (asked_at, revisions)
    return revisions


def _office_year(year: int, revision: uuid.UUID) -> YearData:
    key = (year, revision)
    cached = _office_cache.get(key)
    if cached is not None:
        return cached
    from anjian.core.models import CalendarDay

    holidays: dict[datetime.date, str] = {}
    workdays: dict[datetime.date, str] = {}
    rows = CalendarDay.objects.filter(calendar_year__year=year).order_by("date")
    for d, kind, name in rows.values_list("date", "kind", "name"):
        (workdays if kind == WORKDAY else holidays)[d] = name
    data = YearData(year=year, source=SOURCE_OFFICE, holidays=holidays, workdays=workdays)
    if len(_office_cache) >= _OFFICE_CACHE_SIZE:
        _office_cache.clear()
    _office_cache[key] = data
    return data


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


# --- The calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineResult:
    """A deadline and the warnings about how it was computed (years nobody has entered)."""

    date: datetime.date
    warnings: list[str]


class WorkingCalendar:
    """Answers questions about working days. Build one per request or per batch of questions.

    By default it reads which years the office entered (and their revisions) when first asked,
    so a deadline is always counted on the calendar as it is. ``max_age`` (seconds) lets it use
    the revisions this process read that long ago at most: for figures that are only shown
    (``DISPLAY_MAX_AGE``), which may then lag an edit made in another process by that long."""

    def __init__(self, *, max_age: float = 0.0) -> None:
        self.max_age = max_age
        self._office_revisions: dict[int, uuid.UUID] | None = None
        self._years: dict[int, YearData] = {}

    @classmethod
    def for_display(cls) -> WorkingCalendar:
        """A calendar for figures that are only shown (``DISPLAY_MAX_AGE``)."""
        return cls(max_age=DISPLAY_MAX_AGE)

    def _revisions(self) -> dict[int, uuid.UUID]:
        if self._office_revisions is None:
            self._office_revisions = _office_revisions(self.max_age)
        return self._office_revisions

    def year(self, year: int) -> YearData:
        data = self._years.get(year)
        if data is None:
            revision = self._revisions().get(year)
            if revision is not None:
                data = _office_year(year, revision)
            else:
                data = _published_year(year) or _weekends_only_year(year)
            self._years[year] = data
        return data

    def source(self, year: int) -> str:
        return self.year(year).source

    def warning(self, year: int) -> str | None:
        if self.source(year) != SOURCE_WEEKENDS_ONLY:
            return None
        # Translators: e.g. "2027年的法定节假日尚未录入，已按周末计算"
        return _(
            "The public holidays of %(year)s have not been entered yet; "
            "only weekends were counted as days off."
        ) % {"year": year}

    def warnings_between(self, a: datetime.date, b: datetime.date) -> list[str]:
        first, last = sorted((a.year, b.year))
        return [w for y in range(first, last + 1) if (w := self.warning(y))]

    def is_working_day(self, d: datetime.date | datetime.datetime) -> bool:
        d = _as_date(d)
        return self.year(d.year).is_working_day(d)

    def add_working_days(self, start: datetime.date | datetime.datetime, n: int) -> DeadlineResult:
        start = _as_date(start)
        if n < 0 or n > MAX_WORKING_DAYS:
            raise ValueError(
                _("The number of working days must be between 0 and %(max)s.")
                % {"max": MAX_WORKING_DAYS}
            )
        d = start
        if n == 0:
            while not self.is_working_day(d):
                d += ONE_DAY
        else:
            counted = 0
            while counted < n:
                d += ONE_DAY
                if self.is_working_day(d):
                    counted += 1
        return DeadlineResult(date=d, warnings=self.warnings_between(start, d))

    def working_days_between(
        self, a: datetime.date | datetime.datetime, b: datetime.date | datetime.datetime
    ) -> int:
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        first, last = self.year(a.year), self.year(b.year)
        if a.year == b.year:
            return last.working_days_through(b) - first.working_days_through(a)
        between = sum(self.year(y).working_days for y in range(a.year + 1, b.year))
        return (
            first.working_days
            - first.working_days_through(a)
            + between
            + last.working_days_through(b)
        )


def is_working_day(d: datetime.date | datetime.datetime) -> bool:
    return WorkingCalendar().is_working_day(d)


def add_working_days(start: datetime.date | datetime.datetime, n: int) -> DeadlineResult:
    """The n-th working day after ``start`` (``start`` not counted); see the module docstring."""
    return WorkingCalendar().add_working_days(start, n)


def working_days_between(
    a: datetime.date | datetime.datetime, b: datetime.date | datetime.datetime
) -> int:
    """Working days ``d`` with ``a < d <= b``; negative when ``b`` is before ``a``."""
    return WorkingCalendar().working_days_between(a, b)


def calendar_source(year: int) -> str:
    """``"office"``, ``"published"`` or ``"weekends_only"``."""
    return WorkingCalendar().source(year)


def calendar_warning(year: int) -> str | None:
    """The warning to show for ``year``, or None when its holidays are known."""
    return WorkingCalendar().warning(year)


# --- Entering a year: entries, periods, validation, the text format --------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """One day of a year that differs from the plain week."""

    date: datetime.date
    kind: str  # HOLIDAY or WORKDAY
    name: str = ""


@dataclass(frozen=True)
class Period:
    """Consecutive days of the same kind and name, e.g. the Spring Festival holiday."""

    start: datetime.date
    end: datetime.date
    kind: str
    name: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def periods(entries: Iterable[CalendarEntry]) -> list[Period]:
    """Group consecutive days of the same kind and name into periods."""
    result: list[Period] = []
    for e in sorted(entries, key=lambda e: (e.kind, e.date)):
        last = result[-1] if result else None
        if last and last.kind == e.kind and last.name == e.name and e.date == last.end + ONE_DAY:
            result[-1] = Period(last.start, e.date, e.kind, e.name)
        else:
            result.append(Period(e.date, e.date, e.kind, e.name))
    return sorted(result, key=lambda p: p.start)


def weekday_name(d: datetime.date) -> str:
    return str(WEEKDAYS[d.weekday()])


def validate_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("The year must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="year",
        )


def normalize_entries(
    days: Iterable[CalendarEntry | Mapping[str, Any] | Any],
) -> list[CalendarEntry]:
    """Accept entries, dicts or schema objects with ``date``, ``kind`` and ``name``."""
    result = []
    for day in days:
        if isinstance(day, CalendarEntry):
            result.append(day)
            continue
        get = day.get if isinstance(day, Mapping) else lambda k, d=None, o=day: getattr(o, k, d)
        result.append(
            CalendarEntry(date=get("date"), kind=get("kind"), name=(get("name") or "").strip())
        )
    return result


def validate_entries(year: int, entries: list[CalendarEntry]) -> None:
    """Raise ``ValidationError`` with every problem, each a sentence naming the date."""
    validate_year(year)
    errors: list[str] = []
    seen: set[datetime.date] = set()
    for e in entries:
        if e.kind not in (HOLIDAY, WORKDAY):
            errors.append(
                _("%(date)s: the kind must be “holiday” or “workday”, not “%(kind)s”.")
                % {"date": e.date, "kind": e.kind}
            )
            continue
        if not isinstance(e.date, datetime.date):
            errors.append(_("“%(date)s” is not a date.") % {"date": e.date})
            continue
        if e.date.year != year:
            errors.append(
                _("%(date)s is not in the year %(year)s: enter only dates of that year.")
                % {"date": e.date, "year": year}
            )
        if e.date in seen:
            errors.append(_("%(date)s is listed more than once.") % {"date": e.date})
        seen.add(e.date)
        if len(e.name) > NAME_MAX_LENGTH:
            errors.append(
                _("%(date)s: the name is longer than %(max)s characters.")
                % {"date": e.date, "max": NAME_MAX_LENGTH}
            )
        if e.kind == WORKDAY and e.date.weekday() < 5:
            errors.append(
                _(
                    "%(date)s is a %(weekday)s: a make-up working day must fall on a Saturday "
                    "or a Sunday."
                )
                % {"date": e.date, "weekday": weekday_name(e.date)}
            )
    if errors:
        raise ValidationError(errors)
    for p in periods(entries):
        if p.kind != HOLIDAY:
            continue
        d, weekdays = p.start, 0
        while d <= p.end:
            weekdays += d.weekday() < 5
            d += ONE_DAY
        if not weekdays:
            errors.append(
                _(
                    "The holiday “%(name)s” (%(start)s to %(end)s) covers only a weekend: "
                    "a holiday must include at least one weekday."
                )
                % {"name": p.name or _("unnamed"), "start": p.start, "end": p.end}
            )
    if not any(e.kind == HOLIDAY for e in entries):
        errors.append(_("Enter at least one public holiday for the year."))
    if errors:
        raise ValidationError(errors)


WORKDAY_WORDS = ("调休上班", "上班", "补班", "workday", "work")
HOLIDAY_WORDS = ("放假", "休息", "休", "holiday", "off")
_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_LINE = re.compile(
    rf"^(?P<start>{_DATE})(?:\s*(?:~|～|至|到|—|–|--)\s*(?P<end>{_DATE}))?(?P<rest>.*)$"
)


def _parse_date(text: str) -> datetime.date:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return datetime.date(numbers[0], numbers[1], numbers[2])


def parse_calendar_text(year: int, text: str) -> list[CalendarEntry]:
    """Read the lines an office pastes, one period or day per line::

        2027-02-06~2027-02-13 春节
        2027-02-14 上班 春节调休
        # a comment

    A line is a holiday unless its words start with 上班/补班/调休上班 (a make-up working day).
    Raises ``ValidationError`` naming each bad line; then validates the entries as a whole.
    """
    validate_year(year)
    entries: list[CalendarEntry] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            errors.append(
                _(
                    "Line %(line)s: “%(text)s” does not start with a date such as 2027-02-06 "
                    "or a period such as 2027-02-06~2027-02-13."
                )
                % {"line": number, "text": line}
            )
            continue
        try:
            start = _parse_date(match["start"])
            end = _parse_date(match["end"]) if match["end"] else start
        except ValueError:
            errors.append(
                _("Line %(line)s: “%(text)s” contains a date that does not exist.")
                % {"line": number, "text": line}
            )
            continue
        if end < start:
            errors.append(
                _("Line %(line)s: the period ends (%(end)s) before it starts (%(start)s).")
                % {"line": number, "start": start, "end": end}
            )
            continue
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            errors.append(
                _(
                    "Line %(line)s: a period of more than %(max)s days is not a holiday; "
                    "check the dates."
                )
                % {"line": number, "max": MAX_PERIOD_DAYS}
            )
            continue
        words = match["rest"].replace("，", " ").replace(",", " ").split()
        kind = HOLIDAY
        if words and words[0].lower() in WORKDAY_WORDS:
            kind, words = WORKDAY, words[1:]
        elif words and words[0].lower() in HOLIDAY_WORDS:
            words = words[1:]
        name = " ".join(words)
        d = start
        while d <= end:
            entries.append(CalendarEntry(d, kind, name))
            d += ONE_DAY
    if errors:
        raise ValidationError(errors)
    validate_entries(year, entries)
    return entries


def format_calendar_text(entries: Iterable[CalendarEntry]) -> str:
    """The text form of a year (the inverse of ``parse_calendar_text``), to pre-fill the form."""
    lines = []
    for p in periods(entries):
        dates = f"{p.start:%Y-%m-%d}" if p.days == 1 else f"{p.start:%Y-%m-%d}~{p.end:%Y-%m-%d}"
        word = " 上班" if p.kind == WORKDAY else ""
        lines.append(f"{dates}{word} {p.name}".rstrip())
    return "\n".join(lines)


# --- Services: the only writers of the calendar ----------------------------------------------


def _require_manage(actor) -> None:
    from anjian.core.scoping import get_scope

    if actor is None or not get_scope(actor).can("calendar.manage"):
        raise PermissionDenied(_("Only the safety office may enter the holidays of a year."))


def _entries_json(entries: Iterable[CalendarEntry]) -> list[list[str]]:
    return [[e.date.isoformat(), e.kind, e.name] for e in sorted(entries, key=lambda e: e.date)]


def _year_write(actor, year: int, entries: list[CalendarEntry], note: str):
    """Enter or replace ``year`` in one transaction (a savepoint inside an outer one)."""
    from anjian.audit.services import audit_record
    from anjian.core.models import CalendarDay, CalendarYear

    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        before_days = (
            _entries_json(CalendarEntry(d.date, d.kind, d.name) for d in existing.days.all())
            if existing
            else None
        )
        before_note = existing.note if existing else None
        cal_year = existing or CalendarYear(year=year)
        cal_year.note = note
        cal_year.entered_by = actor
        cal_year.entered_at = timezone.now()
        cal_year.revision = uuid.uuid4()
        # One entry per year is the database's to keep (``IntegrityError``, see the caller).
        cal_year.full_clean(validate_unique=False)
        cal_year.save()
        if existing:
            existing.days.all().delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(calendar_year=cal_year, date=e.date, kind=e.kind, name=e.name)
            for e in entries
        )
        audit_record(
            actor=actor,
            action="calendar.year_replaced" if existing else "calendar.year_entered",
            obj=cal_year,
            target_repr=str(year),
            changes={"note": [before_note, note], "days": [before_days, _entries_json(entries)]},
        )
        transaction.on_commit(lambda: calendar_cache_clear(year))
    return cal_year


def calendar_year_save(*, actor, year: int, days: Iterable[Any], note: str = ""):
    """Enter (or replace) the holidays and make-up working days of ``year``.

    From then on the entered days are the whole truth for that year. One transaction, one audit
    entry ("calendar.year_entered" or "calendar.year_replaced") with the days before and after.
    """
    _require_manage(actor)
    entries = normalize_entries(days)
    validate_entries(year, entries)
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError(_("The note is longer than 300 characters."), code="note")
    try:
        cal_year = _year_write(actor, year, entries, note)
    except IntegrityError:
        # Another first entry of the year was saved at the same moment (no row to lock before
        # it existed): this one replaces it, as if it had come a moment later.
        cal_year = _year_write(actor, year, entries, note)
    calendar_cache_clear(year)
    return cal_year


def calendar_year_remove(*, actor, year: int, reason: str = "") -> None:
    """Remove the office's entry of ``year``: the published data (or weekends) apply again."""
    from anjian.audit.services import audit_record
    from anjian.core.models import CalendarYear

    _require_manage(actor)
    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        if existing is None:
            return
        before_days = _entries_json(
            CalendarEntry(d.date, d.kind, d.name) for d in existing.days.all()
        )
        audit_record(
            actor=actor,
            action="calendar.year_removed",
            obj=existing,
            target_repr=str(year),
            changes={"note": [existing.note, None], "days": [before_days, None]},
            reason=reason,
        )
        existing.delete()
        transaction.on_commit(lambda: calendar_cache_clear(year))
    calendar_cache_clear(year)
