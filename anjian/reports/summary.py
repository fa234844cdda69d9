"""The period's summary (年度工作总结): the town's year in the shape of its 2018 report, every number
taken from the statistics engine (``figures_compute``) and traceable to the list behind it.

A summary is paragraphs of *pieces*: plain text, or a reference to one figure (section key, row
key) with its value and the list it comes from. The page shows each number as a link, the Word
file lists at its end where each number comes from. A section the engine does not have (cases,
penalties, campaigns, the plan, while they are not built) is said to be not available; trainings,
drills and publicity have no module at all and are said to be not recorded — never a number.

One figure computed here is not (yet) a section of the statistics page: the operating units per
category of the hazardous-chemical and 三场所三企业 groups (``unit_categories``). It is built on the
engine's ``Context`` like any section, in one grouped query.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from anjian.campaigns.choices import CampaignCategory
from anjian.core.scoping import get_scope
from anjian.inspections.choices import InspectionKind
from anjian.stats.figures import (
    MONEY,
    PERCENT,
    SECTIONS,
    TOTAL,
    Context,
    Figure,
    Section,
    StatsResult,
    figures_compute,
    narrowing_for,
    region_choices,
    towns_for,
)
from anjian.stats.periods import Period
from anjian.teams.models import Committee, CommitteeKind
from anjian.units.models import Category, CategoryGroup, Unit, UnitStatus

CATEGORY_SECTION = "unit_categories"
CATEGORY_GROUPS = (CategoryGroup.HAZARDOUS_CHEMICALS, CategoryGroup.THREE_PLACES)
CATEGORY_TITLE = gettext_lazy("Operating units by category")
_NAME = re.compile(r"%\((\w+)\)s")


# --- The figures: the engine's, and the units per category --------------------------------------


def _category_name(row: Figure) -> str:
    """The category's name in its row's label ("of which: 危化品使用")."""
    prefix = _("of which: %(kind)s") % {"kind": ""}
    return row.label.removeprefix(prefix)


def categories_section(ctx: Context) -> list[Figure]:
    """Operating units of each hazardous-chemical and 三场所三企业 category, and of each group (a
    unit carrying two categories of a group is counted once in the group)."""
    categories = list(
        Category.objects.filter(group__in=CATEGORY_GROUPS, is_active=True).order_by(
            "group", "sort_order", "pk"
        )
    )
    qs = ctx.narrow(Unit.objects.for_action(ctx.user, "units.view"), unit="").filter(
        status=UnitStatus.OPERATING
    )
    metrics: dict[str, Any] = {
        f"group_{g}": Count("pk", filter=Q(categories__group=g), distinct=True)
        for g in CATEGORY_GROUPS
    }
    for c in categories:
        metrics[f"cat_{c.pk}"] = Count("pk", filter=Q(categories=c.pk), distinct=True)
    rows = list(
        qs.order_by().values(area_town=F("region__parent_id")).annotate(**metrics).order_by()
    )
    values = ctx.by_town(rows, list(metrics))
    out: list[Figure] = []
    for group in CATEGORY_GROUPS:
        out.append(
            Figure(
                f"{CATEGORY_SECTION}.{group}",
                _("Operating units: %(group)s") % {"group": CategoryGroup(group).label},
                values=values[f"group_{group}"],
            )
        )
        for c in categories:
            if c.group != group:
                continue
            out.append(
                Figure(
                    f"{CATEGORY_SECTION}.{group}.{c.code}",
                    _("of which: %(kind)s") % {"kind": c.name},
                    values=values[f"cat_{c.pk}"],
                    link=ctx.link(
                        "units:unit_list", {"category": c.pk, "status": UnitStatus.OPERATING}
                    ),
                    sub=True,
                )
            )
    return out


def summary_figures(
    user,
    period: Period,
    *,
    region_id: int | None = None,
    now: datetime.datetime | None = None,
) -> StatsResult:
    """``figures_compute`` for the period and scope, with the units per category added (unless
    the engine has that section itself)."""
    now = now or timezone.now()
    result = figures_compute(user, period, region_id=region_id, now=now)
    keys = {s.key for s in result.sections}
    if (
        CATEGORY_SECTION not in keys
        and CATEGORY_SECTION not in SECTIONS
        and get_scope(user).can("units.view")
    ):
        region, committee = narrowing_for(user, result.region_id, result.committee_id)
        ctx = Context(
            user=user,
            period=period,
            as_of=result.as_of,
            region=region,
            committee=committee,
            towns=towns_for(user),
        )
        position = next((i + 1 for i, s in enumerate(result.sections) if s.key == "units"), 0)
        result.sections.insert(
            position, Section(CATEGORY_SECTION, str(CATEGORY_TITLE), categories_section(ctx))
        )
    return result


# --- The text -----------------------------------------------------------------------------------


def show_value(kind: str, value: Any) -> str:
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{float(value):.1f}%"
    if kind == MONEY:
        return f"{float(value):,.2f}"
    return str(value)


@dataclass
class Ref:
    """One number of the text: which figure, its value (the total of the scope), its list."""

    key: str
    label: str
    section: str
    kind: str
    value: Any
    link: str

    @property
    def text(self) -> str:
        return show_value(self.kind, self.value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "section": self.section,
            "kind": self.kind,
            "value": self.value,
            "text": self.text,
            "link": self.link,
        }


@dataclass
class Piece:
    text: str
    ref: Ref | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "figure": self.ref.key if self.ref else None}


@dataclass
class Paragraph:
    pieces: list[Piece]
    heading: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def as_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "text": self.text,
            "pieces": [p.as_dict() for p in self.pieces],
        }


@dataclass
class Summary:
    title: str
    period: Period
    scope_label: str
    paragraphs: list[Paragraph]
    refs: list[Ref]
    missing: list[str]  # section keys the engine does not have
    generated_at: datetime.datetime
    result: StatsResult | None = None

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": {
                **self.period.params(),
                "start": self.period.start.isoformat(),
                "end": self.period.last_day.isoformat(),
                "label": self.period.label,
            },
            "scope": self.scope_label,
            "paragraphs": [p.as_dict() for p in self.paragraphs],
            "figures": [r.as_dict() for r in self.refs],
            "missing_sections": list(self.missing),
            "text": self.text,
            "generated_at": self.generated_at.isoformat(),
        }


@dataclass
class Writer:
    """Looks figures up by section and row key and writes sentences that quote them."""

    result: StatsResult
    paragraphs: list[Paragraph] = field(default_factory=list)
    refs: dict[str, Ref] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows: dict[str, tuple[Section, Figure]] = {}
        for section in self.result.sections:
            for row in section.rows:
                self.rows[row.key] = (section, row)
        self.sections = {s.key: s for s in self.result.sections}

    def has(self, section: str) -> bool:
        return section in self.sections

    def ref(self, key: str) -> Ref | None:
        if key in self.refs:
            return self.refs[key]
        found = self.rows.get(key)
        if found is None:
            return None
        section, row = found
        ref = Ref(
            key=row.key,
            label=row.label,
            section=section.title,
            kind=row.kind,
            value=row.values.get(TOTAL),
            link=row.link,
        )
        self.refs[key] = ref
        return ref

    def heading(self, text: str) -> None:
        self.paragraphs.append(Paragraph([Piece(text)], heading=True))

    def plain(self, text: str) -> None:
        self.paragraphs.append(Paragraph([Piece(text)]))

    def pieces(self, message: str, **names: Any) -> list[Piece] | None:
        """``message`` with ``%(name)s`` placeholders: a figure key (``"hazards.found"``), a
        ``Ref``, a list of pieces or plain text. ``None`` when a named figure is absent."""
        out: list[Piece] = []
        last = 0
        for match in _NAME.finditer(message):
            if match.start() > last:
                out.append(Piece(message[last : match.start()]))
            value = names[match.group(1)]
            if isinstance(value, FigureKey):
                ref = self.ref(value)
                if ref is None:
                    return None
                out.append(Piece(ref.text, ref))
            elif isinstance(value, list):
                out.extend(value)
            else:
                out.append(Piece(str(value)))
            last = match.end()
        if last < len(message):
            out.append(Piece(message[last:]))
        return out

    def say(self, message: str, **names: Any) -> bool:
        pieces = self.pieces(message, **names)
        if pieces is None:
            return False
        self.paragraphs.append(Paragraph(pieces))
        return True

    def rows_of(self, section: str, *, prefix: str = "") -> list[Piece]:
        """Every row of a section as "label: value", separated."""
        out: list[Piece] = []
        for row in self.sections[section].rows:
            if prefix and not row.key.startswith(prefix):
                continue
            if out:
                out.append(Piece(pgettext("list of counts", "; ")))
            ref = self.ref(row.key)
            out.append(Piece(row.label + _(": ")))
            out.append(Piece(ref.text, ref))
        return out


class FigureKey(str):
    """A figure's key, as opposed to plain text, in ``Writer.pieces``."""


