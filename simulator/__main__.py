"""python -m simulator: serve the platform stand-in until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from simulator.app import Pacing
from simulator.server import DEFAULT_PACING, Simulator
from simulator.state import DEFAULT_STATE_PATH, StateError, load_state

log = logging.getLogger("simulator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Stand-in for the platform's IAM, V1 and V2 inference APIs (see README).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument("--state", default=str(DEFAULT_STATE_PATH), help="account state JSON")
    parser.add_argument("--first-token-ms", type=float, default=DEFAULT_PACING.first_token_ms)
    parser.add_argument("--chunk-delay-ms", type=float, default=DEFAULT_PACING.chunk_delay_ms)
    parser.add_argument("--chunks", type=int, default=DEFAULT_PACING.chunks)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        state = load_state(args.state)
    except StateError as exc:
        parser.error(str(exc))
    pacing = Pacing(args.first_token_ms, args.chunk_delay_ms, max(1, args.chunks))
    try:
        sim = Simulator(state, args.host, args.port, pacing).start()
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 1

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    log.info(
        "simulator listening on %s (state %s: %d deployments, %d application accesses)",
        sim.url,
        args.state,
        len(state.deployments),
        len(state.app_accesses),
    )
    # Waiting in short steps keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    log.info("stopping")
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
