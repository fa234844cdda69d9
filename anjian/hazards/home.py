"""The hazard figures of the home page's cards (``anjian.core.home`` calls ``hazard_cards``).

One aggregate query for the figures of a role's scope, plus one for the re-check queue where the
role re-checks: the home page stays at a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import url_or_none
from anjian.hazards.choices import OPEN_STATUSES, HazardLevel, HazardStatus
from anjian.hazards.filters import Queue, queue_filter
from anjian.hazards.models import ExtensionRequest, Hazard, overdue_q
from anjian.units.models import Unit

# Which figures each role's home shows, in order: (figure, title, queue of the list it opens).
FIGURES = {
    "open": (_("Open hazards"), Queue.OPEN),
    "overdue": (_("Overdue hazards"), Queue.OVERDUE),
    "major": (_("Major hazards, open"), Queue.MAJOR),
    "recheck": (_("Awaiting my re-check"), Queue.RECHECK),
    "extensions": (_("Extension requests to decide"), Queue.EXTENSIONS),
    "listed": (_("Listed for supervision"), Queue.MAJOR),
}
ROLE_FIGURES = {
    "town_office": ("recheck", "overdue", "extensions", "major"),
    "inspector": ("recheck", "overdue", "open"),
    "leader": ("open", "overdue", "major", "listed"),
    "committee_member": ("open", "overdue", "major"),
    "village_officer": ("open", "overdue"),
    "expert": ("recheck", "open", "overdue"),
    "enterprise": ("open", "overdue"),
    "department": (),
    "district": ("open", "overdue", "major", "listed"),
}


def hazard_figures(user, units_q: Q, wanted: tuple[str, ...]) -> dict[str, int]:
    """The figures ``wanted`` over the hazards of the units matching ``units_q`` that ``user``
    sees."""
    if not wanted:
        return {}
    today = timezone.localdate()
    qs = Hazard.objects.visible_to(user).filter(unit__in=Unit.objects.filter(units_q))
    open_q = Q(status__in=OPEN_STATUSES)
    counts = {
        "open": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=overdue_q(today)),
        "major": Count("pk", filter=open_q & Q(level=HazardLevel.MAJOR)),
        "listed": Count("pk", filter=open_q & ~Q(listing_level="")),
        # A pending request as EXISTS, not a join: one row per hazard, no DISTINCT over the scope.
        "extensions": Count(
            "pk",
            filter=Q(status=HazardStatus.RECTIFYING)
            & Q(
                Exists(ExtensionRequest.objects.filter(hazard_id=OuterRef("pk"), status="pending"))
            ),
        ),
    }
    if "recheck" in wanted:
        # The same rule as the "awaiting my re-check" list, as a subquery of the one aggregate.
        recheck = queue_filter(Hazard.objects.all(), user, Queue.RECHECK).values("pk")
        counts["recheck"] = Count("pk", filter=Q(pk__in=recheck))
    figures: dict[str, Any] = qs.aggregate(**{k: v for k, v in counts.items() if k in wanted})
    return {key: figures.get(key) or 0 for key in wanted}


def hazard_cards(user, role: str, units_q: Q, card_class) -> list:
    """The role's hazard cards (``card_class`` is ``anjian.core.home.Card``)."""
    wanted = ROLE_FIGURES.get(role, ())
    figures = hazard_figures(user, units_q, wanted)
    base = url_or_none("hazards:hazard_list")
    cards = []
    for key in wanted:
        title, queue = FIGURES[key]
        cards.append(
            card_class(
                title=title,
                value=figures[key],
                url=f"{base}?queue={queue}" if base else None,
                testid=f"hazards-{key}",
            )
        )
    return cards
