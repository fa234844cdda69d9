"""The administrative Region tree: province > city > district > town/street > village/community."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    TOWN = "town", _("Town or street")
    VILLAGE = "village", _("Village or community")


LEVEL_ORDER = [
    RegionLevel.PROVINCE,
    RegionLevel.CITY,
    RegionLevel.DISTRICT,
    RegionLevel.TOWN,
    RegionLevel.VILLAGE,
]
# How many leading digits of the 12-digit statistical code a level owns (GB/T 2260 + 3 + 3).
CODE_DIGITS = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.DISTRICT: 6,
    RegionLevel.TOWN: 9,
    RegionLevel.VILLAGE: 12,
}


class RegionQuerySet(ScopedQuerySet):
    scope_path = "path"

    def towns(self) -> RegionQuerySet:
        return self.filter(level=RegionLevel.TOWN)

    def villages(self) -> RegionQuerySet:
        return self.filter(level=RegionLevel.VILLAGE)


def parent_path(path: str) -> str:
    """The path of a region's parent, read from the region's own path (``/…/town/village/`` →
    ``/…/town/``): no query."""
    return path[: path.rstrip("/").rfind("/") + 1]


class Region(models.Model):
    """One administrative division, identified by its 12-digit statistical code (统计用区划代码).

    ``path`` is the materialised chain of codes from the root (``/330000000000/330100000000/…/``),
    so that a subtree is one indexed ``path__startswith`` filter, portable to SQLite and PostgreSQL.
    """

    code = models.CharField(_("statistical code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    is_community = models.BooleanField(
        _("community (居委会)"),
        default=False,
        help_text=_("For the village level: a community rather than a village."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=200, unique=True, editable=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=RegionLevel.values), name="region_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names = [r.name for r in self.ancestors()] + [self.name]
        return "".join(names)

    def ancestors(self) -> list[Region]:
        """Ancestors from the root down, in one query."""
        codes = [c for c in self.path.strip("/").split("/")[:-1] if c]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def town(self) -> Region | None:
        """The town this region lies in (itself for a town)."""
        if self.level == RegionLevel.TOWN:
            return self
        if self.level == RegionLevel.VILLAGE:
            return self.parent
        return None
