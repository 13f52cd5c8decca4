from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    label = "alerts"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The audit trail is the catalog's; it raises key_revealed/key_rotated through a
        # receiver here, so accessportal never imports alerts.
        from alerts import receivers  # noqa: F401
