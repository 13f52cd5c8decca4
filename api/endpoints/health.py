"""Health from the monitor: each deployment's state, its last probe and its open drift."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Schema

from api.paging import Page, PageQuery, page
from api.scoping import VIEWER, operation
from monitor.models import DeploymentHealth, Drift

router = Router(tags=["health"])
W = "/workspaces/{uuid:ws}"


class DriftOut(Schema):
    kind: str
    version: str
    error_code: str
    access: UUID | None
    first_seen_at: datetime
    last_seen_at: datetime

    @staticmethod
    def resolve_access(obj) -> UUID | None:
        return obj.access.code if obj.access_id else None


class HealthOut(Schema):
    deployment: UUID
    deployment_name: str
    state: Literal["up", "degraded", "down", "unknown"]
    state_since: datetime
    cause: str
    not_monitored: str
    last_probe_at: datetime | None
    last_status: int | None
    last_error_code: str
    drift: list[DriftOut]

    @staticmethod
    def resolve_deployment(obj) -> UUID:
        return obj.deployment.code

    @staticmethod
    def resolve_deployment_name(obj) -> str:
        return obj.deployment.name

    @staticmethod
    def resolve_drift(obj) -> list:
        return obj.open_drift


class HealthFilters(Schema):
    state: Literal["up", "degraded", "down", "unknown"] | None = None


@operation(router, "GET", W + "/health", role=VIEWER, response=Page[HealthOut])
def health_list(request: HttpRequest, ws: UUID, params: PageQuery, filters: Query[HealthFilters]):
    """What the monitor last saw of each deployment (empty until a monitor has run)."""
    drift = Drift.objects.filter(resolved_at__isnull=True).select_related("access")
    rows = (
        DeploymentHealth.objects.filter(workspace=request.workspace)
        .select_related("deployment")
        .prefetch_related(Prefetch("deployment__drifts", queryset=drift, to_attr="open_drift"))
    )
    if filters.state:
        rows = rows.filter(state=filters.state)
    result = page(request, rows.order_by("deployment__name", "deployment_id"), params)
    for row in result["results"]:
        row.open_drift = row.deployment.open_drift
    return result
