"""The health board, *Check now*, the monitoring credential, and the key check.

No view calls a deployment: they write what is to be checked and the monitor process
does it; the pages poll a small JSON answer and replace their rows with fresh HTML.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accessportal import audit
from accessportal.clientip import client_ip
from accessportal.models import AuditAction, Role, Status
from accessportal.scoping import workspace_view
from chat import ratelimit
from monitor import keychecks
from monitor.board import (
    PAGE_SIZE,
    board_status,
    build_rows,
    deployment_panel,
    ordered,
    page_rows,
)
from monitor.forms import MonitorSettingsForm
from monitor.models import DeploymentHealth, MonitorSettings
from monitor.runner import sync_schedules

# A deployment probed this recently is not probed again on request (a button held down
# must not become a flood of calls).
RECHECK_AFTER = timedelta(seconds=10)


def _page(request: HttpRequest):
    ids = ordered(request.workspace).values_list("pk", flat=True)
    return Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))


def _board_context(request: HttpRequest) -> dict:
    page = _page(request)
    rows = build_rows(
        request.workspace, page_rows(list(page.object_list)), is_admin=request.membership.is_admin
    )
    return {
        "page": page,
        "rows": rows,
        "status": board_status(),
        "pending": sum(1 for r in rows if r.pending),
        "interval": settings.PORTAL_MONITOR_INTERVAL,
    }


@workspace_view(Role.VIEWER)
def health_board(request: HttpRequest) -> HttpResponse:
    return render(request, "monitor/board.html", _board_context(request))


@never_cache
@workspace_view(Role.VIEWER)
def health_status(request: HttpRequest) -> JsonResponse:
    """The page's rows as fresh HTML, for the board's script to swap in."""
    context = _board_context(request)
    rows = {
        row.code: render_to_string("monitor/_board_row.html", {"row": row}, request=request)
        for row in context["rows"]
    }
    status = render_to_string("monitor/_board_status.html", context, request=request)
    return JsonResponse({"pending": context["pending"], "rows": rows, "status": status})


@never_cache
@workspace_view(Role.VIEWER)
def deployment_health_status(request: HttpRequest, dep) -> JsonResponse:
    """The deployment page's health panel as fresh HTML, for its script to swap in."""
    deployment = get_object_or_404(request.workspace.deployments, code=dep)
    context = deployment_panel(request.workspace, deployment, is_admin=request.membership.is_admin)
    html = render_to_string("monitor/_deployment_health_body.html", context, request=request)
    return JsonResponse({"pending": int(context["row"].pending), "html": html})


def _mark_due(request: HttpRequest, deployments) -> int:
    """Make the rows due now; the monitor picks them up on its next tick."""
    now = timezone.now()
    sync_schedules(now=now)
    return DeploymentHealth.objects.filter(
        Q(last_probe_at__isnull=True) | Q(last_probe_at__lt=now - RECHECK_AFTER),
        deployment__in=deployments.filter(status=Status.RUNNING),
        requested_at__isnull=True,
    ).update(next_probe_at=now, requested_at=now)


@workspace_view(Role.MEMBER, methods=("POST",))
def health_check_all(request: HttpRequest) -> HttpResponse:
    marked = _mark_due(request, request.workspace.deployments.all())
    if marked:
        messages.info(
            request, _("Checking %(n)d deployments now; this page updates itself.") % {"n": marked}
        )
    else:
        messages.info(
            request, _("Everything was checked in the last seconds, or is being checked.")
        )
    return redirect("monitor:health_board", ws=request.workspace.code)


@workspace_view(Role.MEMBER, methods=("POST",))
def health_check(request: HttpRequest, dep) -> HttpResponse:
    deployment = get_object_or_404(request.workspace.deployments, code=dep)
    if deployment.status != Status.RUNNING:
        messages.error(request, _("Only running deployments are checked."))
    elif _mark_due(request, request.workspace.deployments.filter(pk=deployment.pk)):
        messages.info(request, _("Checking %(name)s now.") % {"name": deployment.name})
    else:
        messages.info(
            request, _("%(name)s was checked in the last seconds.") % {"name": deployment.name}
        )
    if request.POST.get("back") == "deployment":
        return redirect(
            "accessportal:deployment_detail", ws=request.workspace.code, dep=deployment.code
        )
    return redirect("monitor:health_board", ws=request.workspace.code)


@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def health_settings(request: HttpRequest) -> HttpResponse:
    instance = MonitorSettings.objects.filter(workspace=request.workspace).first()
    form = MonitorSettingsForm(
        request.POST or None,
        instance=instance or MonitorSettings(workspace=request.workspace),
        workspace=request.workspace,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit.record(
                workspace=request.workspace,
                actor=request.user,
                action=AuditAction.WORKSPACE_UPDATE,
                target=request.workspace.name,
                summary="Monitoring credential: "
                f"{saved.access.name if saved.access else 'automatic'}; "
                f"IAM: {saved.credential.name if saved.credential else 'none'}",
                ip=client_ip(request),
            )
        messages.success(request, _("Monitoring credential saved."))
        return redirect("monitor:health_board", ws=request.workspace.code)
    return render(request, "monitor/settings.html", {"form": form})


# --- Key check --------------------------------------------------------------------------
@workspace_view(Role.MEMBER, methods=("POST",))
def access_check(request: HttpRequest, access) -> HttpResponse:
    access = get_object_or_404(request.workspace.accesses, code=access)
    back = redirect("accessportal:access_detail", ws=request.workspace.code, access=access.code)
    if not access.is_usable:
        messages.error(
            request,
            _("This application access is %(status)s; enable it first.")
            % {"status": access.status_label},
        )
        return back
    planned = keychecks.planned_items(access)
    if not planned:
        messages.warning(request, _("This key covers no running deployment: nothing to check."))
        return back
    # A check is one test call per deployment and version: it counts against the same limit.
    limit = settings.PORTAL_PLAYGROUND_RATE_LIMIT
    allowed, retry_after = ratelimit.allow(request.user.pk, limit, cost=len(planned))
    if not allowed:
        messages.error(
            request,
            _(
                "Checking makes %(n)d calls: over your limit of %(limit)d test calls a minute. "
                "Try again in %(s)d s."
            )
            % {"n": len(planned), "limit": limit, "s": retry_after},
        )
        return back
    keychecks.request_check(access, planned, user=request.user, ip=client_ip(request))
    messages.info(request, _("Checking the key: the results appear below as they come."))
    return back


@never_cache
@workspace_view(Role.VIEWER)
def keycheck_status(request: HttpRequest, access) -> JsonResponse:
    access = get_object_or_404(request.workspace.accesses, code=access)
    context = keychecks.panel_context(access)
    html = render_to_string("monitor/_key_check.html", context, request=request)
    return JsonResponse({"done": context["check"] is None or context["finished"], "html": html})