def _k(key: str) -> FigureKey:
    return FigureKey(key)


def _committees(w: Writer, user, result: StatsResult) -> None:
    w.heading(_("1. The work-safety committee and its specialised committees"))
    town_ids = [int(a.key) for a in result.areas]
    committees = list(
        Committee.objects.for_action(user, "teams.view")
        .filter(region_id__in=town_ids)
        .select_related("region")
        .order_by("region__code", "sort_order", "pk")
    )
    if not committees:
        w.plain(_("No work-safety committee is recorded in anjian for this scope."))
        return
    children: dict[int | None, list[Committee]] = {}
    for c in committees:
        children.setdefault(c.parent_id, []).append(c)
    shown = {c.pk for c in committees}
    mains = [c for c in committees if c.kind == CommitteeKind.MAIN]
    # A committee member sees their specialised committee without its parent.
    orphans = [c for c in committees if c.parent_id is not None and c.parent_id not in shown]
    for main in mains:
        if _lead(main):
            w.plain(_("%(name)s: led by %(lead)s.") % {"name": main.name, "lead": _lead(main)})
        else:
            w.plain(_("%(name)s (no lead recorded).") % {"name": main.name})
        subs = children.get(main.pk, [])
        if subs:
            w.plain(
                _("Its specialised committees (1+X): %(list)s.")
                % {"list": pgettext("list of counts", "; ").join(_named(s) for s in subs)}
            )
        else:
            w.plain(_("No specialised committee is recorded under it."))
    if orphans:
        w.plain(
            _("Specialised committees: %(list)s.")
            % {"list": pgettext("list of counts", "; ").join(_named(s) for s in orphans)}
        )


