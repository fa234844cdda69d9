"""Finding a unit: its name in pinyin (kept by the services) and the search condition.

``name_pinyin`` holds the full pinyin without spaces (杭州创新 → ``hangzhouchuangxin``) and
``name_initials`` the initials (``hzcx``), both lower case; letters and digits in the name are kept
as they are, punctuation is dropped. A search text of plain Latin letters therefore also matches
either column, so "hzcx" and "hangzhou" both find 杭州创新….
"""

from __future__ import annotations

import re

from django.db.models import OuterRef, Q, Subquery
from pypinyin import Style, lazy_pinyin

from anjian.core.validators import to_half_width
from anjian.units.models import AssignmentStatus, ExpertAssignment, Unit, UnitPerson

_KEEP = re.compile(r"[^0-9a-z]")
_LATIN = re.compile(r"^[a-z0-9 ]+$")


def _clean(text: str) -> str:
    return _KEEP.sub("", to_half_width(text).lower())


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a unit name, lower case, without spaces or punctuation."""
    name = name or ""
    full = "".join(_clean(part) for part in lazy_pinyin(name))
    initials = "".join(_clean(part) for part in lazy_pinyin(name, style=Style.FIRST_LETTER))
    return full[:600], initials[:200]


def pinyin_fields(name: str) -> dict[str, str]:
    """The model fields to write together with ``name``."""
    full, initials = name_pinyin(name)
    return {"name_pinyin": full, "name_initials": initials}


def unit_search_q(text: str) -> Q:
    """The condition for a search text: name, pinyin, credit code, address or a person.

    People are matched through a subquery (no join), so the list never repeats a unit.
    """
    text = (text or "").strip()
    if not text:
        return Q()
    q = (
        Q(name__icontains=text)
        | Q(credit_code__icontains=text.upper().replace(" ", ""))
        | Q(address__icontains=text)
        | Q(legal_representative__icontains=text)
        | Q(principal_name__icontains=text)
        | Q(principal_mobile__icontains=text)
    )
    lowered = to_half_width(text).lower()
    if _LATIN.match(lowered):
        compact = lowered.replace(" ", "")
        q |= Q(name_initials__contains=compact) | Q(name_pinyin__contains=compact)
    people = UnitPerson.objects.filter(Q(name__icontains=text) | Q(mobile__icontains=text))
    q |= Q(pk__in=people.values("unit_id"))
    return q


def unit_list_queryset(qs):
    """Everything a list row shows, in a fixed number of queries whatever the page size: the
    engineer of the active assignment (包干) comes as an annotation, the categories by one
    prefetch."""
    active = ExpertAssignment.objects.filter(
        unit=OuterRef("pk"), status=AssignmentStatus.ACTIVE
    ).values("engineer__name")[:1]
    return (
        qs.select_related("region__parent", "committee")
        .prefetch_related("categories")
        .annotate(active_expert=Subquery(active))
    )


def expert_name(unit: Unit) -> str:
    """The engineer of the unit's active assignment (from ``unit_list_queryset``), or ""."""
    return getattr(unit, "active_expert", None) or ""
