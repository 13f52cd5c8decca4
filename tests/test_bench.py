"""The benchmark (bench/): its arithmetic, its client's view of a stream, and a smoke run.

Timing goals are not asserted anywhere: machines are noisy. The smoke test only checks
that ``python bench/run.py --quick`` completes and prints every figure.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench import stats
from bench.client import Connection, Piece, parse_sse
from bench.figures import Column, Figure
from bench.report import table
from bench.stats import Goal, Spread

ROOT = Path(__file__).resolve().parent.parent

# --- medians, percentiles, spreads ----------------------------------------------------------


def test_median_of_odd_and_even_counts():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.median([7]) == 7


def test_percentile_interpolates_between_ranks():
    values = list(range(1, 101))  # 1..100
    assert stats.percentile(values, 0) == 1
    assert stats.percentile(values, 100) == 100
    assert stats.percentile(values, 50) == 50.5
    assert stats.percentile(values, 95) == pytest.approx(95.05)
    assert stats.percentile([10, 20], 25) == 12.5


@pytest.mark.parametrize("bad", [[], None])
def test_percentile_of_nothing_is_an_error(bad):
    with pytest.raises((ValueError, TypeError)):
        stats.percentile(bad, 50)


def test_percentile_rejects_q_outside_0_100():
    with pytest.raises(ValueError, match=r"^q must be between 0 and 100$"):
        stats.percentile([1, 2], 101)


def test_median_of_round_medians_and_its_spread():
    rounds = [[10, 11, 12], [20, 21, 90], [15, 16, 17], []]  # the empty round is skipped
    spread = stats.median_of_medians(rounds)
    assert spread.rounds == (11, 21, 16)
    assert spread.median == 16
    assert (spread.low, spread.high) == (11, 21)
    assert spread.q1 == 13.5 and spread.q3 == 18.5


def test_round_values_with_another_statistic():
    rounds = [list(range(1, 101)), list(range(101, 201))]
    assert stats.round_values(rounds, lambda s: stats.percentile(s, 95)) == pytest.approx(
        [95.05, 195.05]
    )


def test_spread_of_one_round_is_that_round():
    spread = Spread.of([5.0])
    assert (spread.median, spread.low, spread.high, spread.q1, spread.q3) == (5, 5, 5, 5, 5)
    assert spread.as_dict()["rounds"] == [5.0]


def test_spread_needs_a_round():
    with pytest.raises(ValueError, match=r"^no rounds$"):
        Spread.of([])


# --- ratios -----------------------------------------------------------------------------------


def test_ratios_pair_the_rounds_in_order():
    portal = [52.0, 60.0, 51.0]
    direct = [50.0, 50.0, 51.0]
    assert stats.paired_ratios(portal, direct) == [1.04, 1.2, 1.0]
    spread = stats.ratio_spread(portal, direct)
    assert spread.median == 1.04
    assert (spread.low, spread.high) == (1.0, 1.2)


def test_ratio_is_not_the_ratio_of_medians_when_rounds_drift():
    # The machine slows down in the second round: each pair shares it.
    direct, portal = [50.0, 100.0], [51.0, 102.0]
    assert stats.ratio_spread(portal, direct).median == pytest.approx(1.02)


def test_ratios_need_matching_rounds_and_no_zero():
    with pytest.raises(ValueError, match=r"^both sides need the same number of rounds$"):
        stats.paired_ratios([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"^a round's denominator is zero$"):
        stats.paired_ratios([1.0], [0.0])


# --- streams: gaps and separate reads ---------------------------------------------------------


def test_gaps_between_arrivals():
    assert stats.gaps([1.0, 1.02, 1.05]) == pytest.approx([0.02, 0.03])
    assert stats.gaps([1.0]) == []


def test_separate_reads_counts_distinct_reads():
    assert stats.separate_reads([1, 2, 3, 4]) == 4  # each delta in its own read
    assert stats.separate_reads([1, 1, 2, 3]) == 3  # two coalesced into read 1
    assert stats.separate_reads([5, 5, 5]) == 1  # everything held back, then one read
    assert stats.separate_reads([]) == 0


def test_separation_divides_by_the_chunks_sent():
    assert stats.separation(list(range(64)), 64) == 1.0
    assert stats.separation([1] * 32 + list(range(2, 34)), 64) == 33 / 64
    # Deltas the portal merged or dropped count against it too.
    assert stats.separation(list(range(60)), 64) == 60 / 64
    with pytest.raises(ValueError, match=r"^no chunks were sent$"):
        stats.separation([1], 0)


def test_sse_events_complete_in_the_read_that_ends_them():
    pieces = [
        Piece(1, 0.010, b'event: start\ndata: {}\n\nevent: delta\ndata: {"text"'),
        Piece(2, 0.030, b': "a"}\n\n'),
        Piece(
            3,
            0.050,
            b'event: delta\ndata: {"text": "b"}\n\nevent: delta\r\ndata: {"text": "c"}\r\n',
        ),
        Piece(4, 0.070, b"\r\ndata: [DONE]\n\n"),
    ]
    events = list(parse_sse(pieces))
    assert [(e.name, e.read) for e in events] == [
        ("start", 1),
        ("delta", 2),
        ("delta", 3),
        ("delta", 4),
        ("message", 4),
    ]
    assert events[1].json() == {"text": "a"}
    assert events[4].data == "[DONE]"
    deltas = [e.read for e in events if e.name == "delta"]
    assert stats.separation(deltas, 3) == 1.0


def test_coalesced_sse_events_share_a_read():
    body = b"".join(b'event: delta\ndata: {"i": %d}\n\n' % i for i in range(4))
    events = list(parse_sse([Piece(1, 0.0, body[:20]), Piece(2, 0.1, body[20:])]))
    reads = [e.read for e in events]
    assert reads == [2, 2, 2, 2]
    assert stats.separation(reads, 4) == 0.25


# --- goals ------------------------------------------------------------------------------------


def test_goals():
    at_most, at_least, between = Goal.at_most(1.04), Goal.at_least(0.95), Goal.between(0.9, 1.1)
    assert at_most.met(1.04) and not at_most.met(1.0401)
    assert at_least.met(0.95) and not at_least.met(0.9499)
    assert between.met(0.9) and between.met(1.1) and not between.met(1.11)
    assert not between.met(0.89)
    assert not at_most.met(math.nan)
    assert (at_most.describe(), at_least.describe(), between.describe()) == (
        "≤ 1.04",
        "≥ 0.95",
        "0.9 - 1.1",
    )
    with pytest.raises(ValueError, match=r"^low above high$"):
        Goal.between(2, 1)
    with pytest.raises(ValueError, match=r"^unknown goal kind 'sometimes'$"):
        Goal("sometimes", 1, 2).met(1.5)


def test_a_figure_is_judged_on_its_ratio_median():
    figure = Figure(
        key="latency_p50",
        title="non-stream latency p50",
        goal=Goal.at_most(1.04),
        ratio=Spread.of([1.01, 1.03, 1.09]),
        direct=Column("ms", value=Spread.of([50.0, 51.0, 50.5])),
        portal=Column("ms", value=Spread.of([51.0, 52.0, 55.0])),
    )
    assert figure.met  # median 1.03, although one round was 1.09
    info = Figure("x", "context", None, Spread.of([2.0]), Column("ms", value=Spread.of([1.0])))
    assert info.met is None
    data = json.loads(json.dumps(figure.as_dict()))
    assert data["met"] is True and data["goal"] == "≤ 1.04"
    assert data["ratio"]["median"] == 1.03


def test_table_has_a_row_per_figure_with_the_columns_asked_for():
    figures = [
        Figure(
            "latency_p50",
            "non-stream latency p50",
            Goal.at_most(1.04),
            Spread.of([1.1, 1.2]),
            direct=Column("ms", value=Spread.of([50.0, 51.0])),
            portal=Column("ms", value=Spread.of([56.0, 60.0])),
        ),
        Figure(
            "access_list_scale",
            "access list page p50",
            Goal.at_most(1.5),
            Spread.of([1.2]),
            portal=Column("ms", base=Spread.of([10.0]), loaded=Spread.of([12.0])),
        ),
    ]
    lines = table(figures).splitlines()
    assert lines[0] == "| figure | direct | through the portal | ratio (min-max) | goal | met |"
    assert len(lines) == 4
    assert "| non-stream latency p50 | 50.5 ms (50.0-51.0) | 58.0 ms (56.0-60.0) |" in lines[2]
    assert lines[2].endswith("| ≤ 1.04 | **no** |")
    assert "| — | 10.0 ms → 12.0 ms | 1.200 | ≤ 1.5 | yes |" in lines[3]


# --- the client: timed reads over a real socket -------------------------------------------------


def _serve_once(script):
    """A one-connection server on loopback that runs ``script(conn)``; returns its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run():
        with listener:
            listener.settimeout(10)
            conn, _ = listener.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.recv(65536)
                script(conn)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return port, thread


