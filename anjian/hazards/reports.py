"""Monthly self-inspection reports (月报) and the Order 16 Art 14 statistics statements.

**Monthly report.** Each month an enterprise unit reports its self-inspection: either the hazards
found or rectified that month (linked to the hazard records), or a signed statement that none was
found. Rules (``monthly_report_submit``):

- only a user holding ``hazards.report_monthly`` for the unit (its enterprise users) submits;
- the month is the current month or a past one, at most ``MAX_MONTHS_BACK`` months back;
- "hazards" links at least one hazard of the unit found, or closed, in that month;
- "none found" is a signed statement (the signer's name is required) and is refused while the
  records show a hazard found at the unit that month by its own self-check (they are named);
- one report per unit and month. A second submit is refused unless it is sent as a correction
  (``replace=True``), which replaces the first report and is audited with the old and the new
  content; corrections are accepted until the ``CORRECTION_DAY``-th of the following month. This
  keeps one report per month (no versions to compare) while letting a unit fix a mistake before
  the office compiles the month.

Who must report: operating units of the kind "enterprise" that were registered before the month
ended (``monthly_expected_units``). The office follows up with ``hazards.follow_reports``: the
month's overview, the missing units, one reminder per unit and month, and the Excel export.

**Statistics statement** (Order 16 Art 14): see ``anjian.hazards.report_statements``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.audit.services import audit_record, snapshot
from anjian.core.export import Column, workbook_bytes
from anjian.hazards.choices import (
    HazardSource,
    HazardStatus,
    MonthlyReportKind,
)
from anjian.hazards.models import (
    Hazard,
    MonthlyReport,
)
from anjian.hazards.report_statements import (
    FOLLOW,
    MAX_NAME,
    REPORT,
    VIEW,
    local_start,
    unit_get_for,
)
from anjian.units.models import Unit, UnitKind, UnitStatus

MAX_MONTHS_BACK = 24  # a report older than two years is not a monthly report any more
CORRECTION_DAY = 10  # a report may be corrected until the 10th of the following month
REMINDER_LAST_DAY = 5  # the automatic reminder goes out on the 1st–5th (once: dedupe key)
MAX_CHECKS = 999
MAX_NOTE = 2000

MONTHLY_AUDIT_FIELDS = ["unit", "month", "kind", "checks_done", "note", "signed_name"]


# --- Months ---------------------------------------------------------------------------------------


def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def parse_month(value: Any, field: str = "month") -> datetime.date:
    """The first day of the month given as a date, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if isinstance(value, datetime.datetime):
        return month_start(timezone.localdate(value) if timezone.is_aware(value) else value.date())
    if isinstance(value, datetime.date):
        return month_start(value)
    text = str(value or "").strip()
    try:
        if len(text) == 7:
            return datetime.date(int(text[:4]), int(text[5:7]), 1)
        return month_start(datetime.date.fromisoformat(text))
    except ValueError as exc:
        raise ValidationError({field: _("Give the month as YYYY-MM, e.g. 2026-03.")}) from exc


def month_label(month: datetime.date) -> str:
    return _("%(year)s-%(month)s") % {"year": month.year, "month": f"{month.month:02d}"}


