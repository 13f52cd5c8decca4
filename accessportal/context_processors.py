from __future__ import annotations

from django.http import HttpRequest


def section(request: HttpRequest) -> dict[str, str]:
    """The area of the current page (``deployment``, ``access``…) for the navigation:
    URL names are ``<entity>_<action>``, so the entity is the area."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match and match.url_name else ""
    return {"section": name.split("_", 1)[0]}
