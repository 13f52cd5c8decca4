"""Per-user call limit in the shared cache, so every portal host counts the same calls."""

from __future__ import annotations

import time

from django.core.cache import cache

WINDOW_SECONDS = 60


def allow(
    user_id: int,
    limit: int,
    now: float | None = None,
    cost: int = 1,
    bucket: str = "playground",
) -> tuple[bool, int]:
    """Count ``cost`` calls of ``user_id`` (or another id) in ``bucket``; (allowed, seconds
    until the window resets). Fixed one-minute windows: simple, shared, and good enough for
    a guard against runaway clicking or a looping script."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"{bucket}-rate:{user_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key, cost)
    except ValueError:  # evicted between add and incr
        cache.set(key, cost, timeout=WINDOW_SECONDS * 2)
        count = cost
    retry_after = int(WINDOW_SECONDS - now % WINDOW_SECONDS) + 1
    return count <= limit, retry_after
