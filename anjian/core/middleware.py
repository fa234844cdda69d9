from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from anjian.core.context import RequestContext, _current


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as Django sees it: ``REMOTE_ADDR``. Only when ``ANJIAN_PROXY_COUNT``
    says that many reverse proxies stand in front (``ANJIAN_BEHIND_PROXY=true`` means one) is
    ``X-Forwarded-For`` read, counting from the right: the last entry is the one our own proxy
    appended; entries further left are whatever the client sent and are never trusted."""
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "ANJIAN_PROXY_COUNT", 0)
    if count:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= count:
            return _valid_ip(forwarded[-count]) or remote
    return remote


def client_address_key(request: HttpRequest) -> str | None:
    """The address that rate limits count by: ``client_ip``, with an IPv6 address taken as its
    /64 network (one subscriber line holds a whole /64 and can rotate through it at will)."""
    ip = _valid_ip(client_ip(request))
    if ip is None:
        return None
    address = ipaddress.ip_address(ip)
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    if address.version == 6:
        return str(address.ipv4_mapped)
    return ip


class RequestContextMiddleware:
    """Gives every request an id (echoed as ``X-Request-ID``) that its audit records share."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = RequestContext(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            source="api" if request.path.startswith("/api/") else "web",
        )
        token = _current.set(ctx)
        request.request_id = ctx.request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = str(ctx.request_id)
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, but the language is Simplified Chinese (``LANGUAGE_CODE``) until
    the user picks another one with the language switch (``set_language`` sets the cookie).

    Django's own middleware would follow the browser's Accept-Language, so that an English-language
    browser would show the town office's platform in English without anyone asking for it.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


NUL = "\x00"


def _has_nul(data) -> bool:
    """Whether a NUL character is in any key or value of a QueryDict, or anywhere in parsed JSON."""
    if isinstance(data, str):
        return NUL in data
    if isinstance(data, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_nul(v) for v in data)
    if hasattr(data, "lists"):
        return any(_has_nul(k) or _has_nul(v) for k, v in data.lists())
    return False


def _json_has_nul(request: HttpRequest) -> bool:
    if not request.content_type or "json" not in request.content_type:
        return False
    body = request.body
    if b"\\u0000" not in body and b"\x00" not in body:
        return False
    try:
        return _has_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the API answers 400 for it itself


class NulCharacterMiddleware:
    """A NUL character (``\\x00``) cannot be typed and PostgreSQL's text columns cannot hold it
    (``DataError``): a search or a field that carried one ended in a server error.

    The API answers such a request with a 422 in the error envelope before any view sees it. A
    page's query string loses its NUL characters (the search is for what could be typed); a page's
    form refuses them itself (Django's ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            form = request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
            if _has_nul(request.GET) or (form and _has_nul(request.POST)) or _json_has_nul(request):
                from config.api import error_response  # the API's envelope; config imports us

                message = _("Null characters are not allowed.")
                return error_response(
                    request, 422, "invalid", message, [{"field": None, "message": message}]
                )
        elif _has_nul(request.GET):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace(NUL, ""), [v.replace(NUL, "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
