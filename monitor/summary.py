"""Counts a page header needs: deployments down, open drift flags."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accessportal.models import Status, Workspace
from monitor.models import DeploymentHealth, Drift, Health


@dataclass(frozen=True)
class Counts:
    down: int
    drift: int


def counts_for(workspace: Workspace) -> Counts:
    drift = (
        Drift.objects.filter(
            workspace=OuterRef("pk"), resolved_at__isnull=True, deployment__status=Status.RUNNING
        )
        .order_by()
        .values("workspace")
        .annotate(n=Count("id"))
        .values("n")
    )
    down = (
        DeploymentHealth.objects.filter(
            workspace=OuterRef("pk"), state=Health.DOWN, deployment__status=Status.RUNNING
        )
        .order_by()
        .values("workspace")
        .annotate(n=Count("id"))
        .values("n")
    )
    row = (
        Workspace.objects.filter(pk=workspace.pk)
        .annotate(down=Coalesce(Subquery(down), 0), drift=Coalesce(Subquery(drift), 0))
        .values("down", "drift")
        .first()
    ) or {"down": 0, "drift": 0}
    return Counts(down=row["down"], drift=row["drift"])
