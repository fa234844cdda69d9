"""Turning the frequencies into the year's tasks. The scheduling is pure (no queries): the
services load the town's facts in a fixed number of queries, call ``schedule`` and bulk-insert.

- Each unit gets, for each kind of inspector, the most visits any of its rules asks for (the rule
  of its supervision grade, and those of the categories it carries).
- Visits are spread evenly over the year (four visits fall in four different quarters, two in the
  two halves) and the months are chosen so that the load of each month stays balanced.
- Town inspections go to the town's inspectors (least loaded first, the same inspector for all
  visits of a unit); expert checks to the unit's contracted engineer; village patrols to the
  officer of the unit's village.
- The random draw (双随机): of the units that are not key units, ``share`` per cent are drawn with
  a seeded generator, each given one more town inspection in a random month by a random inspector
  (another one than its usual inspector when there is one). The same seed and the same facts give
  the same draw.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from anjian.inspections.choices import InspectionKind
from anjian.units.models import Grade

K = InspectionKind
KEY_GRADES = frozenset({str(Grade.RED), str(Grade.ORANGE)})
MONTHS = tuple(range(1, 13))

# The frequencies a town starts with (visits a year by grade and kind of inspector).
DEFAULT_FREQUENCIES: dict[str, dict[str, int]] = {
    str(K.TOWN_INSPECTION): {"red": 12, "orange": 12, "yellow": 4, "blue": 2},
    str(K.EXPERT_CHECK): {"red": 4, "orange": 4, "yellow": 2, "blue": 1},
    str(K.VILLAGE_PATROL): {"red": 12, "orange": 4, "yellow": 4, "blue": 4},
}


@dataclass(frozen=True)
class UnitFacts:
    unit_id: int
    grade: str
    village_id: int
    categories: frozenset[int] = frozenset()

    @property
    def is_key(self) -> bool:
        return self.grade in KEY_GRADES


@dataclass(frozen=True)
class Rule:
    grade: str
    category_id: int | None
    kind: str
    visits: int


@dataclass(frozen=True)
class PlannedTask:
    unit_id: int
    month: int
    kind: str
    assignee_id: int | None
    is_random: bool = False


@dataclass
class Facts:
    """What the schedule needs to know about a town, loaded by the service."""

    units: list[UnitFacts]
    rules: list[Rule]
    inspectors: list[int]
    expert_of: Mapping[int, int | None]  # unit → the contracted engineer's user (None: no account)
    officers_of: Mapping[int, list[int]]  # village → its officers
    kept: list[PlannedTask] = field(default_factory=list)  # tasks already inspected: stay


def visits_for(unit: UnitFacts, rules: Iterable[Rule]) -> dict[str, int]:
    """Visits a year for each kind: the most any rule of the unit asks for."""
    wanted: dict[str, int] = {}
    for rule in rules:
        if rule.category_id is not None:
            applies = rule.category_id in unit.categories
        else:
            applies = rule.grade == unit.grade
        if applies:
            wanted[rule.kind] = max(wanted.get(rule.kind, 0), rule.visits)
    return {kind: n for kind, n in wanted.items() if n > 0}


def spread_months(visits: int, load: Mapping[int, int]) -> list[int]:
    """``visits`` months evenly spaced over the year, the least loaded of the possible shifts."""
    if visits <= 0:
        return []
    if visits >= 12:
        return list(MONTHS)
    step = 12 / visits
    shifts = [
        sorted({int(offset + i * step) % 12 + 1 for i in range(visits)})
        for offset in range(math.ceil(step))
    ]
    return min(shifts, key=lambda months: sum(load.get(m, 0) for m in months))


def _least_loaded(people: Sequence[int], load: Mapping[int, int]) -> int | None:
    if not people:
        return None
    return min(people, key=lambda p: (load.get(p, 0), p))


def _without_kept(months: list[int], kept_months: list[int], visits: int) -> list[int]:
    """The months still to plan when some visits were already made (kept tasks)."""
    rest = list(months)
    for month in kept_months:
        if month in rest:
            rest.remove(month)
    return rest[: max(0, visits - len(kept_months))]


def draw_count(candidates: int, share: int) -> int:
    """How many units the draw takes: never more than ``share`` per cent."""
    return (candidates * max(0, min(100, share))) // 100


def random_draw(
    *,
    seed: int,
    share: int,
    candidates: Sequence[int],
    inspectors: Sequence[int],
    usual: Mapping[int, int | None],
) -> list[PlannedTask]:
    """The 双随机 draw: units and inspectors at random, reproducible from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    pool = sorted(candidates)
    drawn = sorted(rng.sample(pool, draw_count(len(pool), share)))
    people = sorted(inspectors)
    tasks = []
    for unit_id in drawn:
        month = rng.randint(1, 12)
        choices = [p for p in people if p != usual.get(unit_id)] or people
        inspector = rng.choice(choices) if choices else None
        tasks.append(PlannedTask(unit_id, month, str(K.TOWN_INSPECTION), inspector, True))
    return tasks


def schedule(facts: Facts, *, seed: int, share: int) -> list[PlannedTask]:
    """The tasks to create (the kept ones not included)."""
    month_load: dict[str, Counter] = defaultdict(Counter)
    person_load: Counter = Counter()
    kept_by: dict[tuple[int, str], list[int]] = defaultdict(list)
    kept_random: set[int] = set()
    for task in facts.kept:
        month_load[task.kind][task.month] += 1
        if task.assignee_id:
            person_load[task.assignee_id] += 1
        if task.is_random:
            kept_random.add(task.unit_id)
        else:
            kept_by[(task.unit_id, task.kind)].append(task.month)
    wanted = [(u, visits_for(u, facts.rules)) for u in facts.units]
    # The most visited units first, so that the balancing has room for the others.
    wanted.sort(key=lambda pair: (-sum(pair[1].values()), pair[0].unit_id))
    planned: list[PlannedTask] = []
    usual: dict[int, int | None] = {}
    for unit, visits in wanted:
        for kind in sorted(visits):
            if kind == K.EXPERT_CHECK and unit.unit_id not in facts.expert_of:
                continue  # no engineer on contract: nobody to make the check
            kept = kept_by.get((unit.unit_id, kind), [])
            months = _without_kept(
                spread_months(visits[kind], month_load[kind]), kept, visits[kind]
            )
            if not months:
                continue
            if kind == K.TOWN_INSPECTION:
                person = _least_loaded(facts.inspectors, person_load)
                usual[unit.unit_id] = person
            elif kind == K.EXPERT_CHECK:
                person = facts.expert_of.get(unit.unit_id)
            else:
                person = _least_loaded(facts.officers_of.get(unit.village_id, []), person_load)
            for month in months:
                month_load[kind][month] += 1
                planned.append(PlannedTask(unit.unit_id, month, kind, person))
            if person:
                person_load[person] += len(months)
    candidates = [u.unit_id for u in facts.units if not u.is_key and u.unit_id not in kept_random]
    planned += random_draw(
        seed=seed, share=share, candidates=candidates, inspectors=facts.inspectors, usual=usual
    )
    return planned


def due_dates(year: int, working_calendar) -> dict[int, datetime.date]:
    """The last working day of each month of ``year`` (the calendar knows the holidays)."""
    dates = {}
    for month in MONTHS:
        day = datetime.date(year, month, pycalendar.monthrange(year, month)[1])
        first = datetime.date(year, month, 1)
        while day > first and not working_calendar.is_working_day(day):
            day -= datetime.timedelta(days=1)
        dates[month] = day
    return dates
