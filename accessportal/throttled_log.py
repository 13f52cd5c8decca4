"""A failure that every request meets (Redis or PostgreSQL down) is logged once in a while,
not once per request: the first time at once, then at most once per interval, with a
count of the times left unsaid."""

from __future__ import annotations

import logging
import threading
import time


class ThrottledLog:
    def __init__(self, logger: logging.Logger, interval: float = 60.0) -> None:
        self.logger = logger
        self.interval = interval
        self._lock = threading.Lock()
        self._topics: dict[str, tuple[float, int]] = {}  # topic → (last logged, not logged since)

    def warning(self, topic: str, message: str, *args: object) -> bool:
        """Log ``message`` unless ``topic`` was logged less than ``interval`` ago; True if
        it was logged."""
        now = time.monotonic()
        with self._lock:
            last, unsaid = self._topics.get(topic, (None, 0))
            if last is not None and now - last < self.interval:
                self._topics[topic] = (last, unsaid + 1)
                return False
            self._topics[topic] = (now, 0)
        if unsaid:
            message += f" ({unsaid} more times since the last report)"
        self.logger.warning(message, *args)
        return True

    def resolved(self, topic: str, message: str, *args: object) -> None:
        """The failure is over: say so (if it was reported) and report the next one at once."""
        if topic not in self._topics:  # the usual case, on every healthy request: no lock
            return
        with self._lock:
            reported = self._topics.pop(topic, None) is not None
        if reported:
            self.logger.warning(message, *args)
