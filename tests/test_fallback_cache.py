"""The Redis cache backend when Redis goes away and comes back (accessportal/fallback_cache.py),
against a redis-server of the test's own. The same through gunicorn: tests/test_outages.py."""

from __future__ import annotations

import logging
import time
import uuid

import pytest

from accessportal import fallback_cache
from accessportal.fallback_cache import FallbackRedisCache
from tests.outage_helpers import OwnRedis, _free_port

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2}


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch):
    monkeypatch.setattr(fallback_cache, "RETRY_SECONDS", 0.2)


@pytest.fixture
def redis_server(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def make(url: str, fallback: str, prefix: str | None = None) -> FallbackRedisCache:
    prefix = prefix or f"t-{uuid.uuid4().hex[:8]}"
    return FallbackRedisCache(url, {"KEY_PREFIX": prefix, "FALLBACK": fallback, "OPTIONS": OPTIONS})


def after_the_retry_interval() -> None:
    time.sleep(fallback_cache.RETRY_SECONDS + 0.05)


def test_with_redis_down_the_default_cache_counts_in_process_memory(caplog):
    cache = make(f"redis://127.0.0.1:{_free_port()}/0", "local-memory")  # nothing listens
    with caplog.at_level(logging.WARNING, logger="accessportal.fallback_cache"):
        assert cache.add("rate", 0) is True
        assert [cache.incr("rate") for _ in range(3)] == [1, 2, 3]
        cache.set("token", "sealed")
        assert cache.get("token") == "sealed" and cache.get_many(["token"]) == {"token": "sealed"}
        with pytest.raises(ValueError):
            cache.incr("missing")  # as Redis answers: the rate limiter relies on it
        # Another thread's cache object (Django keeps one per thread) shares that memory.
        assert make(cache._servers[0], "local-memory", cache.key_prefix).get("token") == "sealed"
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]  # not one per call
    assert "ConnectionError" in warnings[0].getMessage()
    assert cache.probe() is False


def test_with_redis_down_the_sessions_cache_misses_and_drops_writes():
    cache = make(f"redis://127.0.0.1:{_free_port()}/0", "none")
    cache.set("session", {"user": 1})
    assert cache.get("session") is None and cache.has_key("session") is False
    assert cache.delete("session") is False


def test_the_cache_comes_back_by_itself(redis_server, caplog):
    cache = make(redis_server.url, "local-memory")
    cache.set("kept", "in redis", timeout=300)
    redis_server.stop()
    assert cache.get("kept") is None  # the process memory never held it
    cache.set("meanwhile", "local")
    redis_server.start()
    after_the_retry_interval()
    with caplog.at_level(logging.WARNING, logger="accessportal.fallback_cache"):
        assert cache.get("kept") == "in redis"
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    assert cache.get("meanwhile") is None  # Redis again, not the outage's memory
    assert cache.probe() is True


def test_a_session_signed_out_during_the_outage_does_not_come_back(redis_server):
    """The database lost the session while Redis, unreachable, kept its copy: that copy and
    every other of the sessions' cache is deleted before Redis is read again."""
    sessions = make(redis_server.url, "none")
    other = make(redis_server.url, "local-memory")
    sessions.set("signed-out", {"_auth_user_id": "1"}, timeout=300)
    sessions.set("untouched", {"_auth_user_id": "2"}, timeout=300)
    other.set("token", "kept", timeout=300)
    redis_server.stop()
    sessions.delete("signed-out")  # dropped: Redis is down
    redis_server.start()
    assert redis_server.client().exists(sessions.make_key("signed-out"))  # the stale copy
    after_the_retry_interval()
    assert sessions.get("signed-out") is None
    assert sessions.get("untouched") is None  # purged too: the database has it
    assert other.get("token") == "kept"  # another cache's keys are left alone
    sessions.set("new", 1)
    assert sessions.get("new") == 1


def test_an_outage_without_dropped_writes_keeps_the_sessions_cache(redis_server):
    sessions = make(redis_server.url, "none")
    sessions.set("signed-in", {"_auth_user_id": "1"}, timeout=300)
    redis_server.stop()
    assert sessions.get("signed-in") is None  # read from the database meanwhile
    redis_server.start()
    after_the_retry_interval()
    assert sessions.get("signed-in") == {"_auth_user_id": "1"}


def test_the_key_prefix_is_matched_literally(redis_server):
    sessions = make(redis_server.url, "none", prefix="odd*[prefix]?")
    neighbour = make(redis_server.url, "local-memory", prefix="oddXpprefix]?")
    neighbour.set("k", 1, timeout=300)
    sessions.set("k", 1, timeout=300)
    redis_server.stop()
    sessions.delete("k")
    redis_server.start()
    after_the_retry_interval()
    assert sessions.get("k") is None and neighbour.get("k") == 1


def test_a_successful_readiness_probe_ends_the_outage_at_once(redis_server, monkeypatch):
    monkeypatch.setattr(fallback_cache, "RETRY_SECONDS", 3600)  # the interval would not end
    sessions = make(redis_server.url, "none")
    sessions.set("signed-out", 1, timeout=300)
    redis_server.stop()
    sessions.delete("signed-out")
    assert sessions.probe() is False
    redis_server.start()
    assert sessions.get("anything") is None  # still within the retry interval: no Redis
    assert sessions.probe() is True
    assert not redis_server.client().exists(sessions.make_key("signed-out"))  # purged
    sessions.set("fresh", 2)
    assert redis_server.client().exists(sessions.make_key("fresh"))  # Redis again
