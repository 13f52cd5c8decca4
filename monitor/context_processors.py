from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from monitor.summary import counts_for


def health_counts(request: HttpRequest) -> dict:
    """Deployments down and open drift flags of the current workspace, for the navigation
    and the workspace home: one query, and only on pages that show them."""
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return {}
    return {"health_counts": SimpleLazyObject(lambda: counts_for(workspace))}
