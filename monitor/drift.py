"""Drift: the platform's documented answers contradicting the catalog (pure functions).

| answer | the catalog says | drift |
|---|---|---|
| PANGU.3259 | the deployment is running | not running |
| APIG.0303 | the access is enabled | key refused |
| APIG.0304 | the access covers the deployment | not bound |
| APIG.0101 or HTTP 404 | the deployment serves this version | version not served |
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from monitor.models import DriftKind


@dataclass(frozen=True)
class CatalogView:
    """What the catalog claimed when the call was made."""

    running: bool = True
    access_enabled: bool = True
    access_covers: bool = True
    version_served: bool = True
    via_access: bool = True  # the call used an application access (not an IAM token)


def classify(error_code: str, status: int | None, catalog: CatalogView) -> tuple[str, ...]:
    """The drift kinds one answer shows (empty when it agrees with the catalog)."""
    kinds: list[str] = []
    if error_code == "PANGU.3259" and catalog.running:
        kinds.append(DriftKind.NOT_RUNNING)
    if error_code == "APIG.0303" and catalog.via_access and catalog.access_enabled:
        kinds.append(DriftKind.KEY_REFUSED)
    if error_code == "APIG.0304" and catalog.via_access and catalog.access_covers:
        kinds.append(DriftKind.NOT_BOUND)
    if (error_code == "APIG.0101" or status == 404) and catalog.version_served:
        kinds.append(DriftKind.VERSION_MISSING)
    return tuple(kinds)


def drift_key(kind: str, deployment_id: int, access_id: int | None, version: str) -> str:
    """Identity of an open drift. Deployment-level kinds ignore the access and key-level
    ones the version, so one finding is one flag whichever key or version showed it."""
    if kind in (DriftKind.NOT_RUNNING,):
        access_id, version = None, ""
    elif kind == DriftKind.VERSION_MISSING:
        access_id = None
    else:
        version = ""
    return f"{kind}:{deployment_id}:{access_id or ''}:{version}"


# What fixes the catalog, per kind: (label, URL name, which object the URL needs).
FIXES = {
    DriftKind.NOT_RUNNING: (_("Mark as stopped"), "accessportal:deployment_edit", "deployment"),
    DriftKind.VERSION_MISSING: (_("Edit deployment"), "accessportal:deployment_edit", "deployment"),
    DriftKind.KEY_REFUSED: (_("Rotate or disable key"), "accessportal:access_detail", "access"),
    DriftKind.NOT_BOUND: (_("Edit access"), "accessportal:access_edit", "access"),
}

EXPLAINED = {
    DriftKind.NOT_RUNNING: _(
        "The platform says this deployment is not running (PANGU.3259); the catalog says "
        "running. If it was stopped on purpose, mark it as stopped."
    ),
    DriftKind.VERSION_MISSING: _(
        "The platform does not serve this version at the call path (APIG.0101 / 404); the "
        "catalog says it does. Check the versions and the call path."
    ),
    DriftKind.KEY_REFUSED: _(
        "The platform refuses this key (APIG.0303); the catalog says it is enabled. It was "
        "probably rotated or deleted in the console: rotate it here too, or disable it."
    ),
    DriftKind.NOT_BOUND: _(
        "The platform says this key is not bound to this deployment (APIG.0304); the catalog "
        "says it covers it. Bind it in the console, or edit the access's services."
    ),
}
