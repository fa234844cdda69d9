"""What a case's fine comes to on a day: the late fee (加处罚款) and what is paid and still owed.
Beside the case workflow, read by the case services, documents and API (it reads the case's
payments and writes nothing)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from anjian.enforcement.case_workflow import LATE_FEE_RATE
from anjian.enforcement.models import Case

CENT = Decimal("0.01")


def late_fee(
    fine: Decimal | None,
    payment_due: datetime.date | None,
    payments: Iterable[tuple[datetime.date, Decimal]],
    as_of: datetime.date,
) -> Decimal:
    """The late fee (加处罚款) owed on ``as_of``: 3 % a day of the fine still unpaid, for each
    day after ``payment_due``; payments go to the fine first; never more than the fine."""
    if not fine or payment_due is None or as_of <= payment_due:
        return Decimal("0.00")
    rate = Decimal(LATE_FEE_RATE)
    principal = fine
    fee = Decimal("0")
    day = payment_due
    for paid_on, amount in sorted(p for p in payments if p[0] <= as_of):
        if paid_on > day:
            fee += principal * rate * (paid_on - day).days
            day = paid_on
        principal = max(Decimal("0"), principal - amount)
    if as_of > day:
        fee += principal * rate * (as_of - day).days
    return min(fee, fine).quantize(CENT, rounding=ROUND_HALF_UP)


def case_payments(case: Case) -> list[tuple[datetime.date, Decimal]]:
    return list(case.payments.values_list("paid_on", "amount"))


def case_money(case: Case, as_of: datetime.date | None = None) -> dict[str, Decimal]:
    """Fine, late fee due, paid and still owed on ``as_of`` (today by default)."""
    as_of = as_of or timezone.localdate()
    payments = case_payments(case)
    fine = case.decided_fine or Decimal("0.00")
    fee = late_fee(fine, case.payment_due, payments, as_of)
    paid = sum((a for d, a in payments if d <= as_of), Decimal("0.00"))
    return {
        "fine": fine,
        "late_fee": fee,
        "paid": paid,
        "owed": max(Decimal("0.00"), fine + fee - paid),
    }
