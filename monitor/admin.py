"""The monitor's rows in the Django admin: read-only (they hold no secret)."""

from __future__ import annotations

from django.contrib import admin

from accessportal.admin import ReadOnlyAdmin
from monitor.models import DeploymentHealth, Drift, HealthEvent, MonitorProcess, Probe


@admin.register(DeploymentHealth)
class DeploymentHealthAdmin(ReadOnlyAdmin):
    list_display = ["deployment", "state", "state_since", "next_probe_at", "claimed_by"]
    list_filter = ["state"]
    list_select_related = ["deployment"]
    exclude = ["recent"]


@admin.register(Probe)
class ProbeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "deployment", "version", "outcome", "status_code", "error_code"]
    list_filter = ["outcome", "version"]
    list_select_related = ["deployment"]


@admin.register(HealthEvent)
class HealthEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "deployment", "old_state", "new_state", "cause"]
    list_select_related = ["deployment"]


@admin.register(Drift)
class DriftAdmin(ReadOnlyAdmin):
    list_display = ["first_seen_at", "deployment", "kind", "error_code", "resolved_at"]
    list_filter = ["kind"]
    list_select_related = ["deployment"]


@admin.register(MonitorProcess)
class MonitorProcessAdmin(ReadOnlyAdmin):
    list_display = ["name", "started_at", "last_seen_at", "last_pass_at", "stopped_at"]
