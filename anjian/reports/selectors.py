"""Reads of the reports: meetings, always through ``AnalysisMeeting.objects.for_action``."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from anjian.reports.models import AnalysisMeeting

VIEW = "reports.view"


def meetings_for(user, *, search: str = ""):
    qs = AnalysisMeeting.objects.for_action(user, VIEW).select_related("region", "created_by")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(notes__icontains=search))
    return qs.order_by("-held_on", "-pk")


def meeting_get_for(user, meeting_id: int) -> AnalysisMeeting:
    meeting = meetings_for(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting
