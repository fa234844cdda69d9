"""Log-in throttling on django-axes.

- django-axes counts failed log-ins per (account, address) pair (``AXES_LOCKOUT_PARAMETERS``) and
  refuses the pair for ``ANJIAN_LOGIN_LOCK_MINUTES`` after ``ANJIAN_LOGIN_MAX_FAILURES``. A failure
  is counted for whatever was typed, known account or not, so the answer never tells whether an
  account exists; the account itself is never locked, so nobody can lock a colleague out from
  another address.
- On top of that, one address may fail ``ANJIAN_LOGIN_ADDRESS_MAX_FAILURES`` times over all
  accounts within the same period (password spraying); it is counted from axes' own table.
- The town office (or an administrator) lifts a lock from the user's page or through the API
  (``services.user_unlock``), audited.

The callables below are named in ``config/settings.py`` (``AXES_*_CALLABLE``).
"""

from __future__ import annotations

import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from anjian.core.middleware import client_address_key
from anjian.core.validators import normalize_mobile


def login_key(request: HttpRequest | None, credentials: dict | None) -> str:
    """What a failure is counted against: the user name of the account the typed user name or
    mobile number belongs to (so that both spellings share one count), otherwise what was typed."""
    from anjian.accounts.models import User

    typed = str((credentials or {}).get("username") or "").strip()[:150]
    user = User.objects.get_by_login(typed) if typed else None
    if user is not None:
        return user.username
    return normalize_mobile(typed) or typed


def client_address(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address the limits count by (``core.middleware``)."""
    return client_address_key(request)


def keep_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the log-in page and the API answer a lock themselves (the same
    message for every account), so axes' middleware keeps their response."""
    return original_response


def lock_period() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.ANJIAN_LOGIN_LOCK_MINUTES)


def _credentials(login: str) -> dict:
    return {"username": login}


def pair_locked(request: HttpRequest, login: str) -> bool:
    """Whether this address may not try this account (or user name) now."""
    return not AxesProxyHandler.is_allowed(request, _credentials(login))


def address_throttled(request: HttpRequest) -> bool:
    """Whether this address failed too often over all accounts within the lock period."""
    address = client_address_key(request)
    if address is None:
        return False
    since = timezone.now() - lock_period()
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return (total or 0) >= settings.ANJIAN_LOGIN_ADDRESS_MAX_FAILURES


def locked_until(request: HttpRequest, login: str | None = None) -> datetime.datetime:
    """When the lock of this address (and account) ends: the period after the last failure."""
    attempts = AccessAttempt.objects.filter(ip_address=client_address_key(request))
    if login is not None:
        attempts = attempts.filter(username=login_key(request, _credentials(login)))
    last = attempts.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    return last + lock_period()


def record_failure(request: HttpRequest, login: str) -> bool:
    """Count a failed step that is not a password (a wrong two-factor code) as axes counts a wrong
    password. Returns whether the pair is now locked."""
    AxesProxyHandler.user_login_failed(
        sender=record_failure, credentials=_credentials(login), request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def record_success(request: HttpRequest, user) -> None:
    """A completed log-in clears the failures of this account from this address (the page's
    ``auth_login`` does the same through Django's ``user_logged_in`` signal)."""
    AxesProxyHandler.user_logged_in(sender=record_success, request=request, user=user)


def locks_of(user) -> list[dict]:
    """The addresses currently refused for ``user``, each with its failures and last failure
    (for the user's page)."""
    since = timezone.now() - lock_period()
    return list(
        AccessAttempt.objects.filter(username=user.username, attempt_time__gte=since)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.ANJIAN_LOGIN_MAX_FAILURES)
        .order_by("-last")
    )


def unlock(user) -> int:
    """Forget every failure counted against ``user``'s account, from any address."""
    return AxesProxyHandler.reset_attempts(username=user.username)
