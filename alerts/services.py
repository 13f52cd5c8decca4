"""Raising events: the one entry point other apps call (the monitor, the receivers here).

An event becomes one ``Delivery`` row per enabled channel of its workspace that wants its
kind, written in the caller's transaction. Nothing is sent here: ``deliver_due`` sends
later, so a rolled-back change never notifies anyone, and a slow receiver never holds a
request or a monitor pass.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accessportal.masking import mask_secret
from alerts import localized
from alerts.forms import ChannelForm, mask_url
from alerts.models import SUBSCRIBABLE, Channel, Delivery, Event, EventKind


def _check_facts(facts: dict) -> None:
    if not all(
        localized.is_text(k) and (localized.is_text(v) or isinstance(v, datetime))
        for k, v in facts.items()
    ):
        raise TypeError("facts must map strings to strings or datetimes")


def _create_event(*, workspace, kind: str, subject, facts: dict, link: str) -> Event:
    texts = localized.render_all(subject, facts)
    default = localized.text_in(texts, settings.LANGUAGE_CODE)
    return Event.objects.create(
        workspace=workspace,
        kind=kind,
        subject=default["subject"],
        facts=[[label, localized.value_text(value, UTC)] for label, value in default["facts"]],
        texts=texts,
        link=link[:500],
    )


def raise_event(*, workspace, kind: str, subject, facts: dict, link: str = "") -> int:
    """Queue a notification of ``kind`` to every channel that wants it; return how many.

    ``subject`` and the fact labels are texts, lazy ones (``gettext_lazy``,
    ``localized.lazy_format``) so that each channel reads them in its own language;
    fact values are plain strings (names, masks like ``d59******9C3``) or datetimes,
    written in each channel's zone; never a key, token or password. ``link`` is a path
    in the portal.
    """
    if kind not in SUBSCRIBABLE:
        raise ValueError(f"unknown event kind: {kind!r}")
    _check_facts(facts)
    channels = [
        channel
        for channel in Channel.objects.filter(workspace=workspace, enabled=True).only("events")
        if channel.wants(kind)
    ]
    if not channels:
        return 0
    with transaction.atomic():
        event = _create_event(
            workspace=workspace, kind=kind, subject=subject, facts=facts, link=link
        )
        Delivery.objects.bulk_create(
            Delivery(event=event, channel=channel, due_at=event.created_at) for channel in channels
        )
    return len(channels)


@transaction.atomic
def queue_test(*, channel: Channel, actor) -> Delivery:
    """A test notification for one channel, enabled or not; sent like any other."""
    event = _create_event(
        workspace=channel.workspace,
        kind=EventKind.TEST,
        subject=_("Test notification from Access Portal"),
        facts={
            _("Channel"): channel.name,
            _("Sent by"): getattr(actor, "username", "") or "system",
        },
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
    channel.language = data["language"]
    channel.time_zone = data["time_zone"]
    target, shown = form.target()
    if target is not None:
        channel.set_target(target)
        channel.target_hint = mask_url(target.url)
        channel.secret_hint = mask_secret(target.secret) if target.secret else ""
    channel.save()
    return channel, shown
