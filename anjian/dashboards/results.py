"""What the dashboard is made of: figures (a value per town and the total), charts (categories and
series, or points for the map) with the table each shows and exports, and the lists. Plain data,
built by ``anjian.dashboards.selectors`` and drawn by ``anjian.dashboards.charts``."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from anjian.stats.figures import TOTAL
from anjian.units.models import Grade
from anjian.units.public import GRADE_PUBLIC

COUNT = "count"
PERCENT = "percent"
FRACTION = "fraction"  # done of planned: ``value`` and ``of``
MISSING = "missing"  # no module records it yet

# The grade colours of the project (``anjian.units.public``), plus a grey for units not graded.
UNGRADED = "none"
UNGRADED_COLOUR = "#6c757d"
SERIES_COLOURS = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997")


def grade_colour(grade: str) -> str:
    if grade in GRADE_PUBLIC:
        return GRADE_PUBLIC[Grade(grade)][0]
    return UNGRADED_COLOUR


def grade_label(grade: str) -> str:
    if grade in Grade.values:
        return str(GRADE_PUBLIC[Grade(grade)][1])
    return _("Not graded")


# --- The result ---------------------------------------------------------------------------------


@dataclass
class Area:
    key: str  # a town's id as a string, or ``TOTAL``
    name: str


@dataclass
class Figure:
    """One figure of the dashboard: a value per area (town key or ``total``)."""

    key: str
    label: str
    values: dict[str, Any]
    kind: str = COUNT
    of: dict[str, Any] | None = None  # the "of" of a fraction (done of planned)
    link: str = ""
    note: str = ""
    testid: str = ""

    @property
    def total(self) -> Any:
        return self.values.get(TOTAL)

    @property
    def of_total(self) -> Any:
        return (self.of or {}).get(TOTAL)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "values": dict(self.values),
            "of": dict(self.of) if self.of is not None else None,
            "link": self.link,
            "note": self.note,
        }


@dataclass
class Series:
    key: str
    name: str
    colour: str
    values: list[Any]
    links: list[str] = field(default_factory=list)  # one per category ('' where no list)
    colours: list[str] = field(default_factory=list)  # one per category (bars of grades)


@dataclass
class Point:
    """A unit on the map."""

    key: str
    name: str
    x: float  # longitude
    y: float  # latitude
    series: str  # the grade
    colour: str
    value: int  # open hazards
    place: str
    link: str = ""


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # bar, stacked, line, hbar, map
    category_title: str
    categories: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    value_title: str = ""
    note: str = ""

    @property
    def empty(self) -> bool:
        if self.kind == "map":
            return not self.points
        return not self.categories or not any(v for s in self.series for v in s.values)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """The chart's numbers as a table: the column titles and the rows."""
        if self.kind == "map":
            head = [
                _("Unit"),
                _("Village or community"),
                _("Supervision grade"),
                _("Open hazards"),
                _("Longitude"),
                _("Latitude"),
            ]
            rows = [
                [p.name, p.place, grade_label(p.series), p.value, p.x, p.y] for p in self.points
            ]
            return head, rows
        head = [self.category_title, *[s.name for s in self.series]]
        rows = [
            [label, *[s.values[i] for s in self.series]] for i, label in enumerate(self.categories)
        ]
        return head, rows

    def as_dict(self) -> dict[str, Any]:
        head, rows = self.table()
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "categories": list(self.categories),
            "series": [
                {"key": s.key, "name": s.name, "colour": s.colour, "values": list(s.values),
                 "links": list(s.links)}
                for s in self.series
            ],
            "points": [vars(p).copy() for p in self.points],
            "table": {"head": head, "rows": rows},
        }  # fmt: skip


@dataclass
class OverdueHazard:
    id: int
    code: str
    unit: str
    place: str
    level: str
    level_label: str
    deadline: datetime.date
    days: int
    link: str


@dataclass
class MissedReports:
    month: str  # YYYY-MM
    count: int
    units: list[str]
    link: str


@dataclass
class Dashboard:
    generated_at: datetime.datetime
    today: datetime.date
    scope_label: str
    areas: list[Area]  # the towns (more than one for a district user)
    figures: list[Figure]
    queues: list[Figure]
    charts: dict[str, Chart]
    overdue: list[OverdueHazard] | None  # None: the user does not see hazards
    missed: MissedReports | None  # None: the user does not follow the monthly reports

    @property
    def compare_towns(self) -> bool:
        return len(self.areas) > 1

    def figure(self, key: str) -> Figure:
        return next(f for f in [*self.figures, *self.queues] if f.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "today": self.today.isoformat(),
            "scope": self.scope_label,
            "areas": [{"key": a.key, "name": a.name} for a in self.areas]
            + [{"key": TOTAL, "name": _("Total")}],
            "figures": [f.as_dict() for f in self.figures],
            "queues": [f.as_dict() for f in self.queues],
            "charts": [c.as_dict() for c in self.charts.values()],
            "overdue": None
            if self.overdue is None
            else [{**vars(h), "deadline": h.deadline.isoformat()} for h in self.overdue],
            "missed_reports": None if self.missed is None else vars(self.missed).copy(),
        }


def map_extent(points: list[Point]) -> tuple[float, float, float, float]:
    """The bounding box of the points (with a margin), never empty."""
    xs = [p.x for p in points] or [0.0]
    ys = [p.y for p in points] or [0.0]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad_x = max((x1 - x0) * 0.08, 0.005)
    pad_y = max((y1 - y0) * 0.08, 0.005)
    return x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y


def lat_scale(lat: float) -> float:
    """How much shorter a degree of longitude is than one of latitude at ``lat``."""
    return max(math.cos(math.radians(lat)), 0.1)
