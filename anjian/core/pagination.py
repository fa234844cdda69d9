"""One page of a scoped queryset for the API's list operations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, PageNumberPagination

from anjian.core.api_types import OFFSET_MAX, Offset

PAGE_MAX = 2**20  # pages of at least one row: no list is longer than OFFSET_MAX rows


def api_page(qs: QuerySet, *, offset: int, limit: int) -> dict[str, Any]:
    """``{"items": rows offset..offset+limit, "count": all rows}`` (the list envelope)."""
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


class LimitOffsetIn(Schema):
    limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=OFFSET_MAX)
    offset: Offset = 0


class PageNumberIn(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX)
    page_size: int | None = Field(None, ge=1, le=PAGE_MAX)


class LimitOffset(LimitOffsetPagination):
    """ninja's limit/offset pagination with a bounded offset (``api_types.Offset``)."""

    Input = LimitOffsetIn


class PageNumber(PageNumberPagination):
    """ninja's page-number pagination with a bounded page number and page size."""

    Input = PageNumberIn
