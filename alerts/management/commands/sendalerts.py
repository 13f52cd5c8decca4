"""Send notifications until stopped: due deliveries every pass, expiry warnings, pruning.

Runs beside the portal as its own process, on one host or several (claims keep them
from sending a delivery twice). ``--once`` runs one pass and exits (cron, tests). The
monitor (``manage.py monitor``) calls the same functions each tick, so either runs them.
"""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from alerts.delivery import deliver_due, prune
from alerts.expiry import warn_expiring

BATCH = 50
logger = logging.getLogger(__name__)


def run_pass() -> tuple[int, int]:
    """(deliveries claimed, expiry warnings raised) in one pass."""
    warned = warn_expiring()
    sent = 0
    while True:  # drain a backlog before sleeping
        claimed = deliver_due(limit=BATCH)
        sent += claimed
        if claimed < BATCH:
            break
    prune()
    return sent, warned


class Command(BaseCommand):
    help = "Send due notifications and expiry warnings; --once for a single pass."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between passes (default PORTAL_ALERTS_INTERVAL).",
        )

    def handle(self, *args, once: bool, interval: int | None, **options) -> None:
        interval = interval or settings.PORTAL_ALERTS_INTERVAL
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            self.stdout.write(f"sendalerts: a pass every {interval} s (Ctrl-C stops)")
        while True:
            if not connection.in_atomic_block:  # inside a test's transaction: keep it
                close_old_connections()
            try:
                sent, warned = run_pass()
            except DatabaseError:
                if once:
                    raise
                # The loop outlives a database restart; the next pass starts afresh.
                logger.exception("sendalerts: a pass failed; trying again")
                sent = warned = 0
            if sent or warned or once:
                self.stdout.write(f"sendalerts: {sent} delivery(ies) tried, {warned} warning(s)")
            if once:
                return
            for _ in range(interval):  # wake each second to notice a stop
                if self.stopping:
                    return
                time.sleep(1)
            if self.stopping:
                return

    def _stop(self, signum, frame) -> None:
        self.stopping = True
