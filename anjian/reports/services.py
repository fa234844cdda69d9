"""Writes of the reports: recording an analysis meeting (the only writer of ``AnalysisMeeting``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.core.scoping import get_scope
from anjian.regions.models import Region, RegionLevel
from anjian.reports.models import AnalysisMeeting
from anjian.stats.periods import Period

MANAGE = "reports.manage_meetings"
MAX_TITLE = 120


def meeting_towns_for(user):
    """The towns ``user`` may record meetings of."""
    return Region.objects.for_action(user, MANAGE).filter(level=RegionLevel.TOWN).order_by("code")


@transaction.atomic
def meeting_create(
    *,
    actor,
    held_on: datetime.date,
    period: Period,
    region_id: int | None = None,
    title: str = "",
    notes: str = "",
) -> AnalysisMeeting:
    """Record a meeting of a town the actor may record meetings of (their own when they have one)."""
    if not get_scope(actor).can(MANAGE):
        raise PermissionDenied(_("Your roles do not include recording analysis meetings."))
    towns = list(meeting_towns_for(actor))
    if region_id is None:
        if len(towns) != 1:
            raise ValidationError({"region": [_("Choose the town of the meeting.")]})
        town = towns[0]
    else:
        town = next((t for t in towns if t.pk == region_id), None)
        if town is None:
            raise ValidationError({"region": [_("Choose a town whose meetings you may record.")]})
    if held_on is None:
        raise ValidationError({"held_on": [_("Enter the day of the meeting.")]})
    title = (title or "").strip() or _("%(town)s safety situation analysis meeting, %(day)s") % {
        "town": town.name,
        "day": held_on.isoformat(),
    }
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": [_("Keep the title under 120 characters.")]})
    meeting = AnalysisMeeting(
        region=town,
        held_on=held_on,
        title=title,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.last_day,
        notes=(notes or "").strip(),
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    audit_record(
        actor=actor,
        action="analysis_meeting.recorded",
        obj=meeting,
        region_id=town.pk,
        after={
            "held_on": held_on.isoformat(),
            "period": period.params(),
            "title": title,
        },
    )
    return meeting
