"""One probe: the smallest chat call (``max_tokens`` 1) through chat's call machinery,
so it goes out through ``chat/upstream.py`` under the same SSRF rules as the playground.

Runs in a worker thread and touches no database: everything it needs is loaded before.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from chat.calls import CallPlan, CallRun, final_body, policy_from_settings
from chat.models import Origin, Outcome
from chat.upstream import UpstreamPolicy

logger = logging.getLogger(__name__)

# Streamed, so the probe measures the time to the first token as well as the whole call.
PING = {"messages": [{"role": "user", "content": "ping"}], "max_tokens": 1, "stream": True}


def probe_policy() -> UpstreamPolicy:
    """The playground's limits, with the monitor's short deadline for the whole call."""
    deadline = settings.PORTAL_MONITOR_PROBE_DEADLINE
    base = policy_from_settings()
    return replace(
        base,
        connect_timeout=min(base.connect_timeout, deadline),
        read_timeout=deadline,
        total_deadline=deadline,
    )


@dataclass
class Answer:
    version: str
    auth_label: str
    ok: bool
    status: int | None = None
    error_code: str = ""
    error_message: str = ""
    latency_ms: int | None = None
    ttft_ms: int | None = None
    at: datetime = field(default_factory=timezone.now)
    access_id: int | None = None
    # The call itself, when it goes into the test-call history (a key check someone asked
    # for); a scheduled probe is kept as a Probe row only.
    run: CallRun | None = field(default=None, repr=False, compare=False)


@sensitive_variables()
def probe(
    deployment, version: str, *, access=None, credential=None, policy, key_check_by=False
) -> Answer:
    """Call one version of a deployment once; never raises. ``key_check_by``: the person
    (or None, a user since removed) whose key check this call is; the answer then carries
    the call, for the test-call history."""
    kept = key_check_by is not False
    at = timezone.now()
    started = time.monotonic()
    body = final_body(PING, deployment=deployment, version=version)
    plan = CallPlan(
        deployment=deployment,
        version=version,
        user=key_check_by if kept else None,
        body=body,
        access=access,
        credential=credential,
        origin=Origin.KEY_CHECK,  # recorded only when kept
    )
    access_id = access.pk if access is not None else None
    try:
        run = CallRun(plan, policy)
        for _event in run.events():
            pass
    except Exception:  # a bug must cost one probe, not the monitor
        logger.exception("monitor: probe of deployment %s %s failed", deployment.pk, version)
        return Answer(
            version=version,
            auth_label=plan.auth_label,
            ok=False,
            error_code="portal.error",
            error_message="The portal failed to make this call.",
            latency_ms=int((time.monotonic() - started) * 1000),
            at=at,
            access_id=access_id,
        )
    result = run.result
    return Answer(
        version=version,
        auth_label=plan.auth_label,
        ok=result.outcome == Outcome.OK,
        status=result.status,
        error_code=result.error_code,
        error_message=result.error_message[:300],
        latency_ms=result.latency_ms,
        ttft_ms=result.ttft_ms,
        at=at,
        access_id=access_id,
        run=run if kept else None,
    )
