"""Raising events: the one entry point other apps call (the monitor, the receivers here).

An event becomes one ``Delivery`` row per enabled channel of its workspace that wants its
kind, written in the caller's transaction. Nothing is sent here: ``deliver_due`` sends
later, so a rolled-back change never notifies anyone, and a slow receiver never holds a
request or a monitor pass.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from accessportal.masking import mask_secret
from alerts.forms import ChannelForm, mask_url
from alerts.models import SUBSCRIBABLE, Channel, Delivery, Event, EventKind


def raise_event(
    *, workspace, kind: str, subject: str, facts: dict[str, str], link: str = ""
) -> int:
    """Queue a notification of ``kind`` to every channel that wants it; return how many.

    ``facts`` are labelled plain strings (names, masks like ``d59******9C3``, times with
    their zone), never a key, token or password. ``link`` is a path in the portal.
    """
    if kind not in SUBSCRIBABLE:
        raise ValueError(f"unknown event kind: {kind!r}")
    if not all(
        isinstance(k, str | Promise) and isinstance(v, str | Promise) for k, v in facts.items()
    ):
        raise TypeError("facts must map strings to strings")
    pairs = [[str(label), str(value)] for label, value in facts.items()]  # lazy ones resolved
    channels = [
        channel
        for channel in Channel.objects.filter(workspace=workspace, enabled=True).only("events")
        if channel.wants(kind)
    ]
    if not channels:
        return 0
    with transaction.atomic():
        event = Event.objects.create(
            workspace=workspace,
            kind=kind,
            subject=subject[:300],
            facts=pairs,
            link=link[:500],
        )
        Delivery.objects.bulk_create(
            Delivery(event=event, channel=channel, due_at=event.created_at) for channel in channels
        )
    return len(channels)


@transaction.atomic
def queue_test(*, channel: Channel, actor) -> Delivery:
    """A test notification for one channel, enabled or not; sent like any other."""
    event = Event.objects.create(
        workspace=channel.workspace,
        kind=EventKind.TEST,
        subject=gettext("Test notification from Access Portal"),
        facts=[
            [gettext("Channel"), channel.name],
            [gettext("Sent by"), getattr(actor, "username", "") or "system"],
        ],
        link=reverse(
            "alerts:channel_detail", kwargs={"ws": channel.workspace.code, "channel": channel.code}
        ),
    )
    return Delivery.objects.create(event=event, channel=channel, due_at=timezone.now())


@sensitive_variables("target", "shown")
@transaction.atomic
def save_channel(*, form: ChannelForm, actor) -> tuple[Channel, str]:
    """Create or update the channel from a valid form; return it and the signing secret
    to show once (empty unless one was generated now)."""
    data = form.cleaned_data
    channel = form.instance or Channel(
        workspace=form.workspace, kind=form.kind, created_by=actor if actor.pk else None
    )
    channel.name = data["name"]
    channel.events = [kind for kind in SUBSCRIBABLE if kind in data["events"]]
    channel.enabled = data["enabled"]
    channel.recipients = data.get("recipients", "")
    target, shown = form.target()
    if target is not None:
        channel.set_target(target)
        channel.target_hint = mask_url(target.url)
        channel.secret_hint = mask_secret(target.secret) if target.secret else ""
    channel.save()
    return channel, shown
