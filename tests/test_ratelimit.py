"""The per-user call limit: fixed one-minute windows counted in the shared cache."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem

from chat import ratelimit

WINDOW_START = 1_000_000 * 60.0  # the first second of some window
T = WINDOW_START + 5  # 5 s into it


def test_fixed_window_counts_and_resets():
    assert [ratelimit.allow(7, 2, now=T)[0] for _ in range(3)] == [True, True, False]
    assert ratelimit.allow(7, 2, now=T + 54) == (False, 2)  # still the same window
    assert ratelimit.allow(7, 2, now=T + 55)[0]  # the next minute starts afresh
    assert ratelimit.allow(8, 2, now=T)[0]  # other users have their own count


@pytest.mark.parametrize(
    ("now", "retry_after"),
    [
        (WINDOW_START, 61),
        (WINDOW_START + 0.5, 60),
        (T, 56),
        (T + 0.25, 55),
        (WINDOW_START + 59, 2),
        (WINDOW_START + 59.9, 1),
    ],
)
def test_retry_after_is_the_seconds_left_in_the_window_rounded_up(now, retry_after):
    assert ratelimit.allow(7, 1, now=now) == (True, retry_after)
    assert ratelimit.allow(7, 1, now=now) == (False, retry_after)


def test_a_call_may_cost_more_than_one():
    assert ratelimit.allow(7, 5, now=T, cost=3) == (True, 56)
    assert ratelimit.allow(7, 5, now=T, cost=2) == (True, 56)  # exactly at the limit
    assert ratelimit.allow(7, 5, now=T, cost=1) == (False, 56)
    assert ratelimit.allow(7, 1, now=T + 60, cost=2) == (False, 56)  # alone over the limit


def test_the_real_clock_is_used_without_now(monkeypatch):
    monkeypatch.setattr(ratelimit.time, "time", lambda: T)
    assert ratelimit.allow(7, 1) == (True, 56)
    assert ratelimit.allow(7, 1, now=T) == (False, 56)  # the same window


class EvictedAfterAdd:
    """The shared cache under memory pressure: the counter vanishes between add and incr."""

    def add(self, key: str, value: int, timeout: int) -> bool:
        added = cache.add(key, value, timeout=timeout)
        cache.delete(key)
        return added

    def incr(self, key: str, delta: int) -> int:
        return cache.incr(key, delta)

    def set(self, key: str, value: int, timeout: int) -> None:
        cache.set(key, value, timeout=timeout)


def test_a_counter_evicted_between_add_and_incr_starts_again_at_the_cost(monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(ratelimit, "cache", EvictedAfterAdd())
        assert ratelimit.allow(7, 3, now=T, cost=2) == (True, 56)
    assert ratelimit.allow(7, 3, now=T) == (True, 56)  # 2 + 1: the count was kept
    assert ratelimit.allow(7, 3, now=T) == (False, 56)


@pytest.fixture
def cache_clock(settings, monkeypatch) -> SimpleNamespace:
    """A local-memory cache whose expiry clock the test moves (the cache, not ``now``,
    decides when a counter is dropped)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit-expiry",
        }
    }
    clock = SimpleNamespace(now=1000.0)
    fake_time = SimpleNamespace(time=lambda: clock.now)
    monkeypatch.setattr(cache_base, "time", fake_time)
    monkeypatch.setattr(locmem, "time", fake_time)
    cache.clear()  # this cache's storage outlives the test (locmem keeps it per LOCATION)
    return clock


@pytest.mark.parametrize("evicted", [False, True], ids=["added", "set-after-eviction"])
def test_a_counter_lives_two_windows_in_the_cache(cache_clock, monkeypatch, evicted):
    if evicted:
        with monkeypatch.context() as patch:
            patch.setattr(ratelimit, "cache", EvictedAfterAdd())
            assert ratelimit.allow(7, 1, now=T)[0]
    else:
        assert ratelimit.allow(7, 1, now=T)[0]
    cache_clock.now += 119
    assert not ratelimit.allow(7, 1, now=T)[0]  # still counted
    cache_clock.now += 2  # 121 s after the first call: long past its window
    assert ratelimit.allow(7, 1, now=T)[0]


def test_the_playground_bucket_is_the_default_and_other_buckets_count_apart():
    assert ratelimit.allow(7, 1, now=T, bucket="playground") == (True, 56)
    assert ratelimit.allow(7, 1, now=T) == (False, 56)  # the same count: the default bucket
    assert ratelimit.allow(7, 1, now=T, bucket="api") == (True, 56)
