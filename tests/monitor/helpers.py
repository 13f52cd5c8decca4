"""Running monitor passes in tests, pass by pass (healthchecks' sendalerts tests style)."""

from __future__ import annotations

from django.utils import timezone

from monitor.models import DeploymentHealth
from monitor.runner import Monitor


def run_pass(name: str = "test-host:1:aaaa") -> int:
    """One pass of a fresh monitor; returns the probes made."""
    monitor = Monitor(name=name)
    monitor.start() if not monitor_registered(name) else None
    try:
        return monitor.run_pass()
    finally:
        monitor.pool.shutdown(wait=True)


def monitor_registered(name: str) -> bool:
    from monitor.models import MonitorProcess

    return MonitorProcess.objects.filter(name=name).exists()


def make_due(**filters) -> int:
    """Everything (or the rows matching ``filters``) due now, as after one interval."""
    return DeploymentHealth.objects.filter(**filters).update(next_probe_at=timezone.now())


def health_of(deployment) -> DeploymentHealth:
    return DeploymentHealth.objects.get(deployment=deployment)
