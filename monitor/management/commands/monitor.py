"""``manage.py monitor``: probe every running deployment, for ever or ``--once``.

Run one or more anywhere the database is reachable; they share the work (monitor/claims.py).
SIGTERM or SIGINT lets the probes in flight finish and be stored, then exits.
"""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from monitor.runner import Monitor


class Command(BaseCommand):
    help = "Probe every running deployment on a schedule (--once: one pass, then exit)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")

    def handle(self, *args, once: bool, **options) -> None:
        monitor = Monitor(log=lambda line: self.stdout.write(line))
        monitor.start()
        self.stdout.write(f"monitor {monitor.name} started")

        def graceful(signum, frame) -> None:
            self.stdout.write("stopping: finishing the probes in flight")
            monitor.stop()

        previous = {sig: signal.signal(sig, graceful) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if once:
                monitor.run_pass()
            else:
                monitor.loop()
        finally:
            monitor.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"monitor {monitor.name} stopped")
