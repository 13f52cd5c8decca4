"""Runs each request in its reader's language and time zone.

After LocaleMiddleware (cookie, else Accept-Language) and authentication: a signed-in
user's saved language wins, and the language cookie is brought in line with it so the
choice outlives the sign-out. Reads only the session (no query per request).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from accounts.preferences import (
    BROWSER_ZONE_COOKIE,
    SESSION_LANGUAGE,
    SESSION_TIME_ZONE,
    valid_language,
    zone_for,
)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", {})
        language = valid_language(session.get(SESSION_LANGUAGE))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        timezone.activate(
            zone_for(session.get(SESSION_TIME_ZONE), request.COOKIES.get(BROWSER_ZONE_COOKIE))
        )
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        language = valid_language(session.get(SESSION_LANGUAGE))  # may change in the view
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response
