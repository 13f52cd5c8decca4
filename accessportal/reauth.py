"""Recent password confirmation, kept in the session, that unlocks a key reveal."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "accessportal_reauth_at"


def mark_confirmed(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = time.time()


def recently_confirmed(request: HttpRequest) -> bool:
    confirmed_at = request.session.get(SESSION_KEY)
    if not isinstance(confirmed_at, int | float):
        return False
    return 0 <= time.time() - confirmed_at < settings.PORTAL_REAUTH_SECONDS
