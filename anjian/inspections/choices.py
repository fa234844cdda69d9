"""Vocabularies of checklists and inspections: stable lowercase values, translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    """A draft may change; a published version never does (inspections keep the one they used)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished and locked")
    CANCELLED = "cancelled", _("Cancelled")


class InspectionKind(models.TextChoices):
    """Who inspects, as the hazard loop records the source of what is found."""

    TOWN_INSPECTION = "town_inspection", _("Town inspection")
    EXPERT_CHECK = "expert_check", _("Expert check")
    VILLAGE_PATROL = "village_patrol", _("Village patrol")
    JOINT_ENFORCEMENT = "joint_enforcement", _("Joint enforcement")


class ItemResult(models.TextChoices):
    UNCHECKED = "unchecked", _("Not yet checked")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")
