"""Writing the audit log. Call inside the change's own ``transaction.atomic`` block."""

from __future__ import annotations

from django.http import HttpRequest

from accessportal.models import AuditEvent, Workspace


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded header is trusted where the proxy is configured
    # (gunicorn's forwarded_allow_ips rewrites REMOTE_ADDR for trusted proxies).
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    workspace: Workspace,
    actor,
    action: str,
    target: str,
    summary: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append an event. ``summary`` must never hold a secret: pass names and masks only."""
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        target=target[:200],
        summary=summary[:500],
        ip=ip,
    )
