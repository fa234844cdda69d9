from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from anjian.core.context import RequestContext, _current


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


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
