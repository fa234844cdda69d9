"""One page of a scoped queryset for the API's list operations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


def api_page(qs: QuerySet, *, offset: int, limit: int) -> dict[str, Any]:
    """``{"items": rows offset..offset+limit, "count": all rows}`` (the list envelope)."""
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}
