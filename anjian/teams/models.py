"""The town's work-safety committee (安委会) and its specialised committees (专委会): "1+X"."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet


class CommitteeKind(models.TextChoices):
    MAIN = "main", _("Work-safety committee")
    SPECIALISED = "specialised", _("Specialised committee")


class CommitteeQuerySet(ScopedQuerySet):
    scope_path = "region__path"
    scope_committee = "id"
    view_action = "teams.view"


class Committee(models.Model):
    """The 安委会 of a town (kind ``main``) or one of its specialised committees (``parent``
    set)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="committees",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CommitteeKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent committee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    sectors = models.TextField(_("sectors covered"), blank=True)
    lead_name = models.CharField(_("lead"), max_length=50, blank=True)
    lead_title = models.CharField(_("lead's post"), max_length=50, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["region", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="committee_unique_name_per_town"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="main", parent__isnull=True)
                | models.Q(kind="specialised", parent__isnull=False),
                name="committee_specialised_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
