"""The Order 16 Art 14 statistics statement (隐患排查治理情况统计分析表) of a unit.

Quarterly, due on the 15th of the first month of the next quarter, and yearly, due on 31 January
of the next year, signed by the unit's principal. ``statement_figures`` computes the table from
the records (every figure is defined in ``FIGURES``); ``statement_sign`` stores it with the
figures frozen at signing, so later changes to the records do not alter a signed table;
``statement_xlsx`` lays it out as the printable paper table.

It also holds what the monthly reports (``anjian.hazards.reports``) share with it: the permission
keys, ``local_start`` and ``unit_get_for``.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.audit.services import audit_record, snapshot
from anjian.hazards.choices import (
    HazardLevel,
    HazardSource,
    HazardStatus,
    MonthlyReportKind,
    PlanStatus,
    ReportOutcome,
    StatementPeriod,
)
from anjian.hazards.models import (
    GovernancePlan,
    Hazard,
    MonthlyReport,
    RectificationReport,
    StatisticsStatement,
)
from anjian.units.models import Unit

VIEW = "hazards.view"
REPORT = "hazards.report_monthly"
FOLLOW = "hazards.follow_reports"
MAX_NAME = 50
FIRST_STATEMENT_YEAR = 2008  # Order 16 is in force since 1 February 2008


# --- Shared with the monthly reports ---------------------------------------------------------


def local_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day``, local time (aware)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def unit_get_for(user, unit_id: int, *, action: str = VIEW) -> Unit:
    """The unit if ``user`` may do ``action`` to it; 404 otherwise."""
    unit = (
        Unit.objects.for_action(user, action)
        .select_related("region__parent")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise Http404
    return unit


# --- Statistics statements (Order 16 Art 14) ----------------------------------------------------


def check_period(period: str, year: Any, quarter: Any) -> tuple[str, int, int | None]:
    errors = {}
    if period not in StatementPeriod.values:
        errors["period"] = _("Choose a quarter or a year.")
    try:
        year = int(year)
        if not FIRST_STATEMENT_YEAR <= year <= 9999:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Give a year from 2008 on.")
    if period == StatementPeriod.QUARTER:
        try:
            quarter = int(quarter)
            if quarter not in (1, 2, 3, 4):
                raise ValueError
        except (TypeError, ValueError):
            errors["quarter"] = _("Choose a quarter from 1 to 4.")
    else:
        quarter = None
    if errors:
        raise ValidationError(errors)
    return period, year, quarter


def period_dates(
    period: str, year: int, quarter: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """[first day, first day after) of a quarter or a year."""
    if period == StatementPeriod.QUARTER:
        first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
        after = (
            datetime.date(year + 1, 1, 1)
            if quarter == 4
            else datetime.date(year, 3 * quarter + 1, 1)
        )
        return first, after
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def statement_due(period: str, year: int, quarter: int | None = None) -> datetime.date:
    """Order 16 Art 14: a quarter's table by the 15th of the next quarter's first month; the
    year's by 31 January of the next year."""
    if period == StatementPeriod.QUARTER:
        return period_dates(period, year, quarter)[1].replace(day=15)
    return datetime.date(year + 1, 1, 31)


def period_label(period: str, year: int, quarter: int | None = None) -> str:
    if period == StatementPeriod.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
    return _("Year %(year)s") % {"year": year}


def last_completed_period(period: str, today: datetime.date) -> tuple[int, int | None]:
    """(year, quarter) of the last quarter or year that has ended by ``today``."""
    if period == StatementPeriod.YEAR:
        return today.year - 1, None
    quarter = (today.month - 1) // 3  # the current quarter minus one
    if quarter == 0:
        return today.year - 1, 4
    return today.year, quarter


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any  # lazy translation
    definition: Any  # lazy translation: what exactly is counted


