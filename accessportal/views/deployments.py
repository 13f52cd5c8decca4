from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accessportal import headers, services
from accessportal.clientip import client_ip
from accessportal.examples import example_json
from accessportal.forms import DeploymentFilterForm, DeploymentForm
from accessportal.models import ApplicationAccess, Role, Source
from accessportal.scoping import workspace_view
from accessportal.views.common import paginate, query_without_page, saved, warn_about_addresses
from accessportal.views.snippets import code_panel_context

TABS = {"my": Source.MY_SERVICE, "preset": Source.PRESET_SERVICE}


@workspace_view(Role.VIEWER)
def deployment_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "my"
    deployments = request.workspace.deployments.filter(source=TABS[tab])
    filters = DeploymentFilterForm(request.GET)
    if filters.is_valid():
        if q := filters.cleaned_data["q"]:
            deployments = deployments.filter(
                Q(name__icontains=q) | Q(model_name__icontains=q) | Q(deployment_id__icontains=q)
            )
        if status := filters.cleaned_data["status"]:
            deployments = deployments.filter(status=status)
        if mode := filters.cleaned_data["mode"]:
            deployments = deployments.filter(mode=mode)
    counts = {
        key: request.workspace.deployments.filter(source=source).count()
        for key, source in TABS.items()
    }
    return render(
        request,
        "accessportal/deployment_list.html",
        {
            "tab": tab,
            "counts": counts,
            "filters": filters,
            "page": paginate(request, deployments),
            "query": query_without_page(request),
        },
    )


def _deployment(request: HttpRequest, code):
    return get_object_or_404(request.workspace.deployments, code=code)


@workspace_view(Role.VIEWER)
def deployment_detail(request: HttpRequest, dep) -> HttpResponse:
    deployment = _deployment(request, dep)
    accesses = list(ApplicationAccess.objects.covering(deployment).order_by("name"))
    for access in accesses:
        # This deployment's row of the access's last key check, if it was checked.
        access.check = access.last_check.get(str(deployment.code))
    usable = [a for a in accesses if a.is_usable]
    key_shown = usable[0].key_hint if usable else "<API key>"  # a placeholder, like code
    header_tables = [
        {
            "scheme": scheme,
            "rows": headers.request_headers(
                scheme.version,
                scheme.auth_mode,
                "<IAM token>" if scheme.auth_mode == headers.TOKEN else key_shown,
            ),
        }
        for scheme in headers.schemes_for(deployment.versions)
    ]
    return render(
        request,
        "accessportal/deployment_detail.html",
        {
            "deployment": deployment,
            "call_paths": deployment.call_paths(),
            "header_tables": header_tables,
            "accesses": accesses,
            "examples": {v: example_json(v, deployment.model_name) for v in deployment.versions},
            "code": code_panel_context(deployment, request, usable),
        },
    )


@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def deployment_create(request: HttpRequest) -> HttpResponse:
    form = DeploymentForm(request.POST or None, workspace=request.workspace)
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            deployment := saved(
                form, services.save_deployment, actor=request.user, ip=client_ip(request)
            )
        )
    ):
        messages.success(request, _("Deployment “%(name)s” added.") % {"name": deployment.name})
        warn_about_addresses(request, deployment)
        return redirect(
            "accessportal:deployment_detail", ws=request.workspace.code, dep=deployment.code
        )
    return render(request, "accessportal/deployment_form.html", {"form": form})


@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def deployment_edit(request: HttpRequest, dep) -> HttpResponse:
    deployment = _deployment(request, dep)
    form = DeploymentForm(request.POST or None, instance=deployment, workspace=request.workspace)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(form, services.save_deployment, actor=request.user, ip=client_ip(request))
    ):
        messages.success(request, _("Deployment “%(name)s” saved.") % {"name": deployment.name})
        warn_about_addresses(request, deployment)
        return redirect(
            "accessportal:deployment_detail", ws=request.workspace.code, dep=deployment.code
        )
    return render(
        request, "accessportal/deployment_form.html", {"form": form, "deployment": deployment}
    )


@workspace_view(Role.ADMIN, methods=("POST",))
def deployment_delete(request: HttpRequest, dep) -> HttpResponse:
    deployment = _deployment(request, dep)
    services.delete_deployment(deployment=deployment, actor=request.user, ip=client_ip(request))
    messages.success(request, _("Deployment “%(name)s” deleted.") % {"name": deployment.name})
    return redirect("accessportal:deployment_list", ws=request.workspace.code)
