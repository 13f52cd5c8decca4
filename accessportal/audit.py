"""Writing the audit log. Call inside the change's own ``transaction.atomic`` block.

The address recorded is ``accessportal.clientip.client_ip``: the client as far as the
configured proxies can be trusted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from accessportal.models import AuditEvent, Workspace

# How the actor acted when not through the pages, e.g. "API token apat_3Xb9Qd (deploy)".
# Set for the length of one request by the caller (the API), so every workflow below it
# records the channel without knowing about it.
_via: ContextVar[str] = ContextVar("audit_via", default="")


@contextmanager
def via(label: str) -> Iterator[None]:
    token = _via.set(label)
    try:
        yield
    finally:
        _via.reset(token)


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
    if channel := _via.get():
        summary = f"{summary} [{channel}]" if summary else f"[{channel}]"
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        target=target[:200],
        summary=summary[: AuditEvent._meta.get_field("summary").max_length],
        ip=ip,
    )
