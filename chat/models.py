"""The history of playground calls. Never holds a key, a token or a full prompt."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OK = "ok", _("OK")
    ERROR = "error", _("Error")
    ABORTED = "aborted", _("Stopped")


class Origin(models.TextChoices):
    """Where a test call was made from (the history filters by it)."""

    PLAYGROUND = "playground", _("Playground")
    KEY_CHECK = "key_check", _("Key check")
    API = "api", _("API")
    # The monitor's scheduled probes are not test calls: they are kept as probes (the
    # board's strip and uptime), pruned after PORTAL_MONITOR_RETENTION_DAYS.


class TestCall(models.Model):
    __test__ = False  # not a pytest test class, despite the name

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="test_calls"
    )
    deployment = models.ForeignKey(
        "accessportal.Deployment",
        null=True,
        on_delete=models.SET_NULL,
        related_name="test_calls",
    )
    deployment_name = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    api_version = models.CharField(max_length=4)
    auth_mode = models.CharField(max_length=16)
    access = models.ForeignKey(
        "accessportal.ApplicationAccess", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    credential = models.ForeignKey(
        "accessportal.IamCredential", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    auth_label = models.CharField(max_length=150, help_text="Name and mask, never the secret.")
    stream = models.BooleanField(default=False)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OK)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    ttft_ms = models.PositiveIntegerField(_("time to first token (ms)"), null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    total_tokens = models.PositiveIntegerField(null=True, blank=True)
    prompt_excerpt = models.CharField(max_length=500, blank=True)
    origin = models.CharField(
        max_length=16, choices=Origin.choices, default=Origin.PLAYGROUND, db_index=True
    )
    # The request as sent, with the key or token replaced by its mask, and the start of
    # the raw answer: kept only when the operator keeps prompts (PORTAL_TESTCALL_PROMPT_CHARS).
    request_url = models.CharField(max_length=500, blank=True)
    request_headers = models.JSONField(default=dict, blank=True)
    request_body = models.JSONField(null=True, blank=True)
    response_raw = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("test call")
        verbose_name_plural = _("test calls")
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.username} → {self.deployment_name} ({self.api_version}) {self.status_code}"
