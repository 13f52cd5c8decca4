"""Limit/offset pages with a stable order: every list orders by a unique last column."""

from __future__ import annotations

from typing import Generic, TypeVar

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

T = TypeVar("T")
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000  # far past any catalog; keeps the number inside every database's range


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Rows per page (1 to 200).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


class Page(Schema, Generic[T]):
    count: int
    next: str | None = None
    previous: str | None = None
    results: list[T]


def _link(request: HttpRequest, offset: int) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def page(request: HttpRequest, queryset, params: PageParams) -> dict:
    limit, offset = params.limit, params.offset
    count = queryset.count()
    rows = list(queryset[offset : offset + limit])
    return {
        "count": count,
        "next": _link(request, offset + limit) if offset + limit < count else None,
        "previous": _link(request, max(offset - limit, 0)) if offset > 0 else None,
        "results": rows,
    }


PageQuery = Query[PageParams]
