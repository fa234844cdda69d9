from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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
