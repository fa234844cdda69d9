"""Reads of committees, always scoped."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from anjian.teams.models import Committee


def committee_decorate(qs):
    """With the town, the parent and ``direct_units``; main committees first in each town."""
    return (
        qs.select_related("region", "parent")
        .annotate(direct_units=Count("units", distinct=True))
        .order_by("region__code", "kind", "sort_order", "pk")
    )


def committee_list_for(user, action: str = "teams.view"):
    """Committees the user may see (see ``committee_decorate``)."""
    return committee_decorate(Committee.objects.for_action(user, action))


def committee_children_for(user, committee: Committee):
    return committee_list_for(user).filter(parent=committee)


def committee_attach_unit_counts(committees: Iterable[Committee]) -> None:
    """Set ``unit_count`` on each committee (annotated with ``direct_units``): its own units plus
    those of its specialised committees. One query, whatever the number of committees."""
    committees = list(committees)
    below = dict(
        Committee.objects.filter(parent__in=[c.pk for c in committees])
        .order_by()
        .values("parent_id")
        .annotate(n=Count("units"))
        .values_list("parent_id", "n")
    )
    for committee in committees:
        committee.unit_count = committee.direct_units + below.get(committee.pk, 0)