def _lead(c: Committee) -> str:
    return f"{c.lead_title}{c.lead_name}".strip()


def _named(c: Committee) -> str:
    if not _lead(c):
        return c.name
    return _("%(name)s (lead: %(lead)s)") % {"name": c.name, "lead": _lead(c)}


def _units(w: Writer) -> None:
    w.heading(_("2. Units supervised"))
    if not w.has("units"):
        w.plain(_("The figures of the units are not available to your roles."))
        return
    w.say(
        _(
            "The register holds %(supervised)s units under supervision: %(operating)s operating "
            "and %(suspended)s suspended."
        ),
        supervised=_k("units.supervised"),
        operating=_k("units.operating"),
        suspended=_k("units.suspended"),
    )
    if not w.has(CATEGORY_SECTION):
        w.plain(_("The units by category are not available."))
        return
    for group, message in (
        (CategoryGroup.HAZARDOUS_CHEMICALS, _("Operating hazardous-chemical units: %(n)s")),
        (
            CategoryGroup.THREE_PLACES,
            _("Operating units of the three places and three enterprise types: %(n)s"),
        ),
    ):
        pieces = w.pieces(message, n=_k(f"{CATEGORY_SECTION}.{group}")) or []
        parts: list[Piece] = []
        for row in w.sections[CATEGORY_SECTION].rows:
            if not row.key.startswith(f"{CATEGORY_SECTION}.{group}.") or not row.values.get(TOTAL):
                continue  # as the town's report, the categories it has
            if parts:
                parts.append(Piece(pgettext("list of counts", "; ")))
            parts += (
                w.pieces(
                    _("%(category)s: %(n)s units"),
                    category=_category_name(row),
                    n=_k(row.key),
                )
                or []
            )
        if parts:
            pieces += [Piece(_(" (")), *parts, Piece(_(")"))]
        pieces.append(Piece(_(".")))
        w.paragraphs.append(Paragraph(pieces))


