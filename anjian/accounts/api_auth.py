"""API authentication: bearer tokens and the browser session (with CSRF)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from anjian.accounts.services import TokenRejected, api_token_authenticate


class ApiAuthError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer aj_…``. A bad token is refused with the reason, not ignored."""

    def authenticate(self, request: HttpRequest, token: str):
        try:
            user = api_token_authenticate(token)
        except TokenRejected as exc:
            raise ApiAuthError(exc.code, exc.message) from exc
        request.user = user
        return user


class SessionCsrfAuth(SessionAuth):
    """The logged-in browser session; unsafe methods need the CSRF token."""

    def _get_key(self, request: HttpRequest):
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise HttpError(403, _("CSRF check failed: reload the page and try again.")) from exc

    def authenticate(self, request: HttpRequest, key):
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None
