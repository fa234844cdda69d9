"""The record of each backup archive: what the system page and the API show.

A backup is about the whole installation, not about a region: a ``Backup`` has no region and its
queryset lets every holder of the action see every row (the roles that run the installation)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import get_scope


class BackupStatus(models.TextChoices):
    OK = "ok", _("Written")
    FAILED = "failed", _("Failed")


class BackupQuerySet(models.QuerySet):
    """All rows for a user whose roles grant ``action``, none otherwise (nothing to scope by)."""

    def for_action(self, user: Any, action: str = "backups.view") -> BackupQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.all() if get_scope(user).can(action) else self.none()

    def good(self) -> BackupQuerySet:
        return self.filter(status=BackupStatus.OK, check_passed=True, pruned_at__isnull=True)


class Backup(models.Model):
    name = models.CharField(_("name"), max_length=100)
    path = models.CharField(_("file"), max_length=500, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    engine = models.CharField(_("database"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=BackupStatus.choices, default=BackupStatus.OK
    )
    check_passed = models.BooleanField(_("check passed"), default=False)
    message = models.TextField(_("message"), blank=True)
    copied_to = models.CharField(_("copied to"), max_length=500, blank=True)
    tables = models.PositiveIntegerField(_("tables"), default=0)
    rows = models.BigIntegerField(_("rows"), default=0)
    files = models.PositiveIntegerField(_("files"), default=0)
    created_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pruned_at = models.DateTimeField(_("removed by the retention rule at"), null=True, blank=True)

    objects = BackupQuerySet.as_manager()

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.created_at).total_seconds(), 1)
