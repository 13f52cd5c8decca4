"""accessportal/throttled_log.py: an outage met by every request is logged once a minute."""

from __future__ import annotations

import logging

import pytest

from accessportal import throttled_log
from accessportal.throttled_log import ThrottledLog


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(throttled_log.time, "monotonic", lambda: now[0])
    return now


def messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "test.throttled"]


def test_the_first_failure_at_once_then_once_an_interval_with_the_count(clock, caplog):
    log = ThrottledLog(logging.getLogger("test.throttled"), interval=60)
    with caplog.at_level(logging.WARNING):
        assert log.warning("redis", "down: %s", "refused") is True
        clock[0] += 1
        assert [log.warning("redis", "down: %s", "refused") for _ in range(5)] == [False] * 5
        assert log.warning("database", "db down") is True  # another topic, its own clock
        clock[0] += 59.5
        assert log.warning("redis", "down: %s", "refused") is True
    assert messages(caplog) == [
        "down: refused",
        "db down",
        "down: refused (5 more times since the last report)",
    ]


def test_recovery_is_said_once_and_the_next_outage_is_reported_at_once(clock, caplog):
    log = ThrottledLog(logging.getLogger("test.throttled"), interval=60)
    with caplog.at_level(logging.WARNING):
        log.resolved("redis", "back")  # nothing was reported: nothing to say
        log.warning("redis", "down")
        log.resolved("redis", "back")
        log.resolved("redis", "back")
        clock[0] += 1
        log.warning("redis", "down")
    assert messages(caplog) == ["down", "back", "down"]
