"""Choices of the enforcement cases (立案查处): stages and the kind of party."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStage(models.TextChoices):
    OPENED = "opened", _("Opened, awaiting approval (立案待批)")
    INVESTIGATING = "investigating", _("Investigating (调查取证)")
    NOTIFIED = "notified", _("Party notified (已告知)")
    DECIDED = "decided", _("Decided (已决定)")
    EXECUTED = "executed", _("Executed (已执行)")
    CLOSED = "closed", _("Closed (已结案)")
    TRANSFERRED = "transferred", _("Transferred (已移送)")
    WITHDRAWN = "withdrawn", _("Withdrawn (已撤销)")


# Stages in which the decision is still to be made (the 30/90-day decision deadline runs).
BEFORE_DECISION = frozenset({CaseStage.OPENED, CaseStage.INVESTIGATING, CaseStage.NOTIFIED})
FINAL_STAGES = frozenset({CaseStage.CLOSED, CaseStage.TRANSFERRED, CaseStage.WITHDRAWN})


class PartyType(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation (单位)")
    INDIVIDUAL = "individual", _("Individual (个人)")


class ProvisionKind(models.TextChoices):
    """A penalty provision (罚则) sets the sanction a case decides on; a duty article (义务条款)
    states what a unit must do, is what a checklist item cites, and has no fine of its own."""

    PENALTY = "penalty", _("Penalty provision (罚则)")
    DUTY = "duty", _("Duty article (义务条款)")
