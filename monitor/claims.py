"""Sharing work between monitor processes on any number of hosts, through the database.

A row is claimed by writing the claimant's name and an expiry into it. On PostgreSQL the
due rows are locked with ``SELECT … FOR UPDATE SKIP LOCKED`` (two processes never wait
for each other, nor take the same row). Elsewhere a batch is claimed with one conditional
``UPDATE … WHERE <still due and unclaimed>``, healthchecks' compare-and-set applied to a
batch: a row another process took in between does not change, and the rows this process
won are those that carry its name and this claim's expiry afterwards.
A process that dies keeps its rows only until the claim expires; then anyone takes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet


def unclaimed(now: datetime) -> Q:
    return Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lte=now)


def claim_ttl() -> timedelta:
    """Long enough for a claimed batch to wait its turn in the pool and be probed; never
    shorter than probing both versions of one deployment."""
    deadline = settings.PORTAL_MONITOR_PROBE_DEADLINE
    configured = settings.PORTAL_MONITOR_CLAIM_SECONDS
    seconds = configured if configured > 0 else 12 * deadline + 30
    return timedelta(seconds=max(seconds, 2 * deadline + 5))


def claim(
    due: QuerySet, *, owner: str, now: datetime, expires: datetime, limit: int, order: tuple
) -> list[int]:
    """Claim up to ``limit`` rows of ``due``; returns the primary keys this process won."""
    if limit <= 0:
        return []
    model = due.model
    values = {"claimed_by": owner, "claim_expires_at": expires}
    candidates = due.filter(unclaimed(now)).order_by(*order)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                candidates.select_for_update(skip_locked=True, of=("self",)).values_list(
                    "pk", flat=True
                )[:limit]
            )
            if ids:
                model.objects.filter(pk__in=ids).update(**values)
        return ids
    ids = list(candidates.values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    # One conditional UPDATE for the batch: each row changes only if it is still due and
    # unclaimed at the moment of writing; the rows carrying this claim's expiry and name
    # are the ones won (another process's claim in between leaves its rows alone).
    due.model.objects.filter(unclaimed(now), pk__in=ids).filter(pk__in=due.values("pk")).update(
        **values
    )
    return list(
        model.objects.filter(pk__in=ids, claimed_by=owner, claim_expires_at=expires).values_list(
            "pk", flat=True
        )
    )


def held(model, pk: int, *, owner: str) -> QuerySet:
    """The row, only while no other process took it over (after this one's claim
    expired). A process never claims again a row it is still working on."""
    return model.objects.filter(pk=pk, claimed_by=owner)
