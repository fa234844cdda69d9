"""Vocabularies of the annual inspection plan: stable lowercase values, translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.inspections.choices import InspectionKind


class PlanStatus(models.TextChoices):
    """A draft may be generated again; a published plan changes only by reassignment."""

    DRAFT = "draft", _("Draft plan")
    PUBLISHED = "published", _("Published plan")


class TaskState(models.TextChoices):
    """Derived from the linked inspection and the due date, never stored."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("Being inspected")
    DONE = "done", _("Done")
    LATE = "late", _("Late")


# The kinds of inspection a plan schedules (joint enforcement belongs to campaigns).
PLAN_KINDS = (
    InspectionKind.TOWN_INSPECTION,
    InspectionKind.EXPERT_CHECK,
    InspectionKind.VILLAGE_PATROL,
)
PLAN_KIND_CHOICES = [(str(k), k.label) for k in PLAN_KINDS]

# How often in a year: the values the frequency settings offer.
VISIT_CHOICES = [
    (0, _("Not planned")),
    (1, _("Once a year")),
    (2, _("Half-yearly")),
    (3, _("Every four months")),
    (4, _("Quarterly")),
    (6, _("Every two months")),
    (12, _("Monthly")),
]
VISIT_VALUES = frozenset(v for v, _label in VISIT_CHOICES)

DEFAULT_RANDOM_SHARE = 20  # per cent of the units that are not key units (双随机)
