"""Reads of campaigns: the scoped list with its filters, the tally per category (the table the
town reports, "检查临街商铺60家；…共计排查整改隐患86处") and the linked inspections.

The tally is three aggregate queries whatever the number of inspections: per category (distinct
units, visits), per category (hazards found, hazards rectified) and the distinct units overall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import django_filters
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from anjian.campaigns.choices import CampaignCategory, CampaignKind, CampaignStatus, Department
from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.core.choices import choice_label
from anjian.hazards.choices import OPEN_STATUSES, HazardStatus
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.models import InspectionResult

COUNTED_HAZARDS = [*OPEN_STATUSES, HazardStatus.CLOSED]  # a cancelled hazard was a mistake


# --- The list ------------------------------------------------------------------------------------


def _years():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this + 1, this - 10, -1)]


class CampaignFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("kind of campaign"), choices=CampaignKind.choices
    )
    year = django_filters.TypedChoiceFilter(
        label=gettext_lazy("year"), choices=_years, coerce=int, method="filter_year"
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("status"), choices=CampaignStatus.choices, method="filter_status"
    )
    department = django_filters.ChoiceFilter(
        label=gettext_lazy("leading or joining department"),
        choices=Department.choices,
        method="filter_department",
    )

    class Meta:
        model = Campaign
        fields = ["kind", "year", "status", "department"]

    def filter_year(self, queryset, name, value):
        """Campaigns whose period overlaps the year."""
        return queryset.filter(start_date__year__lte=value, end_date__year__gte=value)

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value)

    def filter_department(self, queryset, name, value):
        return queryset.filter(Q(lead_department=value) | Q(pk__in=_joined_by(value)))


def _joined_by(department: str):
    from anjian.campaigns.models import CampaignDepartment

    return CampaignDepartment.objects.filter(department=department).values("campaign_id")


def campaign_list_for(user, params=None, *, search: str = ""):
    """The campaigns ``user`` may see, filtered; with their status and counts annotated."""
    qs = Campaign.objects.for_action(user, "campaigns.view").with_status().select_related("region")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    filterset = CampaignFilterSet(params or None, queryset=qs)
    return annotate_counts(filterset.qs).order_by("-start_date", "-pk"), filterset


def annotate_counts(qs):
    links = CampaignInspection.objects.filter(campaign=OuterRef("pk")).exclude(
        inspection__status=InspectionStatus.CANCELLED
    )
    return qs.annotate(
        inspection_count=Subquery(
            links.order_by().values("campaign").annotate(n=Count("pk")).values("n")[:1]
        ),
        participant_count=Count("participants", distinct=True),
    )


# --- The tally -----------------------------------------------------------------------------------


@dataclass
class TallyRow:
    category: str
    label: str
    units: int = 0
    visits: int = 0
    hazards_found: int = 0
    hazards_rectified: int = 0

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "label": self.label,
            "units": self.units,
            "visits": self.visits,
            "hazards_found": self.hazards_found,
            "hazards_rectified": self.hazards_rectified,
        }


@dataclass
class Tally:
    rows: list[TallyRow] = field(default_factory=list)
    total: TallyRow | None = None
    sentence: str = ""


def _links(campaign: Campaign):
    return CampaignInspection.objects.filter(campaign=campaign).exclude(
        inspection__status=InspectionStatus.CANCELLED
    )


def campaign_tally(campaign: Campaign) -> Tally:
    """Units checked (distinct), visits, hazards found and rectified, per covered category."""
    links = _links(campaign)
    per_category = {
        row["category"]: row
        for row in links.order_by()
        .values("category")
        .annotate(units=Count("inspection__unit_id", distinct=True), visits=Count("pk"))
    }
    category_of = CampaignInspection.objects.filter(
        campaign=campaign, inspection_id=OuterRef("inspection_id")
    ).values("category")[:1]
    hazards = {
        row["category"]: row
        for row in InspectionResult.objects.filter(
            inspection_id__in=links.values("inspection_id"),
            hazard__status__in=COUNTED_HAZARDS,
        )
        .annotate(category=Subquery(category_of))
        .order_by()
        .values("category")
        .annotate(
            found=Count("hazard_id", distinct=True),
            rectified=Count(
                "hazard_id", filter=Q(hazard__status=HazardStatus.CLOSED), distinct=True
            ),
        )
    }
    overall = links.aggregate(units=Count("inspection__unit_id", distinct=True), visits=Count("pk"))
    categories = list(campaign.categories) + sorted(
        (set(per_category) | set(hazards)) - set(campaign.categories)
    )
    rows = []
    for category in categories:
        counted, found = per_category.get(category, {}), hazards.get(category, {})
        rows.append(
            TallyRow(
                category=category,
                label=choice_label(CampaignCategory, category),
                units=counted.get("units", 0),
                visits=counted.get("visits", 0),
                hazards_found=found.get("found", 0),
                hazards_rectified=found.get("rectified", 0),
            )
        )
    total = TallyRow(
        category="",
        label=_("All categories"),
        units=overall["units"] or 0,
        visits=overall["visits"] or 0,
        hazards_found=sum(r.hazards_found for r in rows),
        hazards_rectified=sum(r.hazards_rectified for r in rows),
    )
    return Tally(rows=rows, total=total, sentence=report_sentence(rows, total))


# How the town's report names each category with its count (measure words in Chinese).
CATEGORY_PHRASES = {
    CampaignCategory.PETROL_STATION: gettext_lazy("petrol stations: %(n)s"),
    CampaignCategory.HAZ_CHEM: gettext_lazy("hazardous-chemical units: %(n)s"),
    CampaignCategory.MACHINING: gettext_lazy("machining enterprises: %(n)s"),
    CampaignCategory.CONSTRUCTION: gettext_lazy("construction sites: %(n)s"),
    CampaignCategory.GAS: gettext_lazy("gas supply and use points: %(n)s"),
    CampaignCategory.HOUSING: gettext_lazy("dilapidated and rental houses: %(n)s"),
    CampaignCategory.STREET_SHOP: gettext_lazy("street shops: %(n)s"),
    CampaignCategory.SMALL_VENUE: gettext_lazy("small eateries, workshops and stores: %(n)s"),
    CampaignCategory.FIREWORKS: gettext_lazy("fireworks retailers: %(n)s"),
    CampaignCategory.FIRE_KEY: gettext_lazy("fire safety key units: %(n)s"),
    CampaignCategory.RESERVOIR: gettext_lazy("ponds and reservoirs: %(n)s"),
}


def report_sentence(rows: list[TallyRow], total: TallyRow) -> str:
    """The sentence of the town's report, built from the numbers."""
    parts = [
        str(CATEGORY_PHRASES[r.category]) % {"n": r.units}
        for r in rows
        if r.units and r.category in CATEGORY_PHRASES
    ]
    if not parts:
        return _("No unit has been checked in this campaign yet.")
    listed = pgettext("list of counts", "; ").join(parts)
    if total.hazards_found == total.hazards_rectified:
        return _("Checked %(list)s; in all %(n)s hazards found and rectified.") % {
            "list": listed,
            "n": total.hazards_found,
        }
    return _(
        "Checked %(list)s; in all %(found)s hazards found, %(rectified)s of them rectified."
    ) % {"list": listed, "found": total.hazards_found, "rectified": total.hazards_rectified}


# --- Linked inspections --------------------------------------------------------------------------


def campaign_inspections(campaign: Campaign):
    """The campaign's inspections with the unit, the date and their own hazard counts (what a
    department officer may see of them)."""
    found = Q(inspection__results__hazard__status__in=COUNTED_HAZARDS)
    return (
        CampaignInspection.objects.filter(campaign=campaign)
        .select_related("inspection__unit", "inspection__lead")
        .annotate(
            hazards_found=Count("inspection__results__hazard", filter=found, distinct=True),
            hazards_rectified=Count(
                "inspection__results__hazard",
                filter=Q(inspection__results__hazard__status=HazardStatus.CLOSED),
                distinct=True,
            ),
        )
        .order_by("-inspection__started_at", "pk")
    )


__all__ = [
    "CampaignFilterSet",
    "Tally",
    "TallyRow",
    "annotate_counts",
    "campaign_inspections",
    "campaign_list_for",
    "campaign_tally",
    "report_sentence",
]
