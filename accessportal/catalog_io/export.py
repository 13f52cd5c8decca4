"""The database as a catalog document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accessportal import crypto
from accessportal.catalog_io.schema import (
    ACCESS_FIELDS,
    AUDIT_FIELDS,
    CREDENTIAL_FIELDS,
    DEPLOYMENT_FIELDS,
    DT,
    DT_OPT,
    FORMAT,
    SCHEMA_VERSION,
    USER_OPT,
    UUID,
    WORKSPACE_FIELDS,
    WORKSPACE_LISTS,
    CatalogError,
)
from accessportal.catalog_io.sealing import Sealer, secret_context
from accessportal.models import (
    ApplicationAccess,
    AuditEvent,
    Deployment,
    IamCredential,
    Membership,
    Workspace,
)

# --- Export --------------------------------------------------------------------------------


def _dump(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == UUID:
        return str(value)
    if kind in (DT, DT_OPT):
        return value.isoformat()
    if kind == USER_OPT:
        return value.get_username()
    return value


def _row(instance: models.Model, fields: dict[str, str]) -> dict[str, Any]:
    return {name: _dump(kind, getattr(instance, name)) for name, kind in fields.items()}


def _reveal(instance: models.Model, read: Callable[[], str]) -> str:
    try:
        return read()
    except crypto.CryptoError:
        raise CatalogError(
            f"{type(instance).__name__} {instance.code} does not decrypt with the configured "
            "keys (PORTAL_ENCRYPTION_KEYS); nothing was exported."
        ) from None


@sensitive_variables()
def build_export(*, passphrase: str | None = None) -> dict[str, Any]:
    """The whole catalog; secrets only when a passphrase is given, sealed under it."""
    sealer = Sealer.create(passphrase) if passphrase is not None else None
    workspaces = Workspace.objects.order_by("pk").prefetch_related(
        models.Prefetch("memberships", Membership.objects.select_related("user").order_by("pk")),
        models.Prefetch("deployments", Deployment.objects.order_by("pk")),
        models.Prefetch(
            "accesses",
            ApplicationAccess.objects.select_related("created_by")
            .prefetch_related(models.Prefetch("deployments", Deployment.objects.order_by("pk")))
            .order_by("pk"),
        ),
        models.Prefetch(
            "iam_credentials", IamCredential.objects.select_related("created_by").order_by("pk")
        ),
        models.Prefetch("audit_events", AuditEvent.objects.select_related("actor").order_by("pk")),
    )
    out = []
    for workspace in workspaces:
        entry = _row(workspace, WORKSPACE_FIELDS)
        entry["members"] = [
            {
                "code": str(m.code),
                "username": m.user.get_username(),
                "role": m.role,
                "created_at": m.created_at.isoformat(),
            }
            for m in workspace.memberships.all()
        ]
        entry["deployments"] = [_row(d, DEPLOYMENT_FIELDS) for d in workspace.deployments.all()]
        entry["accesses"] = []
        for access in workspace.accesses.all():
            row = _row(access, ACCESS_FIELDS)
            row["deployments"] = [str(d.code) for d in access.deployments.all()]
            if sealer:
                row["api_key"] = sealer.seal(
                    _reveal(access, access.api_key),
                    context=secret_context(ApplicationAccess, "api_key", access.code),
                )
            entry["accesses"].append(row)
        entry["iam_credentials"] = []
        for credential in workspace.iam_credentials.all():
            row = _row(credential, CREDENTIAL_FIELDS)
            if sealer:
                row["password"] = sealer.seal(
                    _reveal(credential, credential.password),
                    context=secret_context(IamCredential, "password", credential.code),
                )
            entry["iam_credentials"].append(row)
        entry["audit_events"] = [_row(e, AUDIT_FIELDS) for e in workspace.audit_events.all()]
        out.append(entry)
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(),
        "secrets": sealer.header if sealer else None,
        "workspaces": out,
    }


def summarize(data: dict[str, Any]) -> dict[str, int]:
    counts = {"workspaces": len(data["workspaces"])}
    for key in WORKSPACE_LISTS:
        counts[key] = sum(len(w.get(key, [])) for w in data["workspaces"])
    return counts
