"""Test calls in the Django admin: a read-only history (it holds no secret)."""

from __future__ import annotations

from django.contrib import admin

from accessportal.admin import ReadOnlyAdmin
from chat.models import TestCall


@admin.register(TestCall)
class TestCallAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "workspace",
        "username",
        "deployment_name",
        "api_version",
        "auth_label",
        "status_code",
        "outcome",
        "latency_ms",
    ]
    list_filter = ["outcome", "origin", "api_version", "stream"]
    search_fields = ["deployment_name", "username", "error_code"]
    list_select_related = ["workspace"]
