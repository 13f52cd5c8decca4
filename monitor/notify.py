"""The monitor's one door to notifications (the ``alerts`` app).

Events are raised inside the caller's transaction: ``alerts`` writes one delivery per
subscribed channel as an outbox row, so a change of state and its deliveries commit or
roll back together. Deliveries are sent later by ``deliver_due`` (from the monitor loop,
or ``manage.py sendalerts``). Delivery is at least once: a delivery is marked sent only
after its channel accepted it, so a monitor killed mid-send leaves it to be sent again
rather than losing an outage alert (a duplicate "down" costs less than a missing one).
"""

from __future__ import annotations

from datetime import datetime

from alerts import delivery, expiry, services
from alerts.localized import lazy_format

__all__ = ["deliver_due", "lazy_format", "prune", "raise_event", "warn_expiring"]

BATCH = 50


def raise_event(*, workspace, kind: str, subject, facts: dict, link: str = "") -> int:
    """Queue a notification of ``kind`` for the workspace's subscribed channels.

    ``subject`` and fact labels lazy (``gettext_lazy``, ``lazy_format``), so that each
    channel gets them in its own language; see ``alerts.services.raise_event``."""
    return services.raise_event(
        workspace=workspace, kind=kind, subject=subject, facts=facts, link=link
    )


def deliver_due(*, now: datetime | None = None) -> int:
    """Send what is due, a batch at a time, until a batch comes back short."""
    sent = 0
    while True:
        claimed = delivery.deliver_due(now=now, limit=BATCH)
        sent += claimed
        if claimed < BATCH:
            return sent


def warn_expiring(*, now: datetime | None = None) -> int:
    return expiry.warn_expiring(now=now)


def prune(*, now: datetime | None = None) -> int:
    return delivery.prune(now=now)
