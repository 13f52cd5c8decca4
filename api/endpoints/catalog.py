"""Workspaces, deployments, IAM credentials and members: read by every role the pages
allow, deployments written by admins through the same forms and audited services."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.db.models import Q
from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accessportal import services
from accessportal.clientip import client_ip
from accessportal.forms import DeploymentForm
from accessportal.models import Membership, Workspace
from api.acting import acting
from api.errors import conflict_as_409, form_error, not_found
from api.models import Scope
from api.paging import Page, PageQuery, page
from api.schemas import (
    CredentialOut,
    DeploymentIn,
    DeploymentOut,
    MemberOut,
    QueryText,
    WorkspaceOut,
)
from api.scoping import ADMIN, VIEWER, operation

router = Router(tags=["catalog"])
W = "/workspaces/{uuid:ws}"


@operation(router, "GET", "/workspaces", role=None, response=Page[WorkspaceOut])
def workspace_list(request: HttpRequest, params: PageQuery):
    """The workspaces the token's user belongs to (and the token may reach)."""
    token = request.auth
    mine = Membership.objects.filter(user_id=token.user_id).values("workspace_id")
    queryset = Workspace.objects.filter(pk__in=mine)
    restricted = token.workspaces.values("pk")
    if restricted.exists():
        queryset = queryset.filter(pk__in=restricted)
    return page(request, queryset.order_by("name", "id"), params)


@operation(router, "GET", W, role=VIEWER, response=WorkspaceOut)
def workspace_detail(request: HttpRequest, ws: UUID):
    return request.workspace


class DeploymentFilters(Schema):
    status: Literal["deploying", "running", "stopped", "failed"] | None = None
    mode: Literal["cloud", "edge_lb", "edge_node"] | None = None
    source: Literal["my_service", "preset_service"] | None = None
    q: QueryText | None = Field(
        None, max_length=100, description="Name, model name or deployment ID."
    )


def _deployments(request: HttpRequest):
    return request.workspace.deployments.all()


def _deployment(request: HttpRequest, code: UUID):
    found = _deployments(request).filter(code=code).first()
    if found is None:
        raise not_found()
    return found


@operation(router, "GET", W + "/deployments", role=VIEWER, response=Page[DeploymentOut])
def deployment_list(
    request: HttpRequest, ws: UUID, params: PageQuery, filters: Query[DeploymentFilters]
):
    """Deployments with their derived call paths and the headers of every auth mode."""
    queryset = _deployments(request)
    for field in ("status", "mode", "source"):
        if value := getattr(filters, field):
            queryset = queryset.filter(**{field: value})
    if filters.q:
        queryset = queryset.filter(
            Q(name__icontains=filters.q)
            | Q(model_name__icontains=filters.q)
            | Q(deployment_id__icontains=filters.q)
        )
    return page(request, queryset.order_by("name", "id"), params)


@operation(router, "GET", W + "/deployments/{uuid:dep}", role=VIEWER, response=DeploymentOut)
def deployment_detail(request: HttpRequest, ws: UUID, dep: UUID):
    return _deployment(request, dep)


def _save_deployment(request: HttpRequest, data: dict, instance=None):
    form = DeploymentForm(data=data, instance=instance, workspace=request.workspace)
    if not form.is_valid():
        raise form_error(form)
    with conflict_as_409(), acting(request):
        return services.save_deployment(form=form, actor=request.user, ip=client_ip(request))


@operation(
    router,
    "POST",
    W + "/deployments",
    role=ADMIN,
    scope=Scope.WRITE,
    response={201: DeploymentOut},
)
def deployment_create(request: HttpRequest, ws: UUID, payload: DeploymentIn):
    data = {"mode": "cloud", "source": "my_service", "status": "running", "serves_v1": True}
    data |= payload.dict(exclude_unset=True)
    return Status(201, _save_deployment(request, data))


@operation(
    router,
    "PATCH",
    W + "/deployments/{uuid:dep}",
    role=ADMIN,
    scope=Scope.WRITE,
    response=DeploymentOut,
)
def deployment_update(request: HttpRequest, ws: UUID, dep: UUID, payload: DeploymentIn):
    deployment = _deployment(request, dep)
    current = model_to_dict(deployment, fields=DeploymentForm._meta.fields)
    return _save_deployment(request, current | payload.dict(exclude_unset=True), deployment)


@operation(
    router,
    "DELETE",
    W + "/deployments/{uuid:dep}",
    role=ADMIN,
    scope=Scope.WRITE,
    response={204: None},
)
def deployment_delete(request: HttpRequest, ws: UUID, dep: UUID):
    deployment = _deployment(request, dep)
    with acting(request):
        services.delete_deployment(deployment=deployment, actor=request.user, ip=client_ip(request))
    return Status(204, None)


@operation(router, "GET", W + "/credentials", role=VIEWER, response=Page[CredentialOut])
def credential_list(request: HttpRequest, ws: UUID, params: PageQuery):
    """IAM credentials for token authentication; never their passwords."""
    return page(request, request.workspace.iam_credentials.order_by("name", "id"), params)


@operation(router, "GET", W + "/members", role=ADMIN, response=Page[MemberOut])
def member_list(request: HttpRequest, ws: UUID, params: PageQuery):
    members = request.workspace.memberships.select_related("user")
    return page(request, members.order_by("user__username", "id"), params)
