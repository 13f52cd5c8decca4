"""Check key: one small call per running deployment an access covers, side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from accessportal import audit
from accessportal.callpaths import V1
from accessportal.models import ApplicationAccess, AuditAction
from chat.calls import CallPlan, CallRun, final_body, policy_from_settings, record

PING = {"messages": [{"role": "user", "content": "ping"}], "max_tokens": 1}
# A check should answer in seconds even when a deployment hangs.
CHECK_READ_TIMEOUT = 10.0
CHECK_DEADLINE = 15.0
PARALLEL = 8


def _run(run: CallRun) -> CallRun:
    for _ in run.events():
        pass
    return run


def check_access(access: ApplicationAccess, *, user, ip: str | None) -> dict:
    """Call every running deployment the access covers; keep and return the matrix
    ``{deployment code: {name, version, ok, status, error_code}}``."""
    policy = replace(
        policy_from_settings(), read_timeout=CHECK_READ_TIMEOUT, total_deadline=CHECK_DEADLINE
    )
    deployments = (
        access.workspace.deployments.running()
        .filter(pk__in=_covered(access))
        .select_related("workspace")
    )
    runs = []
    for deployment in deployments:
        version = V1 if deployment.serves_v1 else deployment.versions[0]
        body = final_body(PING, deployment=deployment, version=version)
        plan = CallPlan(deployment=deployment, version=version, user=user, body=body, access=access)
        runs.append(CallRun(plan, policy))
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        finished = list(pool.map(_run, runs))
    matrix = {}
    for run in finished:
        record(run)
        result, deployment = run.result, run.plan.deployment
        matrix[str(deployment.code)] = {
            "name": deployment.name,
            "version": run.plan.version,
            "ok": result.outcome == "ok",
            "status": result.status,
            "error_code": result.error_code,
        }
    with transaction.atomic():
        access.last_check = matrix
        access.last_checked_at = timezone.now()
        access.save(update_fields=["last_check", "last_checked_at"])
        reachable = sum(1 for row in matrix.values() if row["ok"])
        audit.record(
            workspace=access.workspace,
            actor=user,
            action=AuditAction.ACCESS_CHECK,
            target=access.name,
            summary=f"{reachable} of {len(matrix)} running deployments reachable",
            ip=ip,
        )
    return matrix


def _covered(access: ApplicationAccess):
    if access.all_services:
        return access.workspace.deployments.values("pk")
    return access.deployments.values("pk")