def month_param(month: datetime.date) -> str:
    """The month as it travels in URLs and the API: ``YYYY-MM``."""
    return f"{month.year}-{month.month:02d}"


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the month in local time, as aware datetimes."""
    return local_start(month), local_start(next_month(month))


def correction_deadline(month: datetime.date) -> datetime.date:
    """The last day a report for ``month`` may be corrected."""
    return next_month(month).replace(day=CORRECTION_DAY)


def recent_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The current month and the ``count - 1`` before it, newest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months


def check_report_month(month: datetime.date, today: datetime.date) -> None:
    current = month_start(today)
    if month > current:
        raise ValidationError({"month": _("A monthly report cannot be made for a future month.")})
    oldest = current
    for _i in range(MAX_MONTHS_BACK):
        oldest = previous_month(oldest)
    if month < oldest:
        raise ValidationError(
            {
                "month": _("A monthly report can be made for the last %(n)s months only.")
                % {"n": MAX_MONTHS_BACK}
            }
        )


# --- Reads ------------------------------------------------------------------------------------


def reporting_units_for(user) -> QuerySet[Unit]:
    """The units ``user`` submits monthly reports for (an enterprise user: their own)."""
    return Unit.objects.for_action(user, REPORT).select_related("region").order_by("name", "pk")


def monthly_report_list_for(user, *, action: str = VIEW) -> QuerySet[MonthlyReport]:
    return (
        MonthlyReport.objects.for_action(user, action)
        .select_related("unit__region", "submitted_by")
        .annotate(hazards_count=Count("hazards", distinct=True))
    )


def monthly_report_get_for(user, report_id: int, *, action: str = VIEW) -> MonthlyReport:
    report = monthly_report_list_for(user, action=action).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def monthly_report_candidates(user, unit: Unit, month: datetime.date) -> QuerySet[Hazard]:
    """Hazards of ``unit`` (that ``user`` may see) found in ``month`` or closed (struck off) in
    ``month``; cancelled ones (entered in error) are left out. Offered pre-ticked on the form."""
    start, end = month_bounds(month)
    return (
        Hazard.objects.for_action(user, VIEW)
        .filter(unit=unit)
        .exclude(status=HazardStatus.CANCELLED)
        .filter(
            Q(found_at__gte=start, found_at__lt=end)
            | Q(status=HazardStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
        )
        .order_by("found_at", "pk")
    )


def self_found_hazards(unit: Unit, month: datetime.date) -> QuerySet[Hazard]:
    """Hazards the unit's own self-checks found in ``month`` (not cancelled): while there is one,
    the unit cannot state that it found none."""
    start, end = month_bounds(month)
    return (
        Hazard.objects.filter(
            unit=unit,
            source=HazardSource.SELF_CHECK,
            found_at__gte=start,
            found_at__lt=end,
        )
        .exclude(status=HazardStatus.CANCELLED)
        .order_by("found_at", "pk")
    )


def unit_month_reports(unit: Unit, months: Iterable[datetime.date]) -> dict:
    """{month: report} of the unit for the given months (one query)."""
    rows = (
        MonthlyReport.objects.filter(unit=unit, month__in=list(months))
        .select_related("submitted_by")
        .annotate(hazards_count=Count("hazards", distinct=True))
    )
    return {r.month: r for r in rows}


# --- Submitting a monthly report ----------------------------------------------------------------


def _clean_report_input(
    *, actor, kind, checks_done, note, signed_name, hazard_ids
) -> tuple[int, str, str, set[int]]:
    errors: dict[str, str] = {}
    if kind not in MonthlyReportKind.values:
        errors["kind"] = _("Choose what the report says: hazards, or none found.")
    try:
        checks = int(checks_done or 0)
        if not 0 <= checks <= MAX_CHECKS:
            raise ValueError
    except (TypeError, ValueError):
        errors["checks_done"] = _("Give the number of self-checks done (0 to 999).")
        checks = 0
    note = str(note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("The note may have at most 2000 characters.")
    signed_name = str(signed_name or "").strip()
    if kind == MonthlyReportKind.HAZARDS and not signed_name:
        signed_name = (getattr(actor, "name", "") or str(actor or "")).strip()
    if not signed_name:
        errors["signed_name"] = _("Sign the statement with your name.")
    elif len(signed_name) > MAX_NAME:
        errors["signed_name"] = _("The name may have at most 50 characters.")
    try:
        ids = {int(i) for i in hazard_ids or ()}
    except (TypeError, ValueError):
        errors["hazard_ids"] = _("Choose hazards from the list.")
        ids = set()
    if errors:
        raise ValidationError(errors)
    return checks, note, signed_name, ids


def _codes(hazards: Iterable[Hazard]) -> str:
    return "、".join(h.code for h in hazards)


def _linked_hazards(actor, unit, month, kind, ids: set[int]) -> list[Hazard]:
    if kind == MonthlyReportKind.NONE_FOUND:
        if ids:
            raise ValidationError(
                {"hazard_ids": _("A statement that no hazard was found lists no hazards.")}
            )
        found = list(self_found_hazards(unit, month))
        if found:
            raise ValidationError(
                {
                    "kind": _(
                        "The records show hazards found by your self-check in %(month)s: "
                        "%(codes)s. Report them instead of stating that none was found."
                    )
                    % {"month": month_label(month), "codes": _codes(found)}
                }
            )
        return []
    if not ids:
        raise ValidationError(
            {"hazard_ids": _("Choose at least one hazard found or rectified in the month.")}
        )
    hazards = list(monthly_report_candidates(actor, unit, month).filter(pk__in=sorted(ids)))
    unknown = ids - {h.pk for h in hazards}
    if unknown:
        raise ValidationError(
            {
                "hazard_ids": _(
                    "Only hazards of this unit found or closed in %(month)s can be reported "
                    "(not: %(ids)s)."
                )
                % {"month": month_label(month), "ids": ", ".join(str(i) for i in sorted(unknown))}
            }
        )
    return hazards


def monthly_report_snapshot(report: MonthlyReport) -> dict[str, Any]:
    data = snapshot(report, MONTHLY_AUDIT_FIELDS)
    data["hazards"] = sorted(report.hazards.values_list("pk", flat=True)) if report.pk else []
    return data


def _already_submitted(existing: MonthlyReport) -> str:
    return _(
        "The report for %(month)s was already submitted on %(date)s (signed by %(name)s). "
        "To change it, send it again as a correction."
    ) % {
        "month": month_label(existing.month),
        "date": timezone.localtime(existing.submitted_at).strftime("%Y-%m-%d %H:%M"),
        "name": existing.signed_name,
    }


@transaction.atomic
def monthly_report_submit(
    *,
    actor,
    unit_id: int,
    month: Any,
    kind: str,
    hazard_ids: Iterable[int] = (),
    checks_done: int = 0,
    note: str = "",
    signed_name: str = "",
    replace: bool = False,
) -> MonthlyReport:
    """Submit (or, with ``replace``, correct) the unit's monthly self-inspection report.

    See the module docstring for the rules. For "hazards" the signer defaults to the actor's name;
    for "none found" the name must be typed (it is a signed statement). Audited as
    ``monthly_report.submitted`` or ``monthly_report.corrected`` (with the previous content).
    """
    unit = unit_get_for(actor, unit_id, action=REPORT)
    month = parse_month(month)
    today = timezone.localdate()
    check_report_month(month, today)
    checks, note, signed_name, ids = _clean_report_input(
        actor=actor,
        kind=kind,
        checks_done=checks_done,
        note=note,
        signed_name=signed_name,
        hazard_ids=hazard_ids,
    )
    existing = MonthlyReport.objects.filter(unit=unit, month=month).first()
    if existing is not None:
        if not replace:
            raise ValidationError({"month": _already_submitted(existing)})
        if today > correction_deadline(month):
            raise ValidationError(
                {
                    "month": _(
                        "The report for %(month)s can no longer be corrected: corrections are "
                        "accepted until %(date)s."
                    )
                    % {"month": month_label(month), "date": correction_deadline(month).isoformat()}
                }
            )
    hazards = _linked_hazards(actor, unit, month, kind, ids)
    values = {
        "kind": kind,
        "checks_done": checks,
        "note": note,
        "signed_name": signed_name,
        "submitted_by": actor if getattr(actor, "pk", None) else None,
        "submitted_at": timezone.now(),
    }
    if existing is not None:
        before = monthly_report_snapshot(existing)
        for key, value in values.items():
            setattr(existing, key, value)
        existing.save(update_fields=[*values, "updated_at"])
        report, action = existing, "monthly_report.corrected"
    else:
        before = None
        report = MonthlyReport(unit=unit, month=month, **values)
        report.full_clean(exclude=["hazards"])
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError as exc:  # another user of the unit submitted the same month first
            existing = MonthlyReport.objects.get(unit=unit, month=month)
            raise ValidationError({"month": _already_submitted(existing)}) from exc
        action = "monthly_report.submitted"
    report.hazards.set(hazards)
    audit_record(
        actor=actor,
        action=action,
        obj=report,
        before=before,
        after=monthly_report_snapshot(report),
    )
    return report


# --- The office's follow-up ---------------------------------------------------------------------


def monthly_expected_units(user, month: datetime.date) -> QuerySet[Unit]:
    """Units in ``user``'s follow-up scope that owe a report for ``month``: operating units of
    the kind "enterprise" registered before the month ended."""
    _start, end = month_bounds(month)
    return Unit.objects.for_action(user, FOLLOW).filter(
        kind=UnitKind.ENTERPRISE, status=UnitStatus.OPERATING, created_at__lt=end
    )


def monthly_missing(user, month: Any) -> QuerySet[Unit]:
    """The units that owe a report for ``month`` and have not sent one (one query)."""
    month = parse_month(month)
    return (
        monthly_expected_units(user, month)
        .exclude(monthly_reports__month=month)
        .select_related("region")
        .order_by("region__code", "name", "pk")
    )


@dataclass(frozen=True)
class MonthOverview:
    month: datetime.date
    expected: int  # units that owe a report
    submitted: int  # reports received (from any unit in scope)
    with_hazards: int  # of which: reporting hazards
    none_found: int  # of which: signed "none found" statements
    missing: int  # units that owe a report and have not sent one

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def rate(self) -> float:
        """Share of the units that owe a report that have sent it, in percent (100 if none owe)."""
        if not self.expected:
            return 100.0
        return round(100 * (self.expected - self.missing) / self.expected, 1)


def monthly_overview(user, month: Any) -> MonthOverview:
    """The month at a glance for the office (three queries, whatever the number of units)."""
    month = parse_month(month)
    counts = (
        MonthlyReport.objects.for_action(user, FOLLOW)
        .filter(month=month)
        .aggregate(
            submitted=Count("pk"),
            with_hazards=Count("pk", filter=Q(kind=MonthlyReportKind.HAZARDS)),
            none_found=Count("pk", filter=Q(kind=MonthlyReportKind.NONE_FOUND)),
        )
    )
    return MonthOverview(
        month=month,
        expected=monthly_expected_units(user, month).count(),
        missing=monthly_missing(user, month).count(),
        **counts,
    )


def monthly_reports_of_month(user, month: Any) -> QuerySet[MonthlyReport]:
    """The reports received for ``month`` in ``user``'s follow-up scope."""
    month = parse_month(month)
    return (
        monthly_report_list_for(user, action=FOLLOW)
        .filter(month=month)
        .order_by("unit__region__code", "unit__name", "pk")
    )


