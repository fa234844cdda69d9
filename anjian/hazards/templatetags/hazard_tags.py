"""Presentation of the hazard loop in templates: the timeline's phrases and the badge colours.

No business logic here (style.md §0.3): these only choose words and CSS classes.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from anjian.hazards.choices import HazardStatus

register = template.Library()

# One readable phrase per timeline event type (``HazardEvent.type``): "<who> <phrase>".
# Every action of ``workflow.TRANSITIONS`` has its ``hazard.<action>`` here (a test checks it).
EVENT_LABELS = {
    "hazard.recorded": _("recorded the hazard"),
    "hazard.major_reported": _("reported it as a major hazard to the town office and leaders"),
    "hazard.edited": _("corrected the facts of the hazard"),
    "hazard.photos_added": _("added photos as found"),
    "hazard.order": _("ordered rectification within a deadline"),
    "hazard.rectify_on_spot": _("rectified it on the spot"),
    "hazard.submit": _("submitted the rectification for re-check"),
    "hazard.pass": _("re-checked it: passed, struck off"),
    "hazard.fail": _("re-checked it: failed, to be rectified again"),
    "hazard.spot_confirm": _("confirmed the on-the-spot rectification"),
    "hazard.spot_reject": _("found the on-the-spot rectification not acceptable"),
    "hazard.request_extension": _("asked for an extension of the deadline"),
    "hazard.approve_extension": _("approved the extension"),
    "hazard.reject_extension": _("refused the extension"),
    "hazard.cancel": _("cancelled the hazard"),
    "hazard.reopen": _("reopened the hazard"),
    "hazard.submit_plan": _("submitted the governance plan"),
    "hazard.approve_plan": _("approved the governance plan"),
    "hazard.reject_plan": _("returned the governance plan for revision"),
    "hazard.set_interim_measures": _("recorded the interim measures"),
    "hazard.list_for_supervision": _("listed it for supervision (挂牌督办)"),
    "hazard.record_assessment": _("recorded the assessment of the remediation"),
    "hazard.apply_resumption": _("applied to resume production"),
    "hazard.approve_resumption": _("allowed production to resume"),
    "hazard.reject_resumption": _("refused the resumption of production"),
    "hazard.approve_closure": _("approved the closure as the listing authority"),
    "hazard.request_downgrade": _("asked a leader to downgrade it to an ordinary hazard"),
    "hazard.approve_downgrade": _("approved the downgrade: now an ordinary hazard"),
    "hazard.refuse_downgrade": _("refused the downgrade: it stays a major hazard"),
    # Sent by the deadline reminders and the overdue escalation.
    "hazard.reminded": _("reminder of the deadline sent"),
    "hazard.reminder_due_soon": _("reminder sent: the deadline is in 3 working days"),
    "hazard.reminder_due_today": _("reminder sent: the deadline is today"),
    "hazard.reminder_overdue": _("reminder sent: the deadline has passed"),
    "hazard.reminder_overdue_leaders": _("overdue 7 working days: the leaders were told"),
    "hazard.escalated": _("overdue: escalated to the town office and leaders"),
}
OTHER_EVENT = _("recorded an event")

STATUS_BADGES = {
    HazardStatus.FOUND: "text-bg-warning",
    HazardStatus.RECTIFYING: "text-bg-primary",
    HazardStatus.SUBMITTED: "text-bg-info",
    HazardStatus.CLOSED: "text-bg-success",
    HazardStatus.CANCELLED: "text-bg-secondary",
}


def event_phrase(event_type: str, data: dict | None = None) -> str:
    """The phrase of one event type; a reminder (``hazard.reminded``) says which one it was."""
    if event_type == "hazard.reminded" and (data or {}).get("kind"):
        specific = EVENT_LABELS.get(f"hazard.reminder_{data['kind']}")
        if specific is not None:
            return str(specific)
    return str(EVENT_LABELS.get(event_type, OTHER_EVENT))


@register.filter
def event_label(event) -> str:
    """A HazardEvent (or its type) → "ordered rectification within a deadline" (translated)."""
    if isinstance(event, str):
        return event_phrase(event)
    return event_phrase(event.type, event.data)


@register.filter
def hazard_field_label(name: str) -> str:
    """A hazard field's name → its label, for the changes a correction lists."""
    from django.core.exceptions import FieldDoesNotExist

    from anjian.hazards.models import Hazard

    try:
        return str(Hazard._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def person(user) -> str:
    """A user's name as people read it (the user name when no name is set)."""
    if user is None:
        return ""
    return getattr(user, "name", "") or getattr(user, "username", "")
