"""The stable vocabularies of the hazard loop: lowercase English values, translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HazardStatus(models.TextChoices):
    """Where a hazard stands. "Overdue" is not a state: it is derived from the deadline."""

    FOUND = "found", _("Found, awaiting an order")
    RECTIFYING = "rectifying", _("Under rectification")
    SUBMITTED = "submitted", _("Rectification submitted, awaiting re-check")
    CLOSED = "closed", _("Closed (struck off)")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (HazardStatus.FOUND, HazardStatus.RECTIFYING, HazardStatus.SUBMITTED)


class HazardLevel(models.TextChoices):
    """The legal level (Order 16 Art 3): fixed; a configurable sub-grade may refine it."""

    GENERAL = "general", _("Ordinary hazard (一般事故隐患)")
    MAJOR = "major", _("Major hazard (重大事故隐患)")


class HazardType(models.TextChoices):
    UNSAFE_CONDITION = "unsafe_condition", _("Unsafe physical condition")
    UNSAFE_ACT = "unsafe_act", _("Unsafe act")
    MANAGEMENT = "management", _("Management defect")


class HazardCategory(models.TextChoices):
    FIRE = "fire", _("Fire safety")
    ELECTRICAL = "electrical", _("Electrical")
    MACHINERY = "machinery", _("Machinery guarding")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")
    HAZARDOUS_CHEMICALS = "haz_chem", _("Hazardous chemicals")
    DUST = "dust", _("Combustible dust")
    CONFINED_SPACE = "confined_space", _("Confined space")
    HEIGHT = "height", _("Work at height")
    GAS = "gas", _("Gas")
    BUILDING = "building", _("Buildings and premises")
    SITE = "site", _("Site and workplace environment")
    PROTECTIVE_EQUIPMENT = "ppe", _("Personal protective equipment")
    MANAGEMENT = "management", _("Safety management")
    TRAINING = "training", _("Training and certificates")
    EMERGENCY = "emergency", _("Emergency preparedness")
    OTHER = "other", _("Other")


class HazardSource(models.TextChoices):
    SELF_CHECK = "self_check", _("Enterprise self-check")
    TOWN_INSPECTION = "town_inspection", _("Town inspection")
    EXPERT_CHECK = "expert_check", _("Expert check")
    VILLAGE_PATROL = "village_patrol", _("Village patrol")
    JOINT_ENFORCEMENT = "joint_enforcement", _("Joint enforcement")
    TIP_OFF = "tip_off", _("Public tip-off")
    ASSIGNED = "assigned", _("Assigned from above")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("As found")
    AFTER = "after", _("After rectification")
    EVIDENCE = "evidence", _("Other evidence")


class ReportOutcome(models.TextChoices):
    PENDING = "pending", _("Awaiting re-check")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Returned for revision")


class ListingLevel(models.TextChoices):
    """Who listed a major hazard for supervision (挂牌督办) and so must approve its closure."""

    TOWN = "town", _("Town government")
    DISTRICT = "district", _("District")


class AssessmentConclusion(models.TextChoices):
    PASSED = "passed", _("Remediated: meets the requirements")
    FAILED = "failed", _("Not yet remediated")


class ResumptionDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Resumption allowed")
    REJECTED = "rejected", _("Resumption refused")


class DeadlineMode(models.TextChoices):
    CALENDAR = "calendar", _("A calendar date")
    WORKING_DAYS = "working_days", _("Working days")


class ReminderKind(models.TextChoices):
    """Deadline reminders and overdue escalation (each sent once per hazard and deadline)."""

    DUE_SOON = "due_soon", _("Deadline in 3 working days")
    DUE_TODAY = "due_today", _("Deadline today")
    OVERDUE = "overdue", _("Overdue")
    OVERDUE_LEADERS = "overdue_leaders", _("Overdue 7 working days")


class MonthlyReportKind(models.TextChoices):
    HAZARDS = "hazards", _("Hazards found and rectified")
    NONE_FOUND = "none_found", _("No hazard found (signed statement)")


class TipOffStatus(models.TextChoices):
    NEW = "new", _("Received, awaiting triage")
    ACCEPTED = "accepted", _("Accepted as a hazard")
    DISMISSED = "dismissed", _("Dismissed")


class StatementPeriod(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
