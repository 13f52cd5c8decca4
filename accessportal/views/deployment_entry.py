"""Pasting a call path into the deployment form, and its live preview.

The preview answers the form's script with HTML rendered here (and the fields a paste
filled), so the browser computes nothing; without script, *Fill from call path* posts to
``deployment_fill``, which shows the same form filled in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from accessportal import deployment_entry
from accessportal.forms import DeploymentForm
from accessportal.models import Role
from accessportal.scoping import workspace_view

PREVIEW_TEMPLATE = "accessportal/_deployment_preview.html"


def _fill_and_bind(request: HttpRequest, dep):
    workspace = request.workspace
    deployment = get_object_or_404(workspace.deployments, code=dep) if dep else None
    fill = deployment_entry.fill_from_call_paths(
        request.POST, endpoint=workspace.inference_endpoint, project_id=workspace.project_id
    )
    form = DeploymentForm(fill.data, instance=deployment, workspace=workspace)
    return deployment, fill, form


@workspace_view(Role.ADMIN, methods=("POST",))
def deployment_preview(request: HttpRequest, dep=None) -> JsonResponse:
    _, fill, form = _fill_and_bind(request, dep)
    preview = deployment_entry.preview(form, fill.notes)
    html = render_to_string(
        PREVIEW_TEMPLATE, {"preview": preview, "fill_error": fill.error}, request=request
    )
    return JsonResponse({"html": html, "filled": fill.changed, "fill_error": fill.error})


@workspace_view(Role.ADMIN, methods=("POST",))
def deployment_fill(request: HttpRequest, dep=None) -> HttpResponse:
    deployment, fill, bound = _fill_and_bind(request, dep)
    preview = deployment_entry.preview(bound, fill.notes)
    form = DeploymentForm(
        initial=deployment_entry.initial_from(bound),
        instance=deployment,
        workspace=request.workspace,
    )
    context = {"form": form, "deployment": deployment, "preview": preview, "fill": fill}
    return render(request, "accessportal/deployment_form.html", context)
