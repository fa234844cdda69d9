"""The request context (request id, actor, ip) that audit records read, as NetBox's current_request.

Middleware sets it for a web request; jobs and commands set their own with ``request_context``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    ip: str | None = None
    user_agent: str = ""
    source: str = "web"


_current: ContextVar[RequestContext | None] = ContextVar("anjian_request_context", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext(source="system")
        _current.set(ctx)
    return ctx


@contextmanager
def request_context(**kwargs) -> Iterator[RequestContext]:
    ctx = RequestContext(**kwargs)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