def _inspections(w: Writer) -> None:
    w.heading(_("3. Inspections and hazards"))
    if w.has("inspections") and w.has("units"):
        w.say(
            _("%(visits)s inspection visits (家次) were finished at %(units)s units."),
            visits=_k("inspections.visits"),
            units=_k("units.inspected"),
        )
    if w.has("inspections"):
        parts: list[Piece] = []
        for kind, label in InspectionKind.choices:
            ref = w.ref(f"inspections.kind.{kind}")
            if ref is None:
                continue
            if parts:
                parts.append(Piece(pgettext("list of counts", "; ")))
            parts += w.pieces(_("%(kind)s: %(n)s visits"), kind=str(label), n=_k(ref.key)) or []
        if parts:
            w.say(_("By kind of visit: %(list)s."), list=parts)
    else:
        w.plain(_("The figures of the inspections are not available to your roles."))
    if not w.has("hazards"):
        w.plain(_("The figures of the hazards are not available to your roles."))
        return
    w.say(
        _(
            "%(found)s hazards were found, %(major)s of them major; %(closed)s hazards were "
            "rectified and closed in the period, a rectification rate of %(rate)s (closed ÷ "
            "found)."
        ),
        found=_k("hazards.found"),
        major=_k("hazards.found.major"),
        closed=_k("hazards.closed"),
        rate=_k("hazards.rate_a"),
    )
    w.say(
        _(
            "Of the hazards found in the period, %(found_closed)s were closed by its end (%(rate)s)."
        ),
        found_closed=_k("hazards.found_closed"),
        rate=_k("hazards.rate_b"),
    )
    w.say(
        _(
            "At the end of the period %(open)s hazards were open, %(overdue)s of them overdue; "
            "%(major_open)s major hazards were open."
        ),
        open=_k("hazards.open_at_end"),
        overdue=_k("hazards.overdue"),
        major_open=_k("major.open_at_end"),
    )
    w.say(
        _("%(listed)s major hazards were listed for supervision (挂牌督办) in the period."),
        listed=_k("major.listed"),
    )
    w.say(
        _("The rectification of the hazards closed cost %(funds)s yuan."),
        funds=_k("hazards.funds"),
    )
    if w.has("documents"):
        w.say(_("%(docs)s numbered enforcement documents were issued."), docs=_k("documents.all"))


def _optional(w: Writer, section: str, missing: list[str], not_there: str, write) -> None:
    """A section the engine may lack (not built yet) or the user's roles may not reach; else
    ``write(w)`` says it in sentences, and where one of its rows is absent, as "label: value"."""
    if not w.has(section):
        missing.append(section)
        if section in SECTIONS:
            w.plain(_("These figures are not available to your roles."))
        else:
            w.plain(not_there)
        return
    if not write(w):
        parts = w.rows_of(section)
        if parts:
            w.say(_("%(title)s: %(list)s."), title=w.sections[section].title, list=parts)


def _campaigns(w: Writer) -> bool:
    said = w.say(
        _(
            "%(running)s campaigns were under way in the period. Inspections counted in "
            "campaigns: %(visits)s visits at %(units)s units, of which %(joint)s joint "
            "inspections; they found %(found)s hazards, %(rectified)s of them rectified by the "
            "end of the period."
        ),
        running=_k("campaigns.running"),
        visits=_k("campaigns.visits"),
        units=_k("campaigns.units"),
        joint=_k("campaigns.joint_inspections"),
        found=_k("campaigns.hazards_found"),
        rectified=_k("campaigns.hazards_rectified"),
    )
    parts: list[Piece] = []
    for category, label in CampaignCategory.choices:
        key = f"campaigns.category.{category}"
        units = w.rows.get(f"{key}.units")
        if units is None or not units[1].values.get(TOTAL):
            continue  # the report names the kinds of units checked, not those never visited
        pieces = w.pieces(
            _("%(category)s: %(units)s units, %(visits)s visits, %(found)s hazards found, "
              "%(rectified)s rectified"),
            category=str(label),
            units=_k(f"{key}.units"),
            visits=_k(f"{key}.visits"),
            found=_k(f"{key}.hazards_found"),
            rectified=_k(f"{key}.hazards_rectified"),
        )  # fmt: skip
        if pieces:
            if parts:
                parts.append(Piece(pgettext("list of counts", "; ")))
            parts += pieces
    if parts:
        w.say(_("By kind of unit checked: %(list)s."), list=parts)
    return said


