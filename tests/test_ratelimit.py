from __future__ import annotations

from chat import ratelimit


def test_fixed_window_counts_and_resets(db):
    t = 1_000_000 * 60.0 + 5  # 5 s into a window
    assert [ratelimit.allow(7, 2, now=t)[0] for _ in range(3)] == [True, True, False]
    allowed, retry_after = ratelimit.allow(7, 2, now=t + 1)
    assert not allowed and 50 <= retry_after <= 56
    assert ratelimit.allow(7, 2, now=t + 60)[0]  # the next minute starts afresh
    assert ratelimit.allow(8, 2, now=t)[0]  # other users have their own count
