"""Running monitor passes in tests, pass by pass (healthchecks' sendalerts tests style)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone

from monitor import notify
from monitor.models import DeploymentHealth, MonitorProcess
from monitor.runner import Monitor, sync_schedules

NAME = "test-host:1:aaaa"


def run_pass(name: str = NAME) -> int:
    """One pass of a monitor; returns the probes made."""
    monitor = Monitor(name=name)
    if not MonitorProcess.objects.filter(name=name).exists():
        monitor.start()
    try:
        return monitor.run_pass()
    finally:
        monitor.pool.shutdown(wait=True)


def only_due(*deployments) -> None:
    """Next pass probes exactly these deployments (as if the others were probed already)."""
    now = timezone.now()
    sync_schedules(now=now)
    DeploymentHealth.objects.update(next_probe_at=now + timedelta(hours=1))
    DeploymentHealth.objects.filter(deployment__in=deployments).update(next_probe_at=now)


def health_of(deployment) -> DeploymentHealth:
    return DeploymentHealth.objects.get(deployment=deployment)


@contextmanager
def raised_events(monkeypatch):
    """Record what the monitor asks the alerts app to send, and whether it asked inside
    a transaction (the outbox must commit with the change)."""
    from django.db import connection

    events: list[dict] = []

    def record(**kwargs) -> int:
        events.append(kwargs | {"in_transaction": connection.in_atomic_block})
        return 1

    monkeypatch.setattr(notify, "raise_event", record)
    yield events
