"""While the database cannot be reached, pages answer a plain 503 with Retry-After instead
of a 500 (the liveness probe /healthz and the readiness probe /readyz answer as before).

The middleware opens (or health-checks) the database connection before anything else uses
it, the same check Django makes on a request's first query anyway, so it costs nothing
extra; a database that goes away in the middle of a request is caught as the view's
exception or, failing in another middleware, by the 500 handler. Recovery needs no
restart: the next request connects again. The outage is logged once a minute per process.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from accessportal.throttled_log import ThrottledLog

logger = logging.getLogger(__name__)
throttled = ThrottledLog(logger)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
TOPIC = "database"


def database_not_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that answers by itself while the database is down (the health probes)."""
    view.database_not_required = True
    return view


def unavailable_response(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: its context processors would read the session and
    # the user from the database. The language comes from the browser alone, likewise.
    with translation.override(translation.get_language_from_request(request)):
        page = render_to_string("503.html")
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Django logs every 5xx answer as an error; an outage is logged once a minute instead.
    response._has_been_logged = True
    return response


def report(error: BaseException) -> None:
    throttled.warning(
        TOPIC, "The database cannot be reached; answering 503: %s: %s", type(error).__name__, error
    )


def database_reachable() -> bool:
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DATABASE_ERRORS as error:
        report(error)
        return False
    throttled.resolved(TOPIC, "The database is reachable again")
    return True


def _needs_database(request: HttpRequest) -> bool:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return True  # the 404 page shows who is signed in
    return not getattr(view, "database_not_required", False)


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _needs_database(request) and not database_reachable():
            return unavailable_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            report(exception)
            return unavailable_response(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error raised outside a view (in another middleware, or while
    the answer is finished) is still an outage, not a bug."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable_response(request)
    return defaults.server_error(request)
