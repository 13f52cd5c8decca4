"""Which monitor processes are alive, and how old the last pass is (board and /readyz)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from monitor.models import MonitorProcess


def process_name() -> str:
    host = socket.gethostname()[:60]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def register(name: str) -> MonitorProcess:
    host, pid, _ = name.rsplit(":", 2)
    return MonitorProcess.objects.create(name=name, host=host, pid=int(pid))


def beat(name: str, *, now: datetime, pass_probes: int | None = None, pass_ms: int = 0) -> None:
    values = {"last_seen_at": now}
    if pass_probes is not None:
        values |= {"last_pass_at": now, "last_pass_probes": pass_probes, "last_pass_ms": pass_ms}
    MonitorProcess.objects.filter(name=name).update(**values)


def stopped(name: str, *, now: datetime) -> None:
    MonitorProcess.objects.filter(name=name).update(stopped_at=now, last_seen_at=now)


def prune(*, now: datetime) -> None:
    """Forget processes gone for a day."""
    MonitorProcess.objects.filter(last_seen_at__lt=now - timedelta(days=1)).delete()


@dataclass(frozen=True)
class Freshness:
    last_pass_at: datetime | None
    last_seen_at: datetime | None
    stale: bool

    @property
    def age_seconds(self) -> int | None:
        if self.last_pass_at is None:
            return None
        return max(0, int((timezone.now() - self.last_pass_at).total_seconds()))


def freshness(*, now: datetime | None = None) -> Freshness:
    """Stale when no monitor reported for two intervals (or none ever did). A monitor
    reports every few seconds, also in the middle of a long pass."""
    now = now or timezone.now()
    last = MonitorProcess.objects.aggregate(passed=Max("last_pass_at"), seen=Max("last_seen_at"))
    limit = timedelta(seconds=2 * settings.PORTAL_MONITOR_INTERVAL)
    seen = last["seen"] if last["passed"] is not None else None
    return Freshness(
        last_pass_at=last["passed"], last_seen_at=seen, stale=seen is None or now - seen > limit
    )


def readiness_report() -> dict:
    fresh = freshness()
    return {"last_pass_age_seconds": fresh.age_seconds, "stale": fresh.stale}
