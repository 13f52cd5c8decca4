"""Sending what is due: claim, send, record. Safe with any number of processes on any
number of hosts, sharing only the database.

Claiming is healthchecks' compare-and-set: read a due row's ``attempts``, then
``UPDATE … SET status='sending', attempts=attempts+1, due_at=<claim expiry>
WHERE id=? AND attempts=<read> AND status IN ('pending','sending') AND due_at<=now``;
only the process whose UPDATE changed exactly one row sends.

At least once, not at most once: the row is marked sent only *after* the receiver
accepted it. A sender killed mid-send leaves its row "sending" until the claim expires,
and the next pass sends it again. A missed "deployment down" or "key expires tomorrow"
costs more than a duplicate, which receivers can drop by the delivery id every format
carries (``X-Portal-Delivery``, ``id``).
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from accessportal.crypto import CryptoError
from alerts.formats import Alert, Outcome
from alerts.models import OPEN_STATUSES, Delivery, DeliveryStatus, Event, EventKind
from alerts.transports import send
from chat.storable import storable

MAX_BACKOFF = timedelta(hours=6)
logger = logging.getLogger(__name__)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """Backoff after the ``attempts``-th failed try: base, 2 x base, 4 x base… capped."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def claim_expiry() -> timedelta:
    # Longer than any send can take (its deadline), so a live sender never loses its row.
    return timedelta(seconds=settings.PORTAL_ALERTS_SEND_DEADLINE * 3 + 30)


def claim(pk: int, attempts_seen: int, *, now: datetime) -> bool:
    """Take the row for this process; False if another process took it first."""
    changed = Delivery.objects.filter(
        pk=pk, attempts=attempts_seen, status__in=OPEN_STATUSES, due_at__lte=now
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, due_at=now + claim_expiry())
    return changed == 1


def absolute_link(path: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    if not path or not base:
        return ""
    return base + path if path.startswith("/") else path


def channel_zone(channel) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(channel.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC  # a zone this machine no longer knows: UTC, which the text names


def alert_for(delivery: Delivery) -> Alert:
    """The delivery's notification in its channel's language and zone."""
    event, channel = delivery.event, delivery.channel
    zone = channel_zone(channel)
    with translation.override(channel.language):
        kind_label = str(EventKind(event.kind).label)
    return Alert(
        code=str(delivery.code),
        kind=event.kind,
        kind_label=kind_label,
        subject=event.subject_in(channel.language),
        workspace=event.workspace.name,
        created_at=event.created_at,
        facts=event.facts_in(channel.language, zone),
        link=absolute_link(event.link),
        test=event.kind == EventKind.TEST,
        zone=zone,
    )


def outcome_fields(outcome: Outcome, attempts: int, *, now: datetime) -> dict:
    """The columns to write after a try: sent, retried later, or given up."""
    if outcome.ok:
        return {
            "status": DeliveryStatus.SENT,
            "sent_at": now,
            "last_error": "",
            "last_status": outcome.status,
        }
    give_up = outcome.permanent or attempts >= settings.PORTAL_ALERTS_MAX_ATTEMPTS
    return {
        "status": DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
        "due_at": now + retry_delay(attempts, settings.PORTAL_ALERTS_RETRY_SECONDS),
        "last_error": storable(outcome.error[:500]),  # a receiver's text may hold NUL
        "last_status": outcome.status,
    }


def attempt(delivery: Delivery, *, now: datetime) -> Outcome:
    """One try, in the channel's language: the notification and the error kept on the
    delivery (read by the channel's admins, like the audit's text it stays as written).
    Never raises, so one bad row cannot stop a pass."""
    with translation.override(delivery.channel.language):
        return _attempt(delivery, now=now)


def _attempt(delivery: Delivery, *, now: datetime) -> Outcome:
    channel = delivery.channel
    if not channel.enabled and delivery.event.kind != EventKind.TEST:
        return Outcome(
            False, gettext("The channel was disabled before this was sent."), permanent=True
        )
    try:
        return send(channel, alert_for(delivery), now=now)
    except CryptoError:
        return Outcome(
            False,
            gettext("The channel's stored URL cannot be decrypted: edit the channel."),
            permanent=True,
        )
    except Exception as error:
        # Only the type: an unexpected exception's text may quote a URL with its token.
        logger.error("alerts: delivery %s stopped by %s", delivery.code, type(error).__name__)
        return Outcome(False, gettext("An internal error stopped this try."))


def deliver_one(delivery: Delivery, *, now: datetime) -> Outcome:
    outcome = attempt(delivery, now=now)
    if not outcome.ok:
        logger.warning(
            "alerts: delivery %s to channel %s, try %d: %s%s",
            delivery.code,
            delivery.channel.code,
            delivery.attempts,
            outcome.error,
            " (permanent)" if outcome.permanent else "",
        )
    # Written only while the claim is still ours: a sender that outlived its claim
    # must not overwrite the result of the one that took the row over.
    Delivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status=DeliveryStatus.SENDING
    ).update(**outcome_fields(outcome, delivery.attempts, now=now))
    return outcome


def deliver_due(*, now: datetime | None = None, limit: int = 50) -> int:
    """Send up to ``limit`` due deliveries; return how many this process claimed."""
    start = now or timezone.now()
    due = list(
        Delivery.objects.filter(status__in=OPEN_STATUSES, due_at__lte=start)
        .order_by("due_at", "pk")
        .values_list("pk", "attempts")[:limit]
    )
    claimed = 0
    for pk, attempts in due:
        moment = now or timezone.now()  # a real pass reads the clock per row
        if not claim(pk, attempts, now=moment):
            continue
        claimed += 1
        delivery = Delivery.objects.select_related("event__workspace", "channel").get(pk=pk)
        deliver_one(delivery, now=now or timezone.now())
    return claimed


def prune(*, now: datetime | None = None) -> int:
    """Forget finished deliveries (and their events) older than the retention."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PORTAL_ALERTS_RETENTION_DAYS)
    deleted, _ = (
        Event.objects.filter(created_at__lt=cutoff)
        .exclude(deliveries__status__in=OPEN_STATUSES)
        .delete()
    )
    return deleted
