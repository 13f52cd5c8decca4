"""A person's language and time zone: where each is kept and which one wins (pure).

Saved choices live on the Profile and, for the signed-in session, in the session itself,
so applying them costs no query per request. The browser's zone comes from a cookie set
by static/js/timezone.js until the person saves one.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings

SESSION_LANGUAGE = "accounts.language"
SESSION_TIME_ZONE = "accounts.time_zone"
BROWSER_ZONE_COOKIE = "portal_tz"


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# Legacy aliases ("Cuba", "EST5EDT", "US/Pacific") stay valid from a browser's cookie, but
# the profile offers only the canonical Area/City names and UTC.
_LEGACY_AREAS = ("Etc/", "SystemV/", "US/", "posix/", "right/", "Canada/", "Brazil/", "Chile/")


@cache
def selectable_zones() -> tuple[str, ...]:
    canonical = (z for z in known_zones() if "/" in z and not z.startswith(_LEGACY_AREAS))
    return ("UTC", *sorted(canonical))


def valid_zone(name: str | None) -> str:
    """``name`` if it is an IANA zone this machine knows, else ``""``."""
    name = (name or "").strip()
    return name if name in known_zones() else ""


def valid_language(code: str | None) -> str:
    code = (code or "").strip().lower()
    return code if code in dict(settings.LANGUAGES) else ""


def zone_for(saved: str | None, browser: str | None) -> str:
    """The zone a request runs in: the saved one, else the browser's, else the server's."""
    return valid_zone(saved) or valid_zone(browser) or settings.TIME_ZONE


def remember(session, *, language: str, time_zone: str) -> None:
    """Keep a user's saved choices in their session (empty: the browser decides)."""
    for key, value in ((SESSION_LANGUAGE, language), (SESSION_TIME_ZONE, time_zone)):
        if value:
            session[key] = value
        else:
            session.pop(key, None)
