"""Channels and deliveries in the Django admin, read-only like the catalog; no ciphertext."""

from __future__ import annotations

from django.contrib import admin

from accessportal.admin import ReadOnlyAdmin
from alerts.models import Channel, Delivery


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "kind", "target_hint", "enabled"]
    list_filter = ["kind", "enabled"]
    exclude = ["target_ciphertext"]
    readonly_fields = ["code", "target_hint", "secret_hint", "created_by"]
    list_select_related = ["workspace"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "event", "status", "attempts", "last_error"]
    list_filter = ["status"]
    list_select_related = ["channel", "event"]