def test_client_sees_chunks_sent_apart_as_separate_reads():
    def script(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n")
        conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(3):
            event = b'event: delta\ndata: {"i": %d}\n\n' % i
            conn.sendall(b"%x\r\n%s\r\n" % (len(event), event))
            time.sleep(0.15)  # ample for the client to read each one on its own
        both = b"event: delta\ndata: {}\n\nevent: end\ndata: {}\n\n"
        conn.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(both), both))

    port, thread = _serve_once(script)
    response = Connection("127.0.0.1", port).request("POST", "/", {}, b"x")
    thread.join(5)
    assert response.status == 200
    events = response.events()
    assert [e.name for e in events] == ["delta"] * 4 + ["end"]
    reads = [e.read for e in events if e.name == "delta"]
    assert stats.separate_reads(reads) == 4
    assert events[0].t < events[1].t < events[2].t


def test_client_reads_a_content_length_body_and_gzip():
    import gzip

    body = gzip.compress(b'{"ok": true}')

    def script(conn):
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
        conn.sendall(head % len(body) + body)

    port, thread = _serve_once(script)
    started = time.perf_counter()
    response = Connection("127.0.0.1", port).request("GET", "/")
    outer = time.perf_counter() - started
    thread.join(5)
    assert json.loads(response.body) == {"ok": True}
    assert 0 < response.elapsed <= outer  # measured inside the call, on the same clock


