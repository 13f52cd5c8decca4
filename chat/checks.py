"""Check key: one small call per running deployment an access covers, side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accessportal import audit
from accessportal.callpaths import V1
from accessportal.models import ApplicationAccess, AuditAction, Deployment
from chat.calls import CallPlan, CallRun, final_body, policy_from_settings, record
from chat.models import Origin

PING = {"messages": [{"role": "user", "content": "ping"}], "max_tokens": 1}
# A check should answer in seconds even when a deployment hangs.
CHECK_READ_TIMEOUT = 10.0
CHECK_DEADLINE = 15.0
PARALLEL = 8


@sensitive_variables()
def _run(run: CallRun) -> CallRun:
    for _event in run.events():
        pass
    return run


def planned_runs(access: ApplicationAccess, *, user) -> list[CallRun]:
    """One small call for each running deployment the access covers (V1 where served)."""
    policy = replace(
        policy_from_settings(), read_timeout=CHECK_READ_TIMEOUT, total_deadline=CHECK_DEADLINE
    )
    deployments = Deployment.objects.running().covered_by(access).select_related("workspace")
    runs = []
    for deployment in deployments:
        version = V1 if deployment.serves_v1 else deployment.versions[0]
        body = final_body(PING, deployment=deployment, version=version)
        plan = CallPlan(
            deployment=deployment,
            version=version,
            user=user,
            body=body,
            access=access,
            origin=Origin.KEY_CHECK,
        )
        runs.append(CallRun(plan, policy))
    return runs


@sensitive_variables()
def check_access(access: ApplicationAccess, runs: list[CallRun], *, user, ip: str | None) -> dict:
    """Make the planned calls side by side; keep and return the matrix
    ``{deployment code: {name, version, ok, status, error_code}}``."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        finished = list(pool.map(_run, runs))
    matrix = {
        str(run.plan.deployment.code): {
            "name": run.plan.deployment.name,
            "version": run.plan.version,
            "ok": run.result.outcome == "ok",
            "status": run.result.status,
            "error_code": run.result.error_code,
        }
        for run in finished
    }
    with transaction.atomic():
        for run in finished:
            record(run)
        # Kept only if the key was not rotated during the calls: the matrix speaks of
        # the key that was used.
        ApplicationAccess.objects.filter(
            pk=access.pk, api_key_ciphertext=access.api_key_ciphertext
        ).update(last_check=matrix, last_checked_at=timezone.now())
        reachable = sum(1 for row in matrix.values() if row["ok"])
        audit.record(
            workspace=access.workspace,
            actor=user,
            action=AuditAction.ACCESS_CHECK,
            target=access.name,
            summary=lambda: (
                _("%(reachable)s of %(total)s running deployments reachable")
                % {"reachable": reachable, "total": len(matrix)}
            ),
            ip=ip,
        )
    return matrix
