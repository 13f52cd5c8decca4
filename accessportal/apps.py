from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessPortalConfig(AppConfig):
    name = "accessportal"
    label = "accessportal"
    verbose_name = _("Access Portal catalog")
    default_auto_field = "django.db.models.BigAutoField"
