"""The rules that suggest a unit's supervision grade (分级分类) and its sector committee.

Pure: no queries, no writes. The services call these whenever a unit's categories, size or
employees change, store the answer in ``Unit.suggested_grade``, and the office sets ``Unit.grade``
(with a reason when it differs). The category page shows ``GRADE_RULES`` as a table.

The grade rule, in order (the most watched answer wins; a grade is never below any floor):

1. **Category floors.** Each category may carry a floor (危化品存储 → red, 危化品使用 → orange…);
   the unit starts at the most watched floor of the categories it carries, or blue when none.
2. **Size.** An enterprise above designated size (规上, or ≥ 100 million yuan output) or with 100
   or more employees is at least yellow; with 300 or more employees at least orange.
3. **History.** Hazards found at the unit in the last twelve months: 3–5 raise the grade one step,
   6 or more two steps; a major hazard (重大事故隐患) makes it red. Cancelled hazards (entered in
   error, duplicates) do not count. The figures come from
   ``anjian.hazards.selectors.unit_hazard_history``, which the hazards app registers in
   ``anjian.units.hooks`` (the units app does not import hazards); the hazards services recompute
   the unit's suggestion when a hazard is recorded, changes level or date found, or is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from anjian.units.models import GRADE_ORDER, Grade, UnitKind, UnitSize

# Most watched first: index 0 is red.
_RANK = {str(grade): index for index, grade in enumerate(GRADE_ORDER)}

LARGE_SIZES = frozenset({UnitSize.ABOVE, UnitSize.ABOVE_100M})
EMPLOYEES_YELLOW = 100
EMPLOYEES_ORANGE = 300
HAZARDS_ONE_STEP = 3
HAZARDS_TWO_STEPS = 6


def stricter(*grades: str) -> str:
    """The most watched of the given grades (empty strings ignored); blue when none."""
    known = [str(g) for g in grades if g]
    if not known:
        return str(Grade.BLUE)
    return min(known, key=lambda g: _RANK[g])


def raise_by(grade: str, steps: int) -> str:
    """``grade`` made ``steps`` steps more watched, never beyond red."""
    return str(GRADE_ORDER[max(0, _RANK[str(grade)] - steps)])


def suggest_grade(
    *,
    floors: Iterable[str] = (),
    size: str = "",
    employees: int | None = None,
    hazards: int = 0,
    major_hazards: int = 0,
) -> str:
    """The grade the rules suggest (see the module docstring for the rule)."""
    grade = stricter(*floors)
    if size in LARGE_SIZES or (employees or 0) >= EMPLOYEES_YELLOW:
        grade = stricter(grade, Grade.YELLOW)
    if (employees or 0) >= EMPLOYEES_ORANGE:
        grade = stricter(grade, Grade.ORANGE)
    if hazards >= HAZARDS_TWO_STEPS:
        grade = raise_by(grade, 2)
    elif hazards >= HAZARDS_ONE_STEP:
        grade = raise_by(grade, 1)
    if major_hazards > 0:
        grade = str(Grade.RED)
    return grade


@dataclass(frozen=True)
class GradeRule:
    condition: str
    effect: str


GRADE_RULES: tuple[GradeRule, ...] = (
    GradeRule(
        _("The unit carries categories with a floor"),
        _("At least the most watched floor among them; blue when no category has a floor"),
    ),
    GradeRule(
        _("Above designated size (规上) or 100 or more employees"),
        _("At least yellow"),
    ),
    GradeRule(_("300 or more employees"), _("At least orange")),
    GradeRule(_("3 to 5 hazards found in the last twelve months"), _("One step more watched")),
    GradeRule(_("6 or more hazards found in the last twelve months"), _("Two steps more watched")),
    GradeRule(_("A major hazard (重大事故隐患) in the last twelve months"), _("Red")),
)


# --- The sector committee (专委会) ------------------------------------------------------------------

# A committee is found in the unit's town by its short name, else by a word of its full name.
INDUSTRY = ("工业商贸", "工业")
CONSTRUCTION = ("建设燃气", "建设")
FIRE = ("消防", "消防")
AGRICULTURE = ("农业农村", "农业")

KIND_COMMITTEE: dict[str, tuple[str, str]] = {
    UnitKind.ENTERPRISE: INDUSTRY,
    UnitKind.STREET_SHOP: INDUSTRY,
    UnitKind.PETROL_STATION: INDUSTRY,
    UnitKind.FIREWORKS_SHOP: INDUSTRY,
    UnitKind.CONSTRUCTION: CONSTRUCTION,
    UnitKind.GAS_POINT: CONSTRUCTION,
    UnitKind.HOUSING: CONSTRUCTION,
    UnitKind.RESERVOIR: AGRICULTURE,
    UnitKind.SMALL_VENUE: FIRE,
    UnitKind.CROWDED_VENUE: FIRE,
}
# Fire-safety categories (消防重点单位, 人员密集场所, "三合一") send a unit that is not an
# enterprise to the fire committee.
FIRE_KINDS_OVERRIDE = frozenset(
    {UnitKind.STREET_SHOP, UnitKind.HOUSING, UnitKind.SMALL_VENUE, UnitKind.CROWDED_VENUE}
)


def suggest_committee_key(kind: str, category_groups: Iterable[str] = ()) -> tuple[str, str]:
    """(short name, name word) of the committee the rules suggest for a unit of ``kind``."""
    if kind in FIRE_KINDS_OVERRIDE and "fire" in set(category_groups):
        return FIRE
    return KIND_COMMITTEE.get(kind, INDUSTRY)


def pick_committee(committees: Iterable, key: tuple[str, str]):
    """The committee among ``committees`` (of one town) matching ``key``, or None."""
    short, word = key
    candidates = [c for c in committees if getattr(c, "kind", "specialised") == "specialised"]
    for committee in candidates:
        if committee.short_name == short:
            return committee
    for committee in candidates:
        if word in committee.name:
            return committee
    return None


def suggest_village(address: str, villages: Iterable):
    """The village or community whose name appears in ``address`` (the longest name wins)."""
    found = [v for v in villages if v.name and v.name in (address or "")]
    return max(found, key=lambda v: len(v.name)) if found else None
