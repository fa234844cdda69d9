"""Reads of the Region tree, always scoped."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from anjian.regions.models import Region


@dataclass
class Crumb:
    region: Region
    visible: bool


def region_breadcrumb(user, region: Region) -> list[Crumb]:
    """The ancestors from the root down; ``visible`` says whether the user may open each one.

    The names of the divisions above are public facts; only links are limited to the user's scope.
    """
    ancestors = region.ancestors()
    visible = set(
        Region.objects.for_action(user, "regions.view")
        .filter(pk__in=[r.pk for r in ancestors])
        .values_list("pk", flat=True)
    )
    return [Crumb(r, r.pk in visible) for r in ancestors]


def region_children_for(user, region: Region):
    return Region.objects.for_action(user, "regions.view").filter(parent=region).order_by("code")


def region_unit_counts(user, region: Region, children) -> tuple[int, dict[int, int]]:
    """How many units the user may see below ``region`` in total and below each child.

    One query whatever the size of the tree: units counted per village path, then summed by prefix.
    """
    from anjian.units.models import Unit  # the region page shows what lies below it

    per_path = dict(
        Unit.objects.visible_to(user)
        .filter(region__path__startswith=region.path)
        .order_by()
        .values("region__path")
        .annotate(n=Count("id"))
        .values_list("region__path", "n")
    )
    total = sum(per_path.values())
    by_child = {
        child.pk: sum(n for path, n in per_path.items() if path.startswith(child.path))
        for child in children
    }
    return total, by_child
