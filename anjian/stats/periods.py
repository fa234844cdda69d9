"""Periods of the statistics: a month, a quarter, a year or a custom range of days.

A period is the half-open interval ``[start, end)`` of local days (Asia/Shanghai, the project's
``TIME_ZONE``): ``start`` is its first day, ``end`` the first day after it. ``start_dt`` and
``end_dt`` are the same bounds as aware datetimes at local midnight, so that a hazard found at
23:30 on 31 March (Beijing time) belongs to March, whatever the database stores in UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_CUSTOM_DAYS = 366 * 5


class PeriodKind(models.TextChoices):
    MONTH = "month", gettext_lazy("Month")
    QUARTER = "quarter", gettext_lazy("Quarter")
    YEAR = "year", gettext_lazy("Year")
    CUSTOM = "custom", gettext_lazy("Custom range")


QUARTER_NAMES = {
    1: gettext_lazy("first quarter"),
    2: gettext_lazy("second quarter"),
    3: gettext_lazy("third quarter"),
    4: gettext_lazy("fourth quarter"),
}


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in local days; ``kind`` and the numbers it was chosen by."""

    kind: str
    start: datetime.date
    end: datetime.date  # the first day after the period
    year: int | None = None
    month: int | None = None
    quarter: int | None = None

    @property
    def start_dt(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def end_dt(self) -> datetime.datetime:
        return _midnight(self.end)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(month)d/%(year)d") % {"year": self.year, "month": self.month}
        if self.kind == PeriodKind.QUARTER:
            return _("%(quarter)s of %(year)d") % {
                "year": self.year,
                "quarter": QUARTER_NAMES[self.quarter or 1],
            }
        if self.kind == PeriodKind.YEAR:
            return _("the year %(year)d") % {"year": self.year}
        return _("%(start)s to %(end)s") % {
            "start": self.start.isoformat(),
            "end": self.last_day.isoformat(),
        }

    def as_of(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """The moment "at the end of the period" means: its end, or now if it has not ended."""
        now = now or timezone.now()
        return min(self.end_dt, now)

    def params(self) -> dict[str, Any]:
        """The parameters that choose this period again (stored with a report run)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == PeriodKind.CUSTOM:
            out.update(start=self.start.isoformat(), end=self.last_day.isoformat())
        else:
            out["year"] = self.year
        if self.kind == PeriodKind.MONTH:
            out["month"] = self.month
        if self.kind == PeriodKind.QUARTER:
            out["quarter"] = self.quarter
        return out


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Enter the year as four digits.")]}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": [_("The year must lie between %(min)d and %(max)d.")]},
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )
    return year


def _number(name: str, value: Any, top: int, message: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: [message]}) from None
    if not 1 <= number <= top:
        raise ValidationError({name: [message]})
    return number


def _date(name: str, value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None


def period_make(
    kind: str,
    *,
    year: Any = None,
    month: Any = None,
    quarter: Any = None,
    start: Any = None,
    end: Any = None,
) -> Period:
    """A validated period. ``end`` of a custom range is its last day (inclusive), as people say
    it; the period itself keeps the day after."""
    if kind not in PeriodKind.values:
        raise ValidationError({"kind": [_("Choose a month, a quarter, a year or a custom range.")]})
    if kind == PeriodKind.CUSTOM:
        if start in (None, "") or end in (None, ""):
            raise ValidationError(_("A custom range needs its first and its last day."))
        first, last = _date("start", start), _date("end", end)
        if last < first:
            raise ValidationError({"end": [_("The last day comes before the first day.")]})
        if (last - first).days >= MAX_CUSTOM_DAYS:
            raise ValidationError({"end": [_("A custom range may span at most five years.")]})
        _year(first.year), _year(last.year)
        return Period(kind, first, last + datetime.timedelta(days=1))
    y = _year(year)
    if kind == PeriodKind.MONTH:
        m = _number("month", month, 12, _("Choose a month from 1 to 12."))
        nxt = datetime.date(y + 1, 1, 1) if m == 12 else datetime.date(y, m + 1, 1)
        return Period(kind, datetime.date(y, m, 1), nxt, year=y, month=m)
    if kind == PeriodKind.QUARTER:
        q = _number("quarter", quarter, 4, _("Choose a quarter from 1 to 4."))
        first = datetime.date(y, 3 * q - 2, 1)
        nxt = datetime.date(y + 1, 1, 1) if q == 4 else datetime.date(y, 3 * q + 1, 1)
        return Period(kind, first, nxt, year=y, quarter=q)
    return Period(kind, datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1), year=y)


def period_default(today: datetime.date | None = None) -> Period:
    """This month."""
    today = today or timezone.localdate()
    return period_make(PeriodKind.MONTH, year=today.year, month=today.month)


def period_from_params(data: Mapping[str, Any], today: datetime.date | None = None) -> Period:
    """The period named by request parameters (``kind`` and its numbers); this month when none."""
    kind = data.get("kind") or ""
    if not kind:
        return period_default(today)
    return period_make(
        kind,
        year=data.get("year"),
        month=data.get("month"),
        quarter=data.get("quarter"),
        start=data.get("start"),
        end=data.get("end"),
    )
