from __future__ import annotations

from django.apps import AppConfig


class AccessPortalConfig(AppConfig):
    name = "accessportal"
    label = "accessportal"
    verbose_name = "Access Portal catalog"
    default_auto_field = "django.db.models.BigAutoField"
