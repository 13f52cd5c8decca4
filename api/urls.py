"""The REST API, mounted at /api/v1/ (namespace ``api``).

Its callers authenticate with bearer tokens, not sessions: the site-wide login
requirement (LoginRequiredMiddleware) would redirect them to a sign-in page, so every API
view is exempt from it and answers 401 itself."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from api.main import api


def _exempt(patterns: list) -> list:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _exempt(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback.login_required = False
    return patterns


_patterns, _app, _namespace = api.urls
urlpatterns = [path("", (_exempt(_patterns), _app, _namespace))]
