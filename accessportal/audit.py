"""Writing the audit log. Call inside the change's own ``transaction.atomic`` block.

The address recorded is ``accessportal.clientip.client_ip``: the client as far as the
configured proxies can be trusted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.models.signals import post_save
from django.utils import translation

from accessportal.models import AuditEvent, Workspace

# How the actor acted when not through the pages, e.g. "API token apat_3Xb9Qd (deploy)".
# Set for the length of one request by the caller (the API), so every workflow below it
# records the channel without knowing about it.
_via: ContextVar[str] = ContextVar("audit_via", default="")
# Events kept for one insert at the end of a ``batched()`` block, or None.
_batch: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)


@contextmanager
def via(label: str) -> Iterator[None]:
    token = _via.set(label)
    try:
        yield
    finally:
        _via.reset(token)


@contextmanager
def batched() -> Iterator[None]:
    """Within the block, events are built as usual (summaries at the time of each change)
    and written with one bulk insert when it ends: a bulk import logs thousands of rows.
    Use inside the changes' transaction; an error in the block writes none of them."""
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        yield
    finally:
        _batch.reset(token)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    # A bulk insert sends no signals; each event is announced as its save would be (alerts
    # read the log: a key rotated by an import notifies like one rotated by hand).
    for event in events:
        post_save.send(
            sender=AuditEvent,
            instance=event,
            created=True,
            update_fields=None,
            raw=False,
            using=event._state.db,
        )


def in_every_language(build: Callable[[], str]) -> dict[str, str]:
    """``build()`` once per language of the portal: the summary as each reader reads it.
    (Written at the time of the change: the names it quotes may change later.)"""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(build())[: AuditEvent._meta.get_field("summary").max_length]
    return texts


def record(
    *,
    workspace: Workspace,
    actor,
    action: str,
    target: str,
    summary: str | Callable[[], str] = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append an event. ``summary`` must never hold a secret: pass names and masks only.
    Pass it as a function that builds it with ``gettext`` and it is kept in every
    language; a plain string is shown as written."""
    texts = in_every_language(summary) if callable(summary) else {}
    if texts:
        summary = texts[settings.LANGUAGE_CODE]
    if channel := _via.get():
        summary = f"{summary} [{channel}]" if summary else f"[{channel}]"
        texts = {
            code: f"{text} [{channel}]" if text else f"[{channel}]" for code, text in texts.items()
        }
    event = AuditEvent(
        workspace=workspace,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        target=target[:200],
        summary=summary[: AuditEvent._meta.get_field("summary").max_length],
        summary_i18n=texts,
        ip=ip,
    )
    batch = _batch.get()
    if batch is None:
        event.save()
    else:
        batch.append(event)
    return event
