"""Counters served at GET /_sim/stats, so tests can see what reached the server."""

from __future__ import annotations

import threading

COUNTERS = (
    "iam_tokens_issued",
    "requests",  # platform API calls; the /_sim/ endpoints are not counted
    "connections",  # TCP connections accepted (proves keep-alive reuse)
    "redirect_target_hits",
    "redirect_target_auth_headers",  # hits that still carried credentials
    "client_left",  # answers given up while waiting because the client closed its end
)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(COUNTERS, 0)

    def increment(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts = dict.fromkeys(COUNTERS, 0)
