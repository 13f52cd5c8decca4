"""Monitor panels that catalog pages include (``{% load monitor %}``): the catalog's
views stay unaware of the monitor, its templates ask for the panel by name."""

from __future__ import annotations

from django import template

from monitor import keychecks
from monitor.board import deployment_panel

register = template.Library()


@register.inclusion_tag("monitor/_key_check_panel.html", takes_context=True)
def key_check_panel(context, access) -> dict:
    return {"request": context["request"], "csrf_token": context.get("csrf_token")} | (
        keychecks.panel_context(access)
    )


@register.inclusion_tag("monitor/_deployment_health.html", takes_context=True)
def deployment_health(context, deployment) -> dict:
    request = context["request"]
    return {"request": request, "csrf_token": context.get("csrf_token")} | deployment_panel(
        request.workspace, deployment, is_admin=request.membership.is_admin
    )