def _enterprise_users(unit_ids: Iterable[int]) -> dict[int, list]:
    from anjian.accounts.models import RoleAssignment
    from anjian.accounts.roles import Role

    recipients: dict[int, list] = {}
    for assignment in (
        RoleAssignment.objects.filter(
            unit_id__in=sorted(set(unit_ids)),
            role=Role.ENTERPRISE,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ):
        users = recipients.setdefault(assignment.unit_id, [])
        if assignment.user not in users:
            users.append(assignment.user)
    return recipients


def _submit_link(unit: Unit, month: datetime.date) -> str:
    try:
        return reverse("hazards:monthly_report_submit", args=[unit.pk]) + (
            f"?month={month_param(month)}"
        )
    except NoReverseMatch:  # pragma: no cover - the pages are always installed
        return ""


def _remind(units: Iterable[Unit], month: datetime.date, *, key_prefix: str) -> dict[str, int]:
    """One message to each enterprise user of each unit; the dedupe key (per unit and month)
    makes a second call send nothing new."""
    from anjian.notifications.services import notify

    units = list(units)
    recipients = _enterprise_users(u.pk for u in units)
    reminded = sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for unit in units:
            title = _("Monthly self-inspection report for %(month)s not yet received") % {
                "month": month_label(month)
            }
            body = _(
                "%(unit)s has not submitted its monthly self-inspection report for %(month)s. "
                "Please report the hazards found and rectified, or sign a statement that none "
                "was found."
            ) % {"unit": unit.name, "month": month_label(month)}
            created = [
                notify(
                    recipient=user,
                    kind="hazards.monthly_report_missing",
                    title=title,
                    body=body,
                    link=_submit_link(unit, month),
                    dedupe_key=f"{key_prefix}:{unit.pk}:{month_param(month)}",
                )
                for user in recipients.get(unit.pk, [])
            ]
            new = sum(1 for n in created if n is not None)
            sent += new
            reminded += 1 if new else 0
    return {"units": reminded, "notifications": sent}


@transaction.atomic
def monthly_remind_missing(*, actor, month: Any) -> dict[str, int]:
    """The office reminds every unit in its scope that has not sent the report for ``month``:
    one message to each enterprise user of the unit, never twice for the same unit and month.
    Returns ``{"missing": units missing, "units": units reminded now, "notifications": n}``."""
    from anjian.accounts.scope import get_user_scope

    if not get_user_scope(actor).can(FOLLOW):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Your roles do not include following up the monthly reports."))
    month = parse_month(month)
    check_report_month(month, timezone.localdate())
    missing = list(monthly_missing(actor, month))
    result = _remind(missing, month, key_prefix="hazards.monthly_report.office")
    result["missing"] = len(missing)
    audit_record(
        actor=actor,
        action="monthly_report.reminded",
        target_repr=_("Monthly reports %(month)s") % {"month": month_label(month)},
        changes={
            "month": month_param(month),
            "missing": [u.pk for u in missing],
            "units": result["units"],
            "notifications": result["notifications"],
        },
    )
    return result


def monthly_send_due_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The periodic reminder: on the 1st–5th of a month, remind every unit that owes the
    previous month's report and has not sent it. Idempotent: each unit is reminded once per
    month (the dedupe key), so running it daily — or twice a day — sends nothing new."""
    today = today or timezone.localdate()
    if today.day > REMINDER_LAST_DAY:
        return {"units": 0, "notifications": 0, "missing": 0}
    month = previous_month(today)
    _start, end = month_bounds(month)
    missing = list(
        Unit.objects.filter(
            kind=UnitKind.ENTERPRISE, status=UnitStatus.OPERATING, created_at__lt=end
        )
        .exclude(monthly_reports__month=month)
        .order_by("pk")
    )
    result = _remind(missing, month, key_prefix="hazards.monthly_report.due")
    result["missing"] = len(missing)
    return result


def _kind_label(report: MonthlyReport | None) -> str:
    return str(report.get_kind_display()) if report else ""


@dataclass
class MonthRow:
    unit: Unit
    report: MonthlyReport | None
    expected: bool


def monthly_rows(user, month: Any) -> list[MonthRow]:
    """One row per unit that owes a report for ``month`` or sent one (two queries)."""
    month = parse_month(month)
    reports = {r.unit_id: r for r in monthly_reports_of_month(user, month)}
    expected = list(
        monthly_expected_units(user, month)
        .select_related("region")
        .order_by("region__code", "name", "pk")
    )
    rows = [MonthRow(u, reports.pop(u.pk, None), True) for u in expected]
    rows += [MonthRow(r.unit, r, False) for r in reports.values()]
    return rows


MONTHLY_EXPORT_COLUMNS = (
    Column(gettext_lazy("Unit"), lambda r: r.unit.name, 30),
    Column(gettext_lazy("Village or community"), lambda r: r.unit.region.name, 14),
    Column(gettext_lazy("Submitted"), lambda r: _("Yes") if r.report else _("No"), 8),
    Column(gettext_lazy("Report"), lambda r: _kind_label(r.report), 22),
    Column(
        gettext_lazy("Hazards reported"), lambda r: r.report.hazards_count if r.report else "", 10
    ),
    Column(
        gettext_lazy("Self-checks done"), lambda r: r.report.checks_done if r.report else "", 10
    ),
    Column(gettext_lazy("Signed by"), lambda r: r.report.signed_name if r.report else "", 12),
    Column(gettext_lazy("Submitted at"), lambda r: r.report.submitted_at if r.report else "", 18),
    Column(gettext_lazy("Must report"), lambda r: _("Yes") if r.expected else _("No"), 10),
)


def monthly_export(user, month: Any) -> bytes:
    """The month's workbook: every unit that owes a report or sent one. Audited as an export."""
    month = parse_month(month)
    rows = monthly_rows(user, month)
    title = _("Monthly reports %(month)s") % {"month": month_label(month)}
    content = workbook_bytes(title, MONTHLY_EXPORT_COLUMNS, rows)
    audit_record(
        actor=user,
        action="export.downloaded",
        target_repr=title,
        changes={"month": month_param(month), "rows": len(rows)},
    )
    return content