# --- the command lines the benchmark runs -----------------------------------------------------


@pytest.mark.parametrize("password", ["-Qj-VWanC5JeOjLzZLZ8OA", "-h", "--accesses", "plain_Pass-1"])
def test_a_generated_password_reaches_populate_whatever_it_starts_with(password):
    """token_urlsafe draws "-" first one time in 64: the population step must still get it."""
    from bench import populate
    from bench.servers import populate_args

    argv = populate_args(
        simulator_url="http://127.0.0.1:9", password=password, accesses=(10,), deployments=(3, 4)
    )
    assert argv[:2] == ["-m", "bench.populate"]
    args = populate.parse_args(argv[2:])
    assert args.password == password
    assert (args.simulator_url, args.accesses, args.deployments) == (
        "http://127.0.0.1:9",
        [10],
        [3, 4],
    )


# --- the whole thing, briefly -------------------------------------------------------------------


def test_quick_run_completes_and_prints_every_figure(tmp_path):
    """``python bench/run.py --quick``: starts the simulator and gunicorn, signs in, and
    prints the table. Only completion and the rows are checked, not the timings."""
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=360,  # ~3 min on an idle 2-core box; more when others share it
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    printed = result.stdout
    for title in (
        "non-stream latency p50",
        "non-stream latency p95",
        "the floor: a bare relay's p50",
        "time to first delta",
        "median gap between deltas",
        "deltas reaching the client as separate events",
        "Accept-Encoding: gzip",
        "compare: median gap between deltas, slowest of 3 streams at once ÷ one stream alone",
        "32 concurrent streams ÷ one stream",
        "catalog page p50 while 24 streams run",
        "new upstream connections ÷ calls, 50 sequential calls",
        "new upstream connections ÷ calls, 2 sequential streamed calls",
        "portal CPU time per call",
        "portal CPU time per streamed call",
        "access list page p50 with 10,000 accesses ÷ with 10",
        "deployment page p50 with 2,000 deployments ÷ with 10",
        "API deployment list p50 with 2,000 deployments ÷ with 10 (10 per page)",
    ):
        assert title in printed, f"{title!r} missing from:\n{printed}"
    assert printed.count("Accept-Encoding: gzip") == 3
    data = json.loads(out.read_text())
    keys = {f["key"] for f in data["figures"]}
    assert {
        "latency_p50",
        "latency_p95",
        "bare_relay_p50",
        "ttfd",
        "gap",
        "separate",
        "ttfd_gzip",
        "gap_gzip",
        "separate_gzip",
        "compare_gap",
        "concurrency",
        "catalog_under_load",
        "connections",
        "connections_stream",
        "cpu_per_call_whole",
        "cpu_per_call_stream",
        "access_list_scale",
        "deployment_list_scale",
        "deployment_detail_scale",
        "api_deployment_list_scale",
    } <= keys
    for figure in data["figures"]:
        if figure["key"].startswith("cpu_per_call"):  # the portal alone: a value, no ratio
            assert figure["portal"]["value"]["median"] > 0, figure
        else:
            assert math.isfinite(figure["ratio"]["median"]), figure


# --- CPU time per call, from /proc ------------------------------------------------------------


def test_cpu_ticks_are_user_plus_system_even_with_odd_command_names():
    from bench.cpu import cpu_ticks

    # Fields 14 and 15 (utime 700, stime 42); the name holds spaces and a ")".
    rest = " ".join(["S", *map(str, range(4, 14)), "700", "42", "0", "0"])
    assert cpu_ticks(f"123 (gunicorn: worker) [x]) {rest}") == 742


def test_cpu_per_call_counts_the_processes_alive_at_the_end():
    from bench.cpu import per_call_ms, spent

    before = {1: 2.0, 2: 5.0, 3: 1.0}  # 3 exits; 4 is a worker started in between
    after = {1: 2.5, 2: 6.0, 4: 0.5}
    assert spent(before, after) == pytest.approx(2.0)
    assert per_call_ms(before, after, 40) == pytest.approx(50.0)
    with pytest.raises(ValueError):
        per_call_ms(before, after, 0)


def test_this_process_has_spent_cpu_time():
    from bench.cpu import process_tree_seconds

    sum(i * i for i in range(200_000))  # some work of its own
    assert process_tree_seconds(os.getpid())[os.getpid()] > 0


def test_a_figure_without_a_ratio_is_shown_without_a_goal():
    figure = Figure(
        key="cpu",
        title="portal CPU time per call",
        goal=None,
        ratio=None,
        portal=Column("ms", value=Spread.of([3.0, 4.0, 5.0])),
    )
    assert figure.met is None and figure.as_dict()["ratio"] is None
    assert "| portal CPU time per call | — | 4.0 ms (3.0-5.0) | — | — | — |" in table([figure])
