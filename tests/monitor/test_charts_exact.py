"""The board's pictures to the character: what a screen reader says for each probe, where
the sparkline's points fall, and the stored short form of a probe (pure functions).

Kept apart from test_charts.py (the shapes) so the exact answers read as a table.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.charts import entry, latency_series, sparkline_svg, strip_html

NAMES = {"ok": "OK", "slow": "Slow", "error": "Error", "refused": "Refused"}


def probe(outcome="ok", latency=100, code="", status=200, t=1_790_000_000.0, version="v1"):
    return {"t": t, "v": version, "o": outcome, "s": status, "c": code, "l": latency, "f": None}


def test_a_probe_is_stored_in_its_short_form():
    # DeploymentHealth.recent keeps these keys: the board reads back what earlier
    # releases wrote, so they must not change.
    at = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    stored = entry(at=at, version="v2", outcome="slow", status=200, code="", latency=6100, ttft=900)
    assert stored == {
        "t": at.timestamp(),
        "v": "v2",
        "o": "slow",
        "s": 200,
        "c": "",
        "l": 6100,
        "f": 900,
    }


@pytest.mark.parametrize(
    ("item", "label"),
    [
        (probe(), "at 1790000000.0 · V1 · OK · 100 ms"),
        (
            probe("error", 12, "APIG.0201", 502),
            "at 1790000000.0 · V1 · Error · APIG.0201 (HTTP 502) · 12 ms",
        ),
        (
            probe("error", None, "upstream.connect_refused", None),
            "at 1790000000.0 · V1 · Error · upstream.connect_refused",
        ),
        (probe("error", 30, "", 503), "at 1790000000.0 · V1 · Error · HTTP 503 · 30 ms"),
        (probe("refused", 30, "", 401), "at 1790000000.0 · V1 · Refused · HTTP 401 · 30 ms"),
        # a status on a good answer says nothing more
        (probe("slow", 7000, "", 200), "at 1790000000.0 · V1 · Slow · 7000 ms"),
        # an outcome this release has no name for is shown as stored
        (probe("mystery", 0), "at 1790000000.0 · V1 · mystery · 0 ms"),
    ],
)
def test_each_cell_is_named_by_time_version_outcome_error_and_latency(item, label):
    html = strip_html([item], fmt_time=lambda t: f"at {t}", outcome_names=NAMES, label="L")
    assert f'aria-label="{label}"' in html


def test_strip_markup_lists_cells_oldest_first_with_the_newest_focusable():
    html = strip_html(
        [probe(latency=1), probe("error", 2, "E<1>", 500), probe(latency=3)],
        fmt_time=lambda t: "T",
        outcome_names=NAMES,
        label="Last probes",
    )
    assert html == (
        '<span class="strip" role="list" aria-label="Last probes">'
        '<span class="cell o-ok" role="listitem" tabindex="-1" aria-label="T · V1 · OK · 1 ms">'
        "</span>"
        '<span class="cell o-error" role="listitem" tabindex="-1" '
        'aria-label="T · V1 · Error · E&lt;1&gt; (HTTP 500) · 2 ms"></span>'
        '<span class="cell o-ok" role="listitem" tabindex="0" aria-label="T · V1 · OK · 3 ms">'
        "</span></span>"
    )


def test_no_probes_draw_nothing():
    assert strip_html([], fmt_time=str, outcome_names=NAMES, label="L") == ""


def test_percentiles_interpolate_between_ranks():
    # One bucket of 1..10 ms: the median falls between 5 and 6, p95 between 9 and 10.
    recent = [probe(latency=v) for v in range(10, 0, -1)]  # order must not matter
    assert latency_series(recent, buckets=1) == [(5.5, pytest.approx(9.55))]
    assert latency_series([probe(latency=7)], buckets=1) == [(7, 7)]


def test_slow_answers_count_and_buckets_hold_consecutive_probes():
    recent = [probe(latency=10), probe("slow", 9000), probe("refused", 1), probe(latency=20)]
    recent += [probe(latency=30), probe(latency=None)]
    # four answered probes in buckets of two: (10, 9000) then (20, 30)
    assert latency_series(recent, buckets=2) == [
        (4505.0, pytest.approx(8550.5)),
        (25.0, pytest.approx(29.5)),
    ]


def points(svg: str, line: str) -> str:
    start = svg.index(f'<polyline class="{line}" points="') + len(
        f'<polyline class="{line}" points="'
    )
    return svg[start : svg.index('"', start)]


def test_sparkline_spans_the_box_and_scales_to_the_highest_p95():
    svg, summary = sparkline_svg([probe(latency=v) for v in (100, 200, 300, 400)])
    # 150 x 32 with a 2 px margin: x from 2 to 148, y from 30 (0 ms) up to 2 (the top).
    assert points(svg, "p95") == "2.0,23.0 50.7,16.0 99.3,9.0 148.0,2.0"
    assert points(svg, "p50") == "2.0,23.0 50.7,16.0 99.3,9.0 148.0,2.0"
    assert summary == "Latency p50 400 ms, p95 400 ms (latest), up to 400 ms"
    assert f'aria-label="{summary}"><title>{summary}</title>' in svg


def test_sparkline_of_two_buckets_and_of_one():
    svg, _ = sparkline_svg([probe(latency=50), probe(latency=200)])
    assert points(svg, "p95") == "2.0,23.0 148.0,2.0"
    # a single bucket is drawn as a flat line across, not a dot
    svg, summary = sparkline_svg([probe(latency=100)])
    assert points(svg, "p95") == "2.0,2.0 148.0,2.0"
    assert points(svg, "p50") == "2.0,2.0 148.0,2.0"
    assert summary == "Latency p50 100 ms, p95 100 ms (latest), up to 100 ms"


def test_sparkline_summary_gives_the_latest_bucket():
    # 30 probes in 15 buckets of two: the latest bucket is (280, 290) ms.
    svg, summary = sparkline_svg([probe(latency=10 * i) for i in range(30)])
    assert summary == "Latency p50 285 ms, p95 290 ms (latest), up to 290 ms"
    assert points(svg, "p50").startswith("2.0,29.5 ")  # 5 ms of 290 sits near the bottom


def test_sub_millisecond_scale_is_not_blown_up():
    # Answers of 1 ms or less are drawn against a 1 ms scale (never a division by zero).
    svg, _ = sparkline_svg([probe(latency=0), probe(latency=1)])
    assert points(svg, "p95") == "2.0,30.0 148.0,2.0"
