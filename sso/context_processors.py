from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def sso(request: HttpRequest) -> dict:
    return {
        "sso": {
            "enabled": bool(settings.PORTAL_OIDC_ISSUER),
            "name": settings.PORTAL_OIDC_PROVIDER_NAME,
            "local_login": settings.PORTAL_LOCAL_LOGIN,
        }
    }
