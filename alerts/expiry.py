"""Warnings before an access's key expires: 30, 7 and 1 days ahead, each once per access
and expiry. The rows in ``ExpiryWarning`` make it idempotent across passes, processes
and hosts (a unique constraint decides who warns); a changed expiry is a new key for
them, so it re-arms every threshold.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from accessportal.models import EXPIRING_SOON_DAYS, ApplicationAccess
from alerts.localized import lazy_format
from alerts.models import EventKind, ExpiryWarning
from alerts.services import raise_event

THRESHOLD_DAYS = (30, 7, 1)
assert max(THRESHOLD_DAYS) == EXPIRING_SOON_DAYS  # the list's "expiring soon" matches


def crossed_threshold(expires_at: datetime, now: datetime) -> int | None:
    """The smallest threshold the remaining time is within, or None (expired or far).

    Only the smallest is warned about: a key registered 5 days before it expires gets
    the 7-day warning, not a belated 30-day one as well.
    """
    left = expires_at - now
    if left <= timedelta(0):
        return None
    return next((days for days in sorted(THRESHOLD_DAYS) if left <= timedelta(days=days)), None)


def _warn(access: ApplicationAccess, days: int) -> None:
    # Lazy: each channel reads it in its own language (alerts/localized.py).
    subject = lazy_format(
        ngettext_lazy(
            "The key of “%(name)s” expires within %(days)d day",
            "The key of “%(name)s” expires within %(days)d days",
            days,
        ),
        {"name": access.name, "days": days},
    )
    raise_event(
        workspace=access.workspace,
        kind=EventKind.KEY_EXPIRING,
        subject=subject,
        facts={
            gettext_lazy("Access"): access.name,
            gettext_lazy("Key"): access.key_hint,
            gettext_lazy("Expires"): access.expires_at,
        },
        link=reverse(
            "accessportal:access_detail",
            kwargs={"ws": access.workspace.code, "access": access.code},
        ),
    )


def warn_expiring(*, now: datetime | None = None) -> int:
    """Raise key_expiring for every threshold newly crossed; return how many."""
    now = now or timezone.now()
    accesses = list(
        ApplicationAccess.objects.filter(
            disabled=False,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=max(THRESHOLD_DAYS)),
        ).select_related("workspace")
    )
    done = set(
        ExpiryWarning.objects.filter(access__in=accesses).values_list(
            "access_id", "expires_at", "threshold_days"
        )
    )
    warned = 0
    for access in accesses:
        days = crossed_threshold(access.expires_at, now)
        if days is None or (access.pk, access.expires_at, days) in done:
            continue
        try:
            with transaction.atomic():
                # The row first: another process that warns at the same moment fails
                # here and its events roll back with it.
                ExpiryWarning.objects.create(
                    access=access, expires_at=access.expires_at, threshold_days=days
                )
                _warn(access, days)
        except IntegrityError:
            continue
        warned += 1
    return warned
