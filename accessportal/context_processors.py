from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def section(request: HttpRequest) -> dict[str, str]:
    """The area of the current page (``deployment``, ``access``…) for the navigation:
    URL names are ``<entity>_<action>``, so the entity is the area."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match and match.url_name else ""
    return {"section": name.split("_", 1)[0]}


def expiring(request: HttpRequest) -> dict[str, object]:
    """How many of the workspace's keys expire soon, for the navigation; counted only
    when a page shows it (lazily), and only on a workspace's pages."""
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return {}
    return {"expiring_count": SimpleLazyObject(lambda: workspace.accesses.expiring_soon().count())}
