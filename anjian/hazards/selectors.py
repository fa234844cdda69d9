"""Reads of the hazard loop, always scoped (``Hazard.objects.for_action``)."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.calendar import WorkingCalendar
from anjian.core.compiled import QueryMemo
from anjian.core.scoping import scope_key
from anjian.hazards.choices import OPEN_STATUSES, HazardLevel, HazardStatus, PhotoKind
from anjian.hazards.filters import (
    HazardFilterSet,
    committee_choices,
    hazard_filter,
    hazard_search_q,
    town_choices,
    village_choices,
)
from anjian.hazards.models import Hazard, HazardEvent, HazardPhoto
from anjian.hazards.services import VIEW, hazard_actions_for, hazard_get_for
from anjian.units.models import Unit

__all__ = [
    "Overdue",
    "hazard_detail_for",
    "hazard_get_for",
    "hazard_list_for",
    "hazard_overdue",
    "hazard_page_for",
    "hazard_page_queryset",
    "hazard_similar_open",
]


def _hazard_base(user, search: str):
    qs = Hazard.objects.visible_to(user).select_related("unit__region", "sub_grade")
    return qs.filter(hazard_search_q(search)) if search else qs


# The list API's querysets compiled once per scope, filters, search, page, day and time zone.
_PAGES = QueryMemo(size=512)


def hazard_page_for(
    user, cleaned: dict, *, fields: tuple[str, ...], search: str = "", offset: int = 0, limit: int
) -> tuple[list[dict], Callable[[], int]]:
    """One page of the hazards ``user`` may see narrowed by already-validated filter values (the
    API's query schema; the same rules as the page, ``hazard_filter``, without building a form), as
    dicts of ``fields``; and a function counting all the rows it pages through (a short page tells
    it without a query). Both querysets are compiled once for the same inputs
    (``anjian.core.compiled``): they read only the key's values while they are built."""
    _check_choices(user, cleaned)
    today = timezone.localdate()
    key = (
        scope_key(user),
        tuple(sorted(cleaned.items())),
        search,
        today,
        timezone.get_current_timezone_name(),
    )

    build = functools.partial(hazard_page_queryset, user, cleaned, search=search, today=today)
    rows = _PAGES.rows(
        (key, fields, offset, limit), lambda: build().values(*fields)[offset : offset + limit]
    )
    return rows, functools.partial(_PAGES.count, key, build)


def hazard_page_queryset(user, cleaned: dict, *, search: str, today: datetime.date):
    """The queryset of ``hazard_page_for``: built from its arguments, the user's scope
    (``scope_key``) and the current time zone alone, without a query (a test checks that it runs
    none for every queue, filter and sort)."""
    return hazard_filter(_hazard_base(user, search), user, cleaned, today=today)


def _check_choices(user, cleaned: dict) -> None:
    """A town, village or committee named by the filters must be one ``user`` may see."""
    for name, choices in (
        ("town", town_choices),
        ("region", village_choices),
        ("committee", committee_choices),
    ):
        if cleaned.get(name) is not None and not choices(user).filter(pk=cleaned[name]).exists():
            raise ValidationError(
                {
                    name: [
                        _("Select a valid choice. That choice is not one of the available choices.")
                    ]
                }
            )


def hazard_list_for(user, *, params=None, search: str = "", request=None):
    """The hazards ``user`` may see, narrowed by the filter parameters (a QueryDict or dict) and
    the search text; one query for the page, whatever the data size (units and villages joined)."""
    qs = _hazard_base(user, search)
    filterset = HazardFilterSet(params or {}, queryset=qs, request=request or _Request(user))
    return filterset.qs, filterset


@dataclass
class _Request:
    user: object


@dataclass(frozen=True)
class Overdue:
    is_overdue: bool
    days: int  # calendar days past the deadline
    working_days: int  # working days past the deadline


def finder_name(user, finder_id: int) -> str:
    """The name of who found hazards, as the list's finder filter shows it: looked up through the
    hazards ``user`` may see, so an id outside them shows only the number."""
    finder = (
        Hazard.objects.visible_to(user)
        .filter(found_by_id=finder_id)
        .values_list("found_by__name", "found_by__username")
        .first()
    )
    return (finder[0] or finder[1]) if finder else str(finder_id)


def overdue_of(
    deadline: datetime.date | None,
    status: str,
    today: datetime.date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Overdue:
    """Derived, never stored: open (found or under rectification) with its deadline passed."""
    today = today or timezone.localdate()
    if deadline is None or status not in (HazardStatus.FOUND, HazardStatus.RECTIFYING):
        return Overdue(False, 0, 0)
    if deadline >= today:
        return Overdue(False, 0, 0)
    calendar = calendar or WorkingCalendar()
    return Overdue(True, (today - deadline).days, calendar.working_days_between(deadline, today))


def hazard_overdue(
    hazard: Hazard, today: datetime.date | None = None, calendar: WorkingCalendar | None = None
) -> Overdue:
    """The overdue facts of ``hazard`` (``overdue_of`` its deadline and status)."""
    return overdue_of(hazard.deadline, hazard.status, today, calendar)


def hazard_detail_for(user, hazard_id: int) -> dict:
    """Everything the hazard page shows: the hazard, its timeline, photo pairs, reports, plans,
    assessments, extension requests, resumption applications, and the actions ``user`` may take."""
    hazard = hazard_get_for(user, hazard_id, action=VIEW)
    photos = list(hazard.photos.all().order_by("kind", "pk"))
    befores = [p for p in photos if p.kind == PhotoKind.BEFORE]
    answers: dict[int, list[HazardPhoto]] = {}
    for p in photos:
        if p.pairs_with_id:
            answers.setdefault(p.pairs_with_id, []).append(p)
    pairs = [(b, answers.get(b.pk, [])) for b in befores]
    events = list(
        HazardEvent.objects.filter(hazard=hazard).select_related("actor").order_by("at", "pk")
    )
    return {
        "hazard": hazard,
        "overdue": hazard_overdue(hazard),
        "photos": photos,
        "photo_pairs": pairs,
        "unpaired_after": [p for p in photos if p.kind != PhotoKind.BEFORE and not p.pairs_with_id],
        "events": events,
        "reports": list(
            hazard.reports.select_related("submitted_by", "rechecked_by").prefetch_related(
                Prefetch("photos", queryset=HazardPhoto.objects.order_by("pk"))
            )
        ),
        "extensions": list(hazard.extensions.select_related("requested_by", "decided_by")),
        "plans": list(hazard.plans.select_related("submitted_by", "decided_by")),
        "assessments": list(hazard.assessments.select_related("recorded_by")),
        "resumptions": list(hazard.resumptions.select_related("applied_by", "decided_by")),
        "actions": hazard_actions_for(user, hazard),
    }


_WORD_RE = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


def _grams(text: str) -> set[str]:
    """Character bigrams of Chinese text (and whole Latin words): robust to word order."""
    tokens = _WORD_RE.findall(text or "")
    chars = "".join(t for t in tokens if len(t) == 1)
    grams = {chars[i : i + 2] for i in range(len(chars) - 1)}
    grams |= {t.lower() for t in tokens if len(t) > 1}
    return grams


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def hazard_similar_open(
    user,
    *,
    unit_id: int,
    description: str = "",
    location: str = "",
    exclude_id: int | None = None,
    threshold: float = 0.3,
    limit: int = 5,
) -> list[tuple[Hazard, float, bool]]:
    """Open hazards of the same unit that look like the one being recorded: (hazard, similarity
    of the descriptions, same location). Shown so that the finder can link instead of duplicate."""
    qs = Hazard.objects.visible_to(user).filter(unit_id=unit_id, status__in=OPEN_STATUSES)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    location = (location or "").strip()
    found = []
    for hazard in qs.order_by("-found_at")[:200]:
        score = similarity(description, hazard.description)
        same_place = bool(location) and (
            location == hazard.location.strip() or similarity(location, hazard.location) >= 0.6
        )
        if score >= threshold or same_place:
            found.append((hazard, round(score, 2), same_place))
    found.sort(key=lambda item: (item[2], item[1]), reverse=True)
    return found[:limit]


def hazard_counts_by_unit(user, unit_ids: Iterable[int]) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        Hazard.objects.visible_to(user)
        .filter(unit_id__in=list(unit_ids), status__in=OPEN_STATUSES)
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    return {r["unit_id"]: r["n"] for r in rows}


def hazard_events_for(user, hazard_id: int):
    hazard_get_for(user, hazard_id)
    return HazardEvent.objects.filter(hazard_id=hazard_id).select_related("actor")


def unit_hazards_tab(user, unit) -> dict:
    """The unit page's hazard tab: open hazards first, then the last closed ones."""
    qs = Hazard.objects.visible_to(user).filter(unit=unit).select_related("sub_grade")
    today = timezone.localdate()
    open_ = list(qs.filter(status__in=OPEN_STATUSES).order_by("deadline", "pk"))
    calendar = WorkingCalendar()
    return {
        "open_hazards": [(h, hazard_overdue(h, today, calendar)) for h in open_],
        "recent_closed": list(
            qs.filter(status=HazardStatus.CLOSED).order_by("-closed_at", "-pk")[:10]
        ),
        "counts": {
            "open": len(open_),
            "closed": qs.filter(status=HazardStatus.CLOSED).count(),
            "major_open": sum(1 for h in open_ if h.is_major),
        },
        "can_record": Unit.objects.for_action(user, "hazards.record").filter(pk=unit.pk).exists(),
    }


# --- The unit's hazard history, for its suggested grade (anjian.units.grading) ----------------


@dataclass(frozen=True)
class HazardHistory:
    count: int = 0  # hazards found in the last twelve months
    major: int = 0  # of which major


def twelve_months_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def unit_hazard_history(
    unit_ids: Iterable[int] | None = None, *, today: datetime.date | None = None
) -> dict[int, HazardHistory]:
    """Hazards found at each unit (all units when ``unit_ids`` is None) in the twelve months up
    to ``today``, cancelled ones (entered in error, duplicates) left out: how many, how many
    major. One query. The system's figure for the grade rule, not a person's read: not scoped.
    Units without such hazards are absent."""
    since = timezone.make_aware(
        datetime.datetime.combine(
            twelve_months_before(today or timezone.localdate()), datetime.time.min
        )
    )
    qs = Hazard.objects.filter(found_at__gte=since).exclude(status=HazardStatus.CANCELLED)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    rows = qs.values("unit_id").annotate(
        count=Count("pk"), major=Count("pk", filter=Q(level=HazardLevel.MAJOR))
    )
    return {r["unit_id"]: HazardHistory(r["count"], r["major"]) for r in rows.order_by()}