FIGURES: tuple[Figure, ...] = (
    Figure(
        "found_general",
        gettext_lazy("Ordinary hazards found"),
        gettext_lazy("Ordinary hazards whose time found falls in the period."),
    ),
    Figure(
        "found_major",
        gettext_lazy("Major hazards found"),
        gettext_lazy("Major hazards whose time found falls in the period."),
    ),
    Figure(
        "found_self_check",
        gettext_lazy("Of which found by the unit's self-checks"),
        gettext_lazy("Hazards found in the period with the source “enterprise self-check”."),
    ),
    Figure(
        "closed_general",
        gettext_lazy("Ordinary hazards rectified and closed"),
        gettext_lazy("Ordinary hazards struck off (closed) in the period, whenever found."),
    ),
    Figure(
        "closed_major",
        gettext_lazy("Major hazards rectified and closed"),
        gettext_lazy("Major hazards struck off (closed) in the period, whenever found."),
    ),
    Figure(
        "rate_general",
        gettext_lazy("Rectification rate of ordinary hazards (%)"),
        gettext_lazy(
            "Ordinary hazards found in the period and closed by its end, divided by the "
            "ordinary hazards found in the period; 100 when none was found."
        ),
    ),
    Figure(
        "rate_major",
        gettext_lazy("Rectification rate of major hazards (%)"),
        gettext_lazy(
            "Major hazards found in the period and closed by its end, divided by the major "
            "hazards found in the period; 100 when none was found."
        ),
    ),
    Figure(
        "open_at_end",
        gettext_lazy("Hazards not yet closed at the end of the period"),
        gettext_lazy("Hazards found before the period ended and not closed by then."),
    ),
    Figure(
        "overdue_at_end",
        gettext_lazy("Of which overdue at the end of the period"),
        gettext_lazy(
            "Hazards not closed at the end of the period whose (present) deadline was on or "
            "before its last day."
        ),
    ),
    Figure(
        "major_open_at_end",
        gettext_lazy("Major hazards not yet closed at the end of the period"),
        gettext_lazy("Major hazards found before the period ended and not closed by then."),
    ),
    Figure(
        "major_in_plan",
        gettext_lazy("Of which with an approved governance plan"),
        gettext_lazy(
            "Major hazards open at the end of the period whose governance plan was approved "
            "before it ended."
        ),
    ),
    Figure(
        "major_listed",
        gettext_lazy("Of which listed for supervision (挂牌督办)"),
        gettext_lazy(
            "Major hazards open at the end of the period that were listed for supervision "
            "before it ended."
        ),
    ),
    Figure(
        "funds_spent",
        gettext_lazy("Rectification funds spent (yuan)"),
        gettext_lazy(
            "The costs stated in the rectification reports submitted in the period (reports "
            "withdrawn with a cancelled hazard are left out)."
        ),
    ),
    Figure(
        "major_funds_secured",
        gettext_lazy("Funds secured in approved governance plans (yuan)"),
        gettext_lazy("The funds of the major hazards' governance plans approved in the period."),
    ),
    Figure(
        "monthly_reports",
        gettext_lazy("Monthly self-inspection reports submitted"),
        gettext_lazy("Monthly reports of the unit for the months of the period."),
    ),
    Figure(
        "months_none_found",
        gettext_lazy("Of which stating that no hazard was found"),
        gettext_lazy("Monthly reports of the period that are signed “none found” statements."),
    ),
    Figure(
        "checks_done",
        gettext_lazy("Self-checks done"),
        gettext_lazy("The self-checks stated in the monthly reports of the period, added up."),
    ),
)
FIGURE_KEYS = tuple(f.key for f in FIGURES)


def _rate(closed: int, found: int) -> float:
    return 100.0 if not found else round(100 * closed / found, 1)


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')).quantize(Decimal('0.01'))}"


