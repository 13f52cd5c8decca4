"""What the monitor knows: per deployment its schedule and health, every probe, every
change of state (healthchecks' Flip), drift between the platform and the catalog, the
key checks people ask for, and which monitor processes are alive.

The catalog (accessportal) is never written here: drift is a flag, fixing it is a person's
edit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Health(models.TextChoices):
    UP = "up", _("Up")
    DEGRADED = "degraded", _("Degraded")
    DOWN = "down", _("Down")
    UNKNOWN = "unknown", _("Unknown")


class ProbeOutcome(models.TextChoices):
    OK = "ok", _("OK")
    SLOW = "slow", _("Slow")
    ERROR = "error", _("Failed")
    # The platform refused the monitoring credential: says nothing about the deployment.
    REFUSED = "refused", _("Key refused")


class MonitorSettings(models.Model):
    """A workspace's choice of monitoring credential; without a row (or a choice) the
    monitor uses the first enabled, unexpired access that covers each deployment."""

    workspace = models.OneToOneField(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="monitor_settings"
    )
    access = models.ForeignKey(
        "accessportal.ApplicationAccess",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("monitoring access"),
    )
    credential = models.ForeignKey(
        "accessportal.IamCredential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("IAM credential (V1)"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monitor settings")
        verbose_name_plural = _("monitor settings")

    def __str__(self) -> str:
        return f"monitor settings of workspace {self.workspace_id}"


class DeploymentHealth(models.Model):
    """One row per deployment the monitor has seen: when it is due, who holds it, and
    its health. ``recent`` keeps the last probes in short form for the board, so a page
    of rows needs no probe query."""

    deployment = models.OneToOneField(
        "accessportal.Deployment", on_delete=models.CASCADE, related_name="health"
    )
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    next_probe_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text="Someone asked for a check now; cleared when done."
    )
    state = models.CharField(max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    state_since = models.DateTimeField(default=timezone.now)
    cause = models.CharField(max_length=300, blank=True)  # as written when judged
    # The cause without words (monitor.health.cause_data), written in each reader's language.
    cause_data = models.JSONField(default=dict, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Consecutive failed passes.")
    last_probe_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error_message = models.CharField(max_length=300, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    not_monitored = models.CharField(max_length=300, blank=True)
    recent = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_probe_at"], name="monitor_health_due"),
            # Counts by state, and the board's order: which deployments of a workspace are
            # in a state, answered from the index alone (on SQLite the deployment column
            # lies after the long ``recent`` list, in overflow pages: reading it from the
            # rows made sorting 2,000 deployments cost more than drawing a page).
            models.Index(
                fields=["workspace", "state", "deployment"], name="monitor_health_ws_state_dep"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id}: {self.state}"


class Probe(models.Model):
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    deployment = models.ForeignKey(
        "accessportal.Deployment", on_delete=models.CASCADE, related_name="probes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.CharField(max_length=4)
    auth_label = models.CharField(max_length=150, help_text="Name and mask, never the secret.")
    outcome = models.CharField(max_length=8, choices=ProbeOutcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    ttft_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["deployment", "-created_at"], name="monitor_probe_dep_time"),
            models.Index(fields=["created_at"], name="monitor_probe_time"),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} {self.version} {self.outcome}"


class HealthEvent(models.Model):
    """A change of a deployment's health, with its cause (healthchecks' Flip)."""

    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    deployment = models.ForeignKey(
        "accessportal.Deployment", on_delete=models.CASCADE, related_name="health_events"
    )
    created_at = models.DateTimeField(default=timezone.now)
    old_state = models.CharField(max_length=10, choices=Health.choices)
    new_state = models.CharField(max_length=10, choices=Health.choices)
    cause = models.CharField(max_length=300)
    cause_data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["deployment", "created_at"], name="monitor_event_dep_time")]

    def __str__(self) -> str:
        return f"{self.deployment_id}: {self.old_state} -> {self.new_state}"


class DriftKind(models.TextChoices):
    NOT_RUNNING = "not_running", _("Not running on the platform")
    KEY_REFUSED = "key_refused", _("Key refused by the platform")
    NOT_BOUND = "not_bound", _("Key not bound to this deployment")
    VERSION_MISSING = "version_missing", _("Version not served")


class Drift(models.Model):
    """The platform contradicting the catalog, seen on a probe or a key check. Open while
    ``resolved_at`` is empty; resolved when a later answer agrees with the catalog or the
    catalog is edited to match."""

    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    deployment = models.ForeignKey(
        "accessportal.Deployment", on_delete=models.CASCADE, related_name="drifts"
    )
    access = models.ForeignKey(
        "accessportal.ApplicationAccess",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drifts",
    )
    kind = models.CharField(max_length=20, choices=DriftKind.choices)
    version = models.CharField(max_length=4)
    key = models.CharField(max_length=120, help_text="kind:deployment:access:version")
    error_code = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(resolved_at__isnull=True), name="monitor_drift_open"
            )
        ]
        indexes = [models.Index(fields=["workspace", "resolved_at"], name="monitor_drift_ws")]

    def __str__(self) -> str:
        return self.key


class KeyCheck(models.Model):
    """Someone asked to check a key: one item per (covered running deployment, version),
    probed by the monitor process, followed live by the access page."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    access = models.ForeignKey(
        "accessportal.ApplicationAccess", on_delete=models.CASCADE, related_name="key_checks"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    key_rotated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The key's rotation time when asked: a result speaks of that key only.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"key check {self.code}"


class KeyCheckItem(models.Model):
    check_run = models.ForeignKey(KeyCheck, on_delete=models.CASCADE, related_name="items")
    deployment = models.ForeignKey(
        "accessportal.Deployment", on_delete=models.CASCADE, related_name="+"
    )
    deployment_name = models.CharField(max_length=100)
    version = models.CharField(max_length=4)
    claimed_by = models.CharField(max_length=120, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=ProbeOutcome.choices, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["deployment_name", "version", "id"]
        indexes = [models.Index(fields=["done_at"], name="monitor_keycheck_pending")]

    def __str__(self) -> str:
        return f"{self.deployment_name} {self.version}"

    @property
    def ok(self) -> bool:
        return self.outcome in (ProbeOutcome.OK, ProbeOutcome.SLOW)


class MonitorProcess(models.Model):
    """A heartbeat per running ``manage.py monitor``: the board and /readyz read it."""

    name = models.CharField(max_length=120, unique=True)
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    last_pass_at = models.DateTimeField(null=True, blank=True)
    last_pass_probes = models.PositiveIntegerField(default=0)
    last_pass_ms = models.PositiveIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return self.name
