"""What a test call needs, authorized and loaded in one query.

A playground call used to read the membership, the deployment, the key or credential and
the key's scope one after the other, each a round trip before the upstream call could
start. Here one statement joins them: the user's membership of the workspace (its role
is checked by ``workspace_view`` as for any view), and, within that workspace only, the
deployment and the key or credential the browser named, and whether the key covers the
deployment. A code of another workspace simply finds nothing (404, as before).

Every check stays where it was (chat/forms.py); only the loading moved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.http import HttpRequest

from accessportal.models import (
    ApplicationAccess,
    Deployment,
    IamCredential,
    Membership,
    Workspace,
)
from accessportal.scoping import get_membership

ACCESS, CREDENTIAL = "access", "credential"


@dataclass(frozen=True)
class CallParts:
    """The rows a call named, loaded with its membership; None for a code not found."""

    deployment_code: uuid.UUID
    kind: str
    auth_code: uuid.UUID
    deployment: Deployment | None
    access: ApplicationAccess | None
    credential: IamCredential | None
    covered: bool  # the access is bound to all services or to this deployment

    def matches(self, deployment_code: uuid.UUID, kind: str, auth_code: uuid.UUID) -> bool:
        return (self.deployment_code, self.kind, self.auth_code) == (
            deployment_code,
            kind,
            auth_code,
        )


def named_codes(data) -> tuple[uuid.UUID, str, uuid.UUID] | None:
    """The deployment code and the kind and code of the key the form names; None when
    malformed (the form then says why)."""
    kind, _, code = str(data.get("auth", "")).partition(":")
    if kind not in (ACCESS, CREDENTIAL):
        return None
    try:
        return uuid.UUID(str(data.get("deployment", ""))), kind, uuid.UUID(code)
    except ValueError:
        return None


def _with_call(rows, prefix: str, deployment_code, kind: str, auth_code):
    """``rows`` (memberships or workspaces; ``prefix`` leads from them to the workspace)
    joined with the named deployment and key of that workspace and the key's scope."""
    key_relation = f"{prefix}{'accesses' if kind == ACCESS else 'iam_credentials'}"
    rows = rows.annotate(
        call_deployment=FilteredRelation(
            f"{prefix}deployments",
            condition=Q(**{f"{prefix}deployments__code": deployment_code}),
        ),
        call_key=FilteredRelation(
            key_relation, condition=Q(**{f"{key_relation}__code": auth_code})
        ),
    ).select_related("call_deployment", "call_key")
    if kind == ACCESS:
        scope = ApplicationAccess.deployments.through.objects.filter(
            applicationaccess_id=OuterRef("call_key__id"),
            deployment_id=OuterRef("call_deployment__id"),
        )
        rows = rows.annotate(call_scoped=Exists(scope))
    return rows


def _parts(row, workspace: Workspace, deployment_code, kind: str, auth_code) -> CallParts:
    # A filtered relation that found nothing leaves no attribute (not None).
    deployment, key = getattr(row, "call_deployment", None), getattr(row, "call_key", None)
    for loaded in (deployment, key):
        if loaded is not None:
            loaded.workspace = workspace  # the same object: no query when a caller reads it
    access = key if kind == ACCESS else None
    return CallParts(
        deployment_code=deployment_code,
        kind=kind,
        auth_code=auth_code,
        deployment=deployment,
        access=access,
        credential=key if kind == CREDENTIAL else None,
        covered=bool(access and (access.all_services or row.call_scoped)),
    )


def load_in(workspace: Workspace, deployment_code, kind: str, auth_code) -> CallParts:
    """The named deployment and key of ``workspace`` (None for what it does not hold)."""
    rows = _with_call(
        Workspace.objects.filter(pk=workspace.pk), "", deployment_code, kind, auth_code
    )
    return _parts(rows.get(), workspace, deployment_code, kind, auth_code)


def membership_with_call(request: HttpRequest, ws) -> Membership:
    """``workspace_view``'s loader for the playground's send: the membership (404 for an
    outsider, as ``get_membership``) with ``call`` set to the ``CallParts`` the POST names,
    all in one query. Malformed codes load the membership alone; the form answers 400."""
    codes = named_codes(request.POST)
    if codes is None or not request.user.is_authenticated:
        return get_membership(request.user, ws)
    rows = Membership.objects.filter(user=request.user, workspace__code=ws).select_related(
        "workspace"
    )
    # Unordered: a user has one membership a workspace, and the default ordering (by user
    # name) would join the user table for nothing.
    membership = _with_call(rows, "workspace__", *codes).order_by().first()
    if membership is None:
        return get_membership(request.user, ws)  # raises 404, as for any view
    membership.call = _parts(membership, membership.workspace, *codes)
    return membership
