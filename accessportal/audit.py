"""Writing the audit log. Call inside the change's own ``transaction.atomic`` block.

The address recorded is ``accessportal.clientip.client_ip``: the client as far as the
configured proxies can be trusted."""

from __future__ import annotations

from accessportal.models import AuditEvent, Workspace


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
        summary=summary[: AuditEvent._meta.get_field("summary").max_length],
        ip=ip,
    )
