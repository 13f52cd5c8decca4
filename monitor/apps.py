from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "monitor"
    label = "monitor"
    verbose_name = _("Monitor")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # accessportal's /readyz knows nothing of the monitor: the monitor reports into it.
        from accessportal import readiness
        from monitor.heartbeat import readiness_report

        readiness.register_report("monitor", readiness_report)
