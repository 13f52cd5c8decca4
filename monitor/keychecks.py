"""Asking for a key check: the request only writes what is to be checked; the monitor
process makes the calls (monitor/runner.py) and the access page follows along."""

from __future__ import annotations

from django.db import transaction

from accessportal.models import ApplicationAccess, Deployment
from chat.hints import hint_for
from monitor.models import Drift, KeyCheck, KeyCheckItem


def planned_items(access: ApplicationAccess) -> list[tuple[Deployment, str]]:
    """Every version of every running deployment the access covers."""
    deployments = Deployment.objects.running().covered_by(access).order_by("name", "id")
    return [(d, version) for d in deployments for version in d.versions]


@transaction.atomic
def request_check(
    access: ApplicationAccess, planned: list[tuple[Deployment, str]], *, user, ip: str | None
) -> KeyCheck:
    check = KeyCheck.objects.create(
        workspace_id=access.workspace_id,
        access=access,
        requested_by=user,
        ip=ip,
        key_rotated_at=access.key_rotated_at,
    )
    KeyCheckItem.objects.bulk_create(
        KeyCheckItem(check_run=check, deployment=d, deployment_name=d.name, version=v)
        for d, v in planned
    )
    return check


def latest(access: ApplicationAccess) -> KeyCheck | None:
    return access.key_checks.select_related("requested_by").first()


def panel_context(access: ApplicationAccess) -> dict:
    """What the access page's key check panel shows (also its live updates)."""
    check = latest(access)
    items = list(check.items.select_related("deployment")) if check else []
    for item in items:
        item.hint = (
            hint_for(item.error_code, item.status_code) if item.done_at and not item.ok else ""
        )
    done = [i for i in items if i.done_at]
    failed = [i for i in done if not i.ok]
    flags = list(
        Drift.objects.filter(access=access, resolved_at__isnull=True)
        .select_related("deployment")
        .order_by("kind", "deployment__name")
    )
    return {
        "access": access,
        "check": check,
        "items": items,
        "done": len(done),
        "failed": len(failed),
        "finished": bool(check and check.finished_at),
        "flags": flags,
    }
