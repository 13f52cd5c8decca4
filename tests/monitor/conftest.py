from __future__ import annotations

import pytest

from simulator import faults


@pytest.fixture(autouse=True)
def flapping_clock(monkeypatch):
    """The simulator's flapping fault follows the wall clock; tests set its phase instead
    (up until a test says down())."""

    class Clock:
        def up(self) -> None:
            monkeypatch.setattr(faults, "clock", lambda: 0.0)  # first half of a period

        def down(self) -> None:
            monkeypatch.setattr(faults, "clock", lambda: faults.FLAPPING_PERIOD * 0.75)

    clock = Clock()
    clock.up()
    return clock


@pytest.fixture(autouse=True)
def _short_deadline(settings):
    settings.PORTAL_MONITOR_PROBE_DEADLINE = 1.0  # the "slow" fault must not hold a test
