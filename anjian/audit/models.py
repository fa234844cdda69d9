"""The append-only, hash-chained audit record (style.md §8)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet


class AuditEntryQuerySet(ScopedQuerySet):
    scope_path = "region__path"


class AuditEntry(models.Model):
    """One change, log-in or read that matters. Never updated or deleted by the application.

    ``entry_hash`` is SHA-256 over the entry's canonical content and ``prev_hash``, the hash of the
    entry before it, so that changing or removing any entry breaks the chain at that point.
    """

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # The id stays as written (it is part of the hash): deleting the row it points to must not
        # rewrite history, so no database constraint and no cascade.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=120, blank=True)
    actor_roles = models.CharField(_("actor roles"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        # The id stays as written (it is part of the hash): deleting the row it points to must not
        # rewrite history, so no database constraint and no cascade.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    request_id = models.UUIDField(_("request id"), db_index=True)
    source = models.CharField(_("source"), max_length=10, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        null=True,
        blank=True,
        # The id stays as written (it is part of the hash): deleting the row it points to must not
        # rewrite history, so no database constraint and no cascade.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_repr}"


class AuditChainHead(models.Model):
    """The single row holding the chain's last entry: the lock that serialises writers and the
    anchor that reveals a removed last entry."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(_("last entry"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default="0" * 64)
    entries = models.BigIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.entries} entries"
