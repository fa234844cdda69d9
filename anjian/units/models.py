"""Supervised units (监管对象): the core on which the units issue builds the register (一企一档)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.models import TimeStampedModel
from anjian.core.scoping import ScopedQuerySet


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    STREET_SHOP = "street_shop", _("Street shop")
    SMALL_VENUE = "small_venue", _("Small eatery, workshop or store")
    CONSTRUCTION = "construction", _("Construction project")
    GAS_POINT = "gas_point", _("Gas supply point")
    PETROL_STATION = "petrol_station", _("Petrol station")
    HOUSING = "housing", _("Dilapidated or rental house")
    CROWDED_VENUE = "crowded_venue", _("Crowded venue")
    RESERVOIR = "reservoir", _("Pond or small reservoir")
    FIREWORKS_SHOP = "fireworks_shop", _("Fireworks shop")


class UnitStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    MOVED = "moved", _("Moved away")


class UnitQuerySet(ScopedQuerySet):
    scope_path = "region__path"
    scope_unit = "id"
    scope_committee = "committee_id"


class Unit(TimeStampedModel):
    """One supervised unit, placed in a village or community of a town."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.ENTERPRISE
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    committee = models.ForeignKey(
        "teams.Committee",
        verbose_name=_("sector committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.OPERATING
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervised unit")
        verbose_name_plural = _("supervised units")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UnitStatus.values), name="unit_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
