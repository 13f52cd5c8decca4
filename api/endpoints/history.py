"""What happened: the test-call history (every role that reads the catalog) and the
audit log (admins)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from api.paging import Page, PageQuery, page
from api.schemas import AuditEventOut, QueryText, TestCallOut
from api.scoping import ADMIN, VIEWER, operation

router = Router(tags=["history"])
W = "/workspaces/{uuid:ws}"


class TestCallFilters(Schema):
    deployment: UUID | None = None
    version: Literal["v1", "v2"] | None = None
    outcome: Literal["ok", "error", "aborted"] | None = None
    user: QueryText | None = Field(None, max_length=150, description="Username.")


@operation(router, "GET", W + "/test-calls", role=VIEWER, response=Page[TestCallOut])
def testcall_list(
    request: HttpRequest, ws: UUID, params: PageQuery, filters: Query[TestCallFilters]
):
    calls = request.workspace.test_calls.select_related("deployment")
    if filters.deployment:
        calls = calls.filter(deployment__code=filters.deployment)
    if filters.version:
        calls = calls.filter(api_version=filters.version)
    if filters.outcome:
        calls = calls.filter(outcome=filters.outcome)
    if filters.user:
        calls = calls.filter(username=filters.user)
    return page(request, calls.order_by("-created_at", "-id"), params)


class AuditFilters(Schema):
    action: QueryText | None = Field(None, max_length=32, description="e.g. access.reveal")


@operation(router, "GET", W + "/audit", role=ADMIN, response=Page[AuditEventOut])
def audit_list(request: HttpRequest, ws: UUID, params: PageQuery, filters: Query[AuditFilters]):
    events = request.workspace.audit_events.all()
    if filters.action:
        events = events.filter(action=filters.action)
    return page(request, events.order_by("-created_at", "-id"), params)
