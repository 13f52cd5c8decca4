"""Strips, sparklines and uptime (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.charts import StateChange, latency_series, sparkline_svg, strip_html, uptime

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def at(hours_ago: float) -> datetime:
    return NOW - timedelta(hours=hours_ago)


@pytest.mark.parametrize(
    ("changes", "state", "window", "expected"),
    [
        ([], "up", DAY, 1.0),
        ([], "down", DAY, 0.0),
        ([], "unknown", DAY, None),
        ([], "degraded", DAY, 1.0),
        # down for the last 6 of 24 hours
        ([StateChange(at(6), "up", "down")], "down", DAY, 0.75),
        # an outage of 2 h that ended 1 h ago
        ([StateChange(at(3), "up", "down"), StateChange(at(1), "down", "up")], "up", DAY, 22 / 24),
        # monitored only for the last 12 h, all up: unknown time does not count
        ([StateChange(at(12), "unknown", "up")], "up", DAY, 1.0),
        # monitored 12 h, down 3 of them
        (
            [StateChange(at(12), "unknown", "up"), StateChange(at(3), "up", "down")],
            "down",
            DAY,
            0.75,
        ),
        # a change before the window's start only sets the state at its start
        ([StateChange(at(30), "up", "down"), StateChange(at(12), "down", "up")], "up", DAY, 0.5),
    ],
)
def test_uptime(changes, state, window, expected):
    value = uptime(changes, state=state, now=NOW, window=window)
    assert value == pytest.approx(expected) if expected is not None else value is None


def probe(outcome="ok", latency=100, code="", status=200, t=1_790_000_000.0):
    return {"t": t, "v": "v1", "o": outcome, "s": status, "c": code, "l": latency, "f": latency}


def test_strip_has_one_named_cell_per_probe_and_one_tab_stop():
    recent = [probe()] * 89 + [probe("error", 12, "<b>APIG.0201</b>", 502)]
    html = strip_html(recent, fmt_time=lambda t: "T", outcome_names={"ok": "OK"}, label="L")
    assert html.count('class="cell') == 90
    assert html.count('tabindex="0"') == 1 and html.rindex('tabindex="0"') > html.rindex("o-ok")
    assert "&lt;b&gt;APIG.0201&lt;/b&gt; (HTTP 502)" in html and "<b>" not in html
    assert "style=" not in html and "<script" not in html


def test_strip_keeps_only_the_last_90():
    recent = [probe(latency=i) for i in range(200)]
    html = strip_html(recent, fmt_time=str, outcome_names={}, label="L")
    assert html.count('class="cell') == 90 and "199 ms" in html and "109 ms" not in html


def test_latency_series_ignores_failed_probes_and_orders_percentiles():
    recent = [probe(latency=i) for i in range(1, 91)] + [probe("error", latency=99999)]
    series = latency_series(recent, buckets=15)
    assert len(series) == 15
    assert all(p50 <= p95 for p50, p95 in series)
    assert max(p95 for _, p95 in series) < 99999


def test_sparkline_is_an_svg_with_a_text_alternative():
    svg, text = sparkline_svg([probe(latency=100), probe(latency=300)])
    assert svg.startswith("<svg") and 'role="img"' in svg and text in svg
    assert "p50" in text and "style=" not in svg
    assert sparkline_svg([probe("error")]) == ("", "")