def _cases(w: Writer) -> bool:
    return w.say(
        _(
            "%(opened)s cases were opened (立案) in the period, %(inspection)s of them from an "
            "inspection and %(hazard)s from a hazard; %(decided)s penalty decisions were made, "
            "%(closed)s cases were closed (结案) and %(transferred)s transferred (移送); "
            "%(open)s cases were open at the end of the period."
        ),
        opened=_k("cases.opened"),
        inspection=_k("cases.opened.from_inspection"),
        hazard=_k("cases.opened.from_hazard"),
        decided=_k("cases.decided"),
        closed=_k("cases.closed"),
        transferred=_k("cases.transferred"),
        open=_k("cases.open_at_end"),
    )


def _penalties(w: Writer) -> bool:
    return w.say(
        _(
            "The penalty decisions imposed fines of %(imposed)s yuan; %(paid)s yuan were paid in "
            "the period: %(fines)s yuan of fines and %(late)s yuan of late fees."
        ),
        imposed=_k("penalties.fines_imposed"),
        paid=_k("penalties.collected"),
        fines=_k("penalties.fines_collected"),
        late=_k("penalties.late_fees_collected"),
    )


def _plan(w: Writer) -> bool:
    return w.say(
        _(
            "%(planned)s inspection tasks of the annual plan were due in the period, %(done)s of "
            "them done by its end (%(rate)s); %(late)s tasks were late at the end."
        ),
        planned=_k("plan.planned"),
        done=_k("plan.done"),
        rate=_k("plan.rate"),
        late=_k("plan.late"),
    )


def _enforcement(w: Writer, missing: list[str]) -> None:
    w.heading(_("4. Joint enforcement and campaigns"))
    w.say(
        _("%(joint)s joint-enforcement visits (联合执法) were finished."),
        joint=_k(f"inspections.kind.{InspectionKind.JOINT_ENFORCEMENT}"),
    )
    _optional(
        w,
        "campaigns",
        missing,
        _("The tallies of the campaigns are not available in anjian yet."),
        _campaigns,
    )
    w.heading(_("5. Cases and penalties"))
    _optional(
        w, "cases", missing, _("The figures of the cases are not available in anjian yet."), _cases
    )
    _optional(
        w,
        "penalties",
        missing,
        _("The figures of the penalties are not available in anjian yet."),
        _penalties,
    )
    w.heading(_("6. The annual inspection plan"))
    _optional(
        w,
        "plan",
        missing,
        _("The progress of the inspection plan is not available in anjian yet."),
        _plan,
    )


NOT_RECORDED = gettext_lazy(
    "Trainings, emergency drills and publicity are not recorded in anjian yet, so this summary "
    "gives no figures for them."
)


def summary_compute(
    user,
    period: Period,
    *,
    region_id: int | None = None,
    now: datetime.datetime | None = None,
) -> Summary:
    """The summary of ``period`` for what ``user`` may see (narrowed to a town or village)."""
    now = now or timezone.now()
    if region_id is not None and not region_choices(user).filter(pk=region_id).exists():
        raise Http404(_("No such town or village among those you may see."))
    result = summary_figures(user, period, region_id=region_id, now=now)
    w = Writer(result)
    missing: list[str] = []
    _committees(w, user, result)
    _units(w)
    _inspections(w)
    _enforcement(w, missing)
    w.heading(_("7. Training, drills and publicity"))
    w.plain(str(NOT_RECORDED))
    title = _("%(scope)s: work-safety summary of %(period)s") % {
        "scope": result.scope_label,
        "period": period.label,
    }
    return Summary(
        title=title,
        period=period,
        scope_label=result.scope_label,
        paragraphs=w.paragraphs,
        refs=list(w.refs.values()),
        missing=missing,
        generated_at=now,
        result=result,
    )
