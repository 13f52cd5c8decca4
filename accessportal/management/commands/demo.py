"""One command for a laptop demo: migrate, seed, then run the simulator and the portal.

Ctrl-C stops both.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from simulator.state import DEFAULT_STATE_PATH


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError("The simulator exited at start; is its port already in use?")
        try:
            with urllib.request.urlopen(url + "/_sim/stats", timeout=1):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"The simulator did not answer at {url} in {seconds:.0f} s.")


class Command(BaseCommand):
    help = "Migrate, seed the demo, and run the simulator and the dashboard together."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="Where the portal listens."
        )
        parser.add_argument("--simulator-port", type=int, default=8001)
        parser.add_argument("--state", default=str(DEFAULT_STATE_PATH))
        parser.add_argument("--password", default=None)

    def handle(self, *args, addrport: str, simulator_port: int, state: str, password, **options):
        # A SIGTERM (e.g. from a process manager) stops both, like Ctrl-C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        simulator_url = f"http://127.0.0.1:{simulator_port}"
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", state=state, simulator_url=simulator_url, password=password)
        if apps.is_installed("alerts"):  # named, not imported: the catalog stays below it
            call_command("seed_demo_alerts")
        simulator = subprocess.Popen(  # noqa: S603 (our own module, our own arguments)
            [
                sys.executable,
                "-m",
                "simulator",
                # --option=value: a value starting with "-" is not taken for an option.
                "--host=127.0.0.1",
                f"--port={simulator_port}",
                f"--state={state}",
            ]
        )
        try:
            wait_until_up(simulator_url, simulator)
            self.stdout.write(f"Simulator answering at {simulator_url}")
            self.stdout.write(self.style.SUCCESS(f"Open http://{addrport}/ (Ctrl-C stops both)"))
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            simulator.terminate()
            try:
                simulator.wait(timeout=10)
            except subprocess.TimeoutExpired:
                simulator.kill()
