from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accessportal import services
from accessportal.clientip import client_ip
from accessportal.forms import WorkspaceForm
from accessportal.models import Role, Workspace
from accessportal.scoping import workspace_view
from accessportal.views.common import saved, warn_about_addresses


@require_GET
def workspace_list(request: HttpRequest) -> HttpResponse:
    workspaces = (
        Workspace.objects.filter(memberships__user=request.user)
        .annotate(deployment_count=Count("deployments", distinct=True))
        .order_by("name")
    )
    roles = dict(request.user.memberships.values_list("workspace_id", "role"))
    rows = [(ws, Role(roles[ws.pk]).label if ws.pk in roles else "") for ws in workspaces]
    return render(request, "accessportal/workspace_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def workspace_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff users create workspaces."))
    form = WorkspaceForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            workspace := saved(
                form, services.create_workspace, actor=request.user, ip=client_ip(request)
            )
        )
    ):
        messages.success(
            request,
            _("Workspace “%(name)s” created. You are its admin.") % {"name": workspace.name},
        )
        warn_about_addresses(request, workspace)
        return redirect("accessportal:deployment_list", ws=workspace.code)
    return render(request, "accessportal/workspace_form.html", {"form": form})


@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def workspace_edit(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None, instance=request.workspace)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(form, services.save_workspace, actor=request.user, ip=client_ip(request))
    ):
        messages.success(request, _("Workspace settings saved."))
        warn_about_addresses(request, request.workspace)
        return redirect("accessportal:workspace_edit", ws=request.workspace.code)
    return render(request, "accessportal/workspace_edit.html", {"form": form})


@workspace_view(Role.VIEWER)
def workspace_home(request: HttpRequest) -> HttpResponse:
    return redirect("accessportal:deployment_list", ws=request.workspace.code)
