"""The monitor's one door to notifications (the ``alerts`` app, when it is installed).

Events are raised inside the caller's transaction: ``alerts`` writes one delivery per
subscribed channel as an outbox row, so a state change and its deliveries commit or roll
back together, and ``deliver_due`` sends them later from the monitor loop. Delivery is
therefore at least once: a delivery is marked sent only after the channel accepted it,
so a monitor killed mid-send sends it again rather than losing an outage alert (a
duplicate "down" message is cheaper than a missing one).

Without ``alerts`` in INSTALLED_APPS every function here does nothing and says so.
"""

from __future__ import annotations

import importlib
from datetime import datetime

from django.apps import apps

APP = "alerts"


def _module(name: str):
    if not apps.is_installed(APP):
        return None
    return importlib.import_module(f"{APP}.{name}")


def raise_event(
    *, workspace, kind: str, subject: str, facts: dict[str, str], link: str = ""
) -> int:
    """Queue a notification of ``kind`` for the workspace's subscribed channels."""
    services = _module("services")
    if services is None:
        return 0
    return services.raise_event(
        workspace=workspace, kind=kind, subject=subject, facts=facts, link=link
    )


def deliver_due(*, now: datetime | None = None) -> int:
    delivery = _module("delivery")
    return delivery.deliver_due(now=now) if delivery is not None else 0


def warn_expiring(*, now: datetime | None = None) -> int:
    expiry = _module("expiry")
    return expiry.warn_expiring(now=now) if expiry is not None else 0