def statement_figures(
    unit: Unit, period: str, year: int, quarter: int | None = None
) -> dict[str, Any]:
    """The statistics table of ``unit`` for a quarter or a year, computed from the records.

    Every figure is defined in ``FIGURES``. Common rules: times are local; a period is [its first
    day, the first day after it); cancelled hazards (entered in error) are not counted anywhere;
    "found" is the hazard's time found, "closed" its time struck off (a hazard re-opened later
    counts as open); "at the end of the period" is reconstructed from the present records (time
    found, time closed, present deadline). Money is in yuan, as a string with two decimals.
    Four queries, whatever the number of hazards. The caller checks that the user may see the unit.
    """
    period, year, quarter = check_period(period, year, quarter)
    first, after = period_dates(period, year, quarter)
    start, end = local_start(first), local_start(after)
    GENERAL, MAJOR = HazardLevel.GENERAL, HazardLevel.MAJOR
    found = Q(found_at__gte=start, found_at__lt=end)
    closed = Q(status=HazardStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
    closed_by_end = Q(status=HazardStatus.CLOSED, closed_at__lt=end)
    open_at_end = Q(found_at__lt=end) & ~closed_by_end
    approved_plan = GovernancePlan.objects.filter(
        hazard=OuterRef("pk"), status=PlanStatus.APPROVED, decided_at__lt=end
    )
    hazards = (
        Hazard.objects.filter(unit=unit)
        .exclude(status=HazardStatus.CANCELLED)
        .annotate(has_plan=Exists(approved_plan))
        .aggregate(
            found_general=Count("pk", filter=found & Q(level=GENERAL)),
            found_major=Count("pk", filter=found & Q(level=MAJOR)),
            found_self_check=Count("pk", filter=found & Q(source=HazardSource.SELF_CHECK)),
            found_closed_general=Count("pk", filter=found & closed_by_end & Q(level=GENERAL)),
            found_closed_major=Count("pk", filter=found & closed_by_end & Q(level=MAJOR)),
            closed_general=Count("pk", filter=closed & Q(level=GENERAL)),
            closed_major=Count("pk", filter=closed & Q(level=MAJOR)),
            open_at_end=Count("pk", filter=open_at_end),
            overdue_at_end=Count("pk", filter=open_at_end & Q(deadline__lt=after)),
            major_open_at_end=Count("pk", filter=open_at_end & Q(level=MAJOR)),
            major_in_plan=Count("pk", filter=open_at_end & Q(level=MAJOR, has_plan=True)),
            major_listed=Count(
                "pk",
                filter=open_at_end & Q(level=MAJOR, listed_at__isnull=False, listed_at__lt=end),
            ),
        )
    )
    funds_spent = (
        RectificationReport.objects.filter(
            hazard__unit=unit, submitted_at__gte=start, submitted_at__lt=end
        )
        .exclude(outcome=ReportOutcome.WITHDRAWN)
        .exclude(hazard__status=HazardStatus.CANCELLED)
        .aggregate(total=Sum("cost"))["total"]
    )
    major_funds = (
        GovernancePlan.objects.filter(
            hazard__unit=unit,
            status=PlanStatus.APPROVED,
            decided_at__gte=start,
            decided_at__lt=end,
        )
        .exclude(hazard__status=HazardStatus.CANCELLED)
        .aggregate(total=Sum("funds_amount"))["total"]
    )
    monthly = MonthlyReport.objects.filter(unit=unit, month__gte=first, month__lt=after).aggregate(
        monthly_reports=Count("pk"),
        months_none_found=Count("pk", filter=Q(kind=MonthlyReportKind.NONE_FOUND)),
        checks_done=Sum("checks_done"),
    )
    return {
        "found_general": hazards["found_general"],
        "found_major": hazards["found_major"],
        "found_self_check": hazards["found_self_check"],
        "closed_general": hazards["closed_general"],
        "closed_major": hazards["closed_major"],
        "rate_general": _rate(hazards["found_closed_general"], hazards["found_general"]),
        "rate_major": _rate(hazards["found_closed_major"], hazards["found_major"]),
        "open_at_end": hazards["open_at_end"],
        "overdue_at_end": hazards["overdue_at_end"],
        "major_open_at_end": hazards["major_open_at_end"],
        "major_in_plan": hazards["major_in_plan"],
        "major_listed": hazards["major_listed"],
        "funds_spent": _money(funds_spent),
        "major_funds_secured": _money(major_funds),
        "monthly_reports": monthly["monthly_reports"],
        "months_none_found": monthly["months_none_found"],
        "checks_done": monthly["checks_done"] or 0,
    }


def figure_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures in table order with their labels and definitions (for pages, API, Excel)."""
    return [
        {
            "key": f.key,
            "label": str(f.label),
            "definition": str(f.definition),
            "value": figures.get(f.key, ""),
        }
        for f in FIGURES
    ]


def statement_list_for(user, *, action: str = VIEW) -> QuerySet[StatisticsStatement]:
    return StatisticsStatement.objects.for_action(user, action).select_related(
        "unit__region", "submitted_by"
    )


def statement_get_for(user, statement_id: int, *, action: str = VIEW) -> StatisticsStatement:
    statement = statement_list_for(user, action=action).filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    return statement


def statement_is_late(statement: StatisticsStatement) -> bool:
    due = statement_due(statement.period, statement.year, statement.quarter)
    return timezone.localdate(statement.signed_at) > due


def statement_describe(statement: StatisticsStatement) -> StatisticsStatement:
    """Attach ``label``, ``due`` and ``is_late`` to a statement (for templates and the API)."""
    statement.label = period_label(statement.period, statement.year, statement.quarter)
    statement.due = statement_due(statement.period, statement.year, statement.quarter)
    statement.is_late = timezone.localdate(statement.signed_at) > statement.due
    return statement


@dataclass
class PeriodRow:
    """A period the unit owes a statement for, with the statement if signed."""

    period: str
    year: int
    quarter: int | None
    label: str
    due: datetime.date
    statement: StatisticsStatement | None

    @property
    def overdue(self) -> bool:
        return self.statement is None and timezone.localdate() > self.due

    @property
    def is_late(self) -> bool:
        return bool(self.statement and self.statement.is_late)


def statement_periods_for(
    unit: Unit, today: datetime.date | None = None, *, quarters: int = 4, years: int = 2
) -> list[PeriodRow]:
    """The last ``quarters`` quarters and ``years`` years that have ended, newest first, each
    with its signed statement if there is one (one query)."""
    today = today or timezone.localdate()
    wanted: list[tuple[str, int, int | None]] = []
    year, quarter = last_completed_period(StatementPeriod.QUARTER, today)
    for _i in range(quarters):
        wanted.append((StatementPeriod.QUARTER, year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    last_year = today.year - 1
    wanted += [(StatementPeriod.YEAR, last_year - i, None) for i in range(years)]
    signed = {
        (s.period, s.year, s.quarter): statement_describe(s)
        for s in StatisticsStatement.objects.filter(unit=unit, year__gte=last_year - years)
    }
    return [
        PeriodRow(
            period=p,
            year=y,
            quarter=q,
            label=period_label(p, y, q),
            due=statement_due(p, y, q),
            statement=signed.get((p, y, q)),
        )
        for p, y, q in sorted(wanted, key=lambda w: (w[1], w[2] or 5), reverse=True)
    ]


STATEMENT_AUDIT_FIELDS = ["unit", "period", "year", "quarter", "figures", "principal_name"]


@transaction.atomic
def statement_sign(
    *,
    actor,
    unit_id: int,
    period: str,
    year: Any,
    quarter: Any = None,
    principal_name: str,
) -> StatisticsStatement:
    """The unit's principal signs the statistics table of a quarter or a year that has ended;
    the figures are computed now and stored as signed. One statement per unit and period.
    Signing after the due date is allowed (better late than never) and shown as late."""
    unit = unit_get_for(actor, unit_id, action=REPORT)
    period, year, quarter = check_period(period, year, quarter)
    label = period_label(period, year, quarter)
    _first, after = period_dates(period, year, quarter)
    if timezone.localdate() < after:
        raise ValidationError(
            {
                "period": _("%(period)s has not ended yet: sign its statement afterwards.")
                % {"period": label}
            }
        )
    principal_name = str(principal_name or "").strip()
    if not principal_name:
        raise ValidationError(
            {"principal_name": _("The unit's principal signs the statement: give the name.")}
        )
    if len(principal_name) > MAX_NAME:
        raise ValidationError({"principal_name": _("The name may have at most 50 characters.")})
    existing = StatisticsStatement.objects.filter(
        unit=unit, period=period, year=year, quarter=quarter
    ).first()
    if existing is not None:
        raise ValidationError({"period": _signed_already(existing, label)})
    statement = StatisticsStatement(
        unit=unit,
        period=period,
        year=year,
        quarter=quarter,
        figures=statement_figures(unit, period, year, quarter),
        principal_name=principal_name,
        signed_at=timezone.now(),
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError as exc:
        existing = StatisticsStatement.objects.get(
            unit=unit, period=period, year=year, quarter=quarter
        )
        raise ValidationError({"period": _signed_already(existing, label)}) from exc
    audit_record(
        actor=actor,
        action="hazard_statement.signed",
        obj=statement,
        after=snapshot(statement, STATEMENT_AUDIT_FIELDS),
    )
    return statement_describe(statement)


def _signed_already(existing: StatisticsStatement, label: str) -> str:
    return _("The statement for %(period)s was already signed on %(date)s by %(name)s.") % {
        "period": label,
        "date": timezone.localdate(existing.signed_at).isoformat(),
        "name": existing.principal_name,
    }


# --- The printable statement (Excel) ------------------------------------------------------------


def statement_xlsx(statement: StatisticsStatement) -> bytes:
    """The signed statement as a printable A4 sheet laid out like the paper table: title, unit,
    period, one row per figure, and the principal's signature line."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    from anjian.core.export import write_cell
    from anjian.core.safe_text import sheet_title

    statement_describe(statement)
    unit = statement.unit
    first, after = period_dates(statement.period, statement.year, statement.quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(statement.label)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    for column, width in zip("ABCD", (6, 34, 14, 44), strict=True):
        ws.column_dimensions[column].width = width

    ws.merge_cells("A1:D1")
    write_cell(ws, 1, 1, _("Hazard investigation and remediation statistics and analysis table"))
    ws["A1"].font = Font(bold=True, size=15)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    facts = [
        (_("Unit"), unit.name),
        (_("Unified social credit code"), unit.credit_code or ""),
        (
            _("Period"),
            f"{statement.label}（{first.isoformat()} — "
            f"{(after - datetime.timedelta(days=1)).isoformat()}）",
        ),
        (_("Due date"), statement.due.isoformat()),
    ]
    row = 2
    for label, value in facts:
        write_cell(ws, row, 1, str(label))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        write_cell(ws, row, 3, value)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        row += 1
    row += 1
    header = [_("No."), _("Item"), _("Figure"), _("How it is counted")]
    for column, title in enumerate(header, start=1):
        cell = write_cell(ws, row, column, str(title))
        cell.font = Font(bold=True)
        cell.border = box
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for number, figure in enumerate(figure_rows(statement.figures), start=1):
        row += 1
        values = [number, figure["label"], figure["value"], figure["definition"]]
        for column, value in enumerate(values, start=1):
            cell = write_cell(ws, row, column, value)
            cell.border = box
            cell.alignment = wrap
    row += 2
    write_cell(ws, row, 1, str(_("Principal (signature)")))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    write_cell(ws, row, 3, statement.principal_name).font = Font(bold=True)
    row += 1
    write_cell(ws, row, 1, str(_("Signed on")))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    write_cell(ws, row, 3, timezone.localdate(statement.signed_at).isoformat())
    if statement.is_late:
        write_cell(ws, row, 4, str(_("Signed after the due date")))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def statement_download(*, actor, statement_id: int) -> tuple[StatisticsStatement, bytes]:
    """The statement's workbook for a user who may see it (404 otherwise); audited."""
    statement = statement_get_for(actor, statement_id)
    content = statement_xlsx(statement)
    audit_record(
        actor=actor,
        action="export.downloaded",
        obj=statement,
        changes={"statement": statement.pk},
    )
    return statement, content


def statement_filename(statement: StatisticsStatement) -> str:
    label = period_label(statement.period, statement.year, statement.quarter)
    return f"{statement.unit.name}-{label}.xlsx".replace("/", "-").replace(" ", "")
