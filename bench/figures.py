"""The measurements: each figure is the same work done directly against the simulator
and through the portal (or, for the scale figures, at a small and a large size), in
alternating rounds, reduced with bench/stats.py.

Direct calls are the exact HTTP call the portal makes upstream (V2, ``Authorization:
Bearer``, the same JSON body) sent by the same client (bench/client.py) that talks to
the portal's playground endpoint.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import cpu, stats
from bench.client import Browser, Connection, Response
from bench.stats import Goal, Spread

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = ROOT / "simulator" / "demo_state.json"
MODEL = "pangu-nlp-n1-32k"
ACCESS_NAME = "team-all"
# A question whose deterministic answer has at least 64 pieces, so the simulator sends
# all 64 chunks (it sends fewer when the answer is shorter).
PROMPT = "Explain in detail how a careful engineer benchmarks a streaming gateway on loopback"
USER_AGENT = "access-portal-bench/1"


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class Plan:
    """How much to measure; ``quick`` is the CI smoke run."""

    latency_rounds: int = 8
    latency_calls: int = 40
    stream_rounds: int = 6
    streams_per_round: int = 3
    concurrency_rounds: int = 5
    concurrent_streams: int = 32
    load_rounds: int = 6
    load_pages: int = 30
    load_streams: int = 24
    connection_rounds: int = 3
    sequential_calls: int = 50
    # A stream takes 1.3 s (64 chunks 20 ms apart): 17 keep the control connection within
    # the simulator's 30 s idle limit, and one new connection (1/17) stays under 0.06.
    sequential_streams: int = 17
    page_rounds: int = 6
    pages_per_round: int = 20
    warmup: int = 6

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            latency_rounds=3,
            latency_calls=10,
            stream_rounds=2,
            streams_per_round=1,
            concurrency_rounds=2,
            load_rounds=2,
            load_pages=10,
            connection_rounds=1,
            sequential_streams=2,
            page_rounds=2,
            pages_per_round=6,
            warmup=3,
        )


@dataclass
class Column:
    """One side of a figure: one value, or a baseline and a loaded value."""

    unit: str
    value: Spread | None = None
    base: Spread | None = None
    loaded: Spread | None = None

    def as_dict(self) -> dict:
        out: dict = {"unit": self.unit}
        for name in ("value", "base", "loaded"):
            spread = getattr(self, name)
            if spread is not None:
                out[name] = spread.as_dict()
        return out


@dataclass
class Figure:
    key: str
    title: str
    goal: Goal | None  # None: shown for context, no goal
    ratio: Spread | None  # None: a figure of the portal alone (CPU time)
    portal: Column
    direct: Column | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.goal is None or self.ratio is None:
            return None
        return self.goal.met(self.ratio.median)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "goal": self.goal.describe() if self.goal else None,
            "met": self.met,
            "ratio": self.ratio.as_dict() if self.ratio else None,
            "direct": self.direct.as_dict() if self.direct else None,
            "portal": self.portal.as_dict(),
            "note": self.note,
        }


# --- the two ways to make the same call ------------------------------------------------


def api_key() -> str:
    state = json.loads(STATE_FILE.read_text())
    return next(a["key"] for a in state["app_accesses"] if a["name"] == ACCESS_NAME)


def chat_body(stream: bool) -> dict:
    body: dict = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        # What the portal sends upstream for a V2 stream (chat/calls.py final_body).
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    return body


@dataclass
class Target:
    sim_host: str
    sim_port: int
    portal: Browser  # signed in
    workspace: str
    deployment: str
    access: str
    portal_pid: int = 0  # gunicorn's master: its workers' CPU time is read from /proc
    bare_port: int = 0  # bench/bare_relay.py, the floor; 0: not measured
    key: str = field(default_factory=api_key, repr=False)

    def portal_cpu(self) -> dict[int, float]:
        return cpu.process_tree_seconds(self.portal_pid) if self.portal_pid else {}

    def sim_connection(self, max_idle: float = 3.0) -> Connection:
        return Connection(self.sim_host, self.sim_port, max_idle=max_idle)

    def direct(self, connection: Connection, *, stream: bool, gzip: bool = False) -> Response:
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.key}",
            "Accept": "text/event-stream" if stream else "*/*",
            "Accept-Encoding": "gzip" if gzip else "identity",
        }
        body = json.dumps(chat_body(stream), ensure_ascii=False).encode()
        response = connection.request("POST", "/api/v2/chat/completions", headers, body)
        if response.status != 200:
            raise BenchError(f"direct call answered {response.status}: {response.text[:300]}")
        return response

    def via_portal(self, browser: Browser, *, stream: bool, gzip: bool = False) -> Response:
        response = browser.post_form(
            f"/w/{self.workspace}/playground/send/",
            {
                "deployment": self.deployment,
                "version": "v2",
                "auth": f"access:{self.access}",
                "body": json.dumps(chat_body(stream)),
            },
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/event-stream",
                "Accept-Encoding": "gzip" if gzip else "identity",
            },
        )
        if response.status != 200:
            raise BenchError(f"playground answered {response.status}: {response.text[:300]}")
        errors = [e.data for e in response.events() if e.name == "error"]
        if errors:
            raise BenchError(f"playground call failed: {errors[0][:300]}")
        return response

    def via_bare_relay(self, connection: Connection) -> Response:
        response = connection.request(
            "POST",
            "/send/",
            {
                "User-Agent": USER_AGENT,
                "Accept": "text/event-stream",
                "Accept-Encoding": "identity",
            },
            b"body=%7B%7D",  # read and ignored: the relay sends the benchmark's body
        )
        if response.status != 200 or b'"status": 200' not in response.body:
            raise BenchError(f"bare relay answered {response.status}: {response.text[:300]}")
        return response

    def page(self, browser: Browser, path: str, headers: dict[str, str] | None = None) -> float:
        sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"} | (headers or {})
        response = browser.get(path, sent)
        if response.status != 200:
            raise BenchError(f"GET {path} answered {response.status}")
        return response.elapsed


# --- what a stream looked like at the client ---------------------------------------------


@dataclass
class StreamShape:
    ttfd: float  # request sent → first delta complete
    gaps: list[float]  # between consecutive deltas
    delta_reads: list[int]  # the network read each delta completed in
    wall: float  # request sent → last byte


def direct_deltas(response: Response):
    """V2 chunks that carry text (the role chunk, finish and usage chunks do not)."""
    for event in response.events():
        if event.data.startswith("{"):
            choices = event.json().get("choices") or []
            if choices and (choices[0].get("delta") or {}).get("content"):
                yield event


def portal_deltas(response: Response):
    return (e for e in response.events() if e.name == "delta")


def shape(response: Response, deltas) -> StreamShape:
    events = list(deltas)
    if not events:
        raise BenchError("the stream carried no delta")
    times = [e.t for e in events]
    return StreamShape(
        ttfd=times[0] - response.t_sent,
        gaps=stats.gaps(times),
        delta_reads=[e.read for e in events],
        wall=response.t_end - response.t_sent,
    )


# --- helpers --------------------------------------------------------------------------------


def ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def _run_threads(count: int, work: Callable[[int], None], timeout: float) -> None:
    """Run ``work(i)`` in ``count`` threads; re-raise the first failure."""
    failures: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported below, in the calling thread
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise BenchError(f"{count} threads did not finish within {timeout:.0f} s")
    if failures:
        raise failures[0]


def _warm(target: Target, calls: int) -> int:
    """Unrecorded calls on fresh connections (so both gunicorn workers warm up); returns
    the chunk count of a direct stream, which every stream figure needs."""
    chunks = 0
    for _ in range(calls):
        connection = target.sim_connection()
        browser = target.portal.clone()
        target.direct(connection, stream=False)
        target.via_portal(browser, stream=False)
        chunks = len(list(direct_deltas(target.direct(connection, stream=True))))
        target.via_portal(browser, stream=True)
        connection.close()
        browser.close()
    return chunks


# --- the figures ----------------------------------------------------------------------------


def latency(target: Target, plan: Plan, log) -> list[Figure]:
    """Non-stream calls, whole answer received: p50 and p95, portal ÷ direct; and the
    bare relay's p50 ÷ direct in the same rounds (when it runs): the floor."""
    connection, browser = target.sim_connection(), target.portal.clone()
    bare = Connection(target.sim_host, target.bare_port) if target.bare_port else None
    rounds: dict[str, list[list[float]]] = {"direct": [], "portal": [], "bare": []}
    sides: dict[str, Callable[[], Response]] = {
        "direct": lambda: target.direct(connection, stream=False),
        "portal": lambda: target.via_portal(browser, stream=False),
    }
    if bare is not None:
        sides["bare"] = lambda: target.via_bare_relay(bare)
        for _ in range(plan.warmup):
            sides["bare"]()
    for r in range(plan.latency_rounds):
        for side, call in sides.items():
            rounds[side].append(ms([call().elapsed for _ in range(plan.latency_calls)]))
        log(
            f"  latency round {r + 1}/{plan.latency_rounds}: "
            + ", ".join(f"{side} p50 {stats.median(rounds[side][-1]):.1f} ms" for side in sides)
        )
    for open_connection in (connection, browser, bare):
        if open_connection is not None:
            open_connection.close()

    def figure(key: str, title: str, side: str, q: int, goal: Goal | None) -> Figure:
        d = stats.round_values(rounds["direct"], lambda s: stats.percentile(s, q))
        p = stats.round_values(rounds[side], lambda s: stats.percentile(s, q))
        return Figure(
            key=key,
            title=title,
            goal=goal,
            ratio=stats.ratio_spread(p, d),
            direct=Column("ms", value=Spread.of(d)),
            portal=Column("ms", value=Spread.of(p)),
        )

    figures = [
        figure(
            f"latency_p{q}",
            f"non-stream latency p{q} (simulator answers in 50 ms)",
            "portal",
            q,
            Goal.at_most(goal),
        )
        for q, goal in ((50, 1.04), (95, 1.15))
    ]
    if bare is not None:
        figures.append(
            figure(
                "bare_relay_p50",
                "the floor: a bare relay's p50 (gunicorn + requests, no Django, no checks;"
                " bench/bare_relay.py) in the portal's column",
                "bare",
                50,
                None,
            )
        )
    return figures


def streams(target: Target, plan: Plan, log, chunks_sent: int) -> list[Figure]:
    """Single streams, identity and gzip: time to first delta, gap between deltas, and
    how many deltas reached the client in reads of their own."""
    connection, browser = target.sim_connection(), target.portal.clone()
    # rounds[variant][side] -> list of per-round lists of shapes
    shapes: dict[tuple[bool, str], list[list[StreamShape]]] = {
        (gzip, side): [] for gzip in (False, True) for side in ("direct", "portal")
    }
    for r in range(plan.stream_rounds):
        for gzip in (False, True):
            for side in ("direct", "portal"):
                round_shapes = []
                for _ in range(plan.streams_per_round):
                    if side == "direct":
                        response = target.direct(connection, stream=True, gzip=gzip)
                        round_shapes.append(shape(response, direct_deltas(response)))
                    else:
                        response = target.via_portal(browser, stream=True, gzip=gzip)
                        round_shapes.append(shape(response, portal_deltas(response)))
                shapes[(gzip, side)].append(round_shapes)
        last = shapes[(False, "portal")][-1][-1]
        log(
            f"  stream round {r + 1}/{plan.stream_rounds}: portal first delta "
            f"{last.ttfd * 1000:.1f} ms, {len(set(last.delta_reads))}/{chunks_sent} separate"
        )
    connection.close()
    browser.close()

    def per_round(gzip: bool, side: str, reduce) -> list[float]:
        return [reduce(round_shapes) for round_shapes in shapes[(gzip, side)]]

    def ttfd(round_shapes):
        return stats.median([s.ttfd * 1000 for s in round_shapes])

    def gap(round_shapes):
        return stats.median([g * 1000 for s in round_shapes for g in s.gaps])

    def separation(round_shapes):
        separate = sum(stats.separate_reads(s.delta_reads) for s in round_shapes)
        return separate / (chunks_sent * len(round_shapes))

    figures = []
    for gzip in (False, True):
        suffix = " (client sends Accept-Encoding: gzip)" if gzip else ""
        tag = "_gzip" if gzip else ""
        for key, title, reduce, goal, unit in (
            ("ttfd", "time to first delta, 64 chunks 20 ms apart", ttfd, Goal.at_most(1.10), "ms"),
            ("gap", "median gap between deltas", gap, Goal.between(0.9, 1.1), "ms"),
        ):
            d, p = per_round(gzip, "direct", reduce), per_round(gzip, "portal", reduce)
            figures.append(
                Figure(
                    key=key + tag,
                    title=title + suffix,
                    goal=goal,
                    ratio=stats.ratio_spread(p, d),
                    direct=Column(unit, value=Spread.of(d)),
                    portal=Column(unit, value=Spread.of(p)),
                )
            )
        d = per_round(gzip, "direct", separation)
        p = per_round(gzip, "portal", separation)
        figures.append(
            Figure(
                key="separate" + tag,
                title="deltas reaching the client as separate events ÷ chunks sent" + suffix,
                goal=Goal.at_least(0.95),
                ratio=Spread.of(p),
                direct=Column("", value=Spread.of(d)),
                portal=Column("", value=Spread.of(p)),
                note=f"{chunks_sent} chunks per stream",
            )
        )
    return figures


def _concurrent_wall(count: int, call: Callable[[int], Response], timeout: float) -> float:
    """Start ``count`` streams at once; seconds from the first request to the last byte."""
    barrier = threading.Barrier(count, timeout=30)
    responses: list[Response | None] = [None] * count

    def work(i: int) -> None:
        barrier.wait()
        responses[i] = call(i)

    _run_threads(count, work, timeout)
    done = [r for r in responses if r is not None]
    return max(r.t_end for r in done) - min(r.t_sent for r in done)


def concurrency(target: Target, plan: Plan, log) -> Figure:
    """Wall time of N concurrent streams ÷ one stream, on each side."""
    n = plan.concurrent_streams
    sims = [target.sim_connection() for _ in range(n)]
    browsers = [target.portal.clone() for _ in range(n)]
    walls: dict[str, tuple[list[float], list[float]]] = {"direct": ([], []), "portal": ([], [])}
    for r in range(plan.concurrency_rounds):
        for side in ("direct", "portal"):
            if side == "direct":

                def call(i: int) -> Response:
                    return target.direct(sims[i], stream=True)
            else:

                def call(i: int) -> Response:
                    return target.via_portal(browsers[i], stream=True)

            one = call(0).elapsed
            many = _concurrent_wall(n, call, timeout=120)
            walls[side][0].append(one)
            walls[side][1].append(many)
            log(
                f"  concurrency round {r + 1}/{plan.concurrency_rounds} {side}: "
                f"1 stream {one:.2f} s, {n} streams {many:.2f} s"
            )
    for c in (*sims, *browsers):
        c.close()
    columns = {
        side: Column("s", base=Spread.of(one), loaded=Spread.of(many))
        for side, (one, many) in walls.items()
    }
    return Figure(
        key="concurrency",
        title=f"{n} concurrent streams ÷ one stream, wall time",
        goal=Goal.at_most(1.3),
        ratio=stats.ratio_spread(walls["portal"][1], walls["portal"][0]),
        direct=columns["direct"],
        portal=columns["portal"],
        note=f"direct {n}÷1: {stats.ratio_spread(*walls['direct'][::-1]).median:.2f}",
    )


COMPARE_COLUMNS = 3  # the compare page's columns: one playground stream each


def compare_streams(target: Target, plan: Plan, log) -> Figure:
    """The compare page's three columns: three playground streams at once, as the browser
    opens them. Each round measures one stream alone, then three together; the ratio is
    the slowest of the three (its median gap between deltas) ÷ the lone stream's, so no
    column may be held back for another."""
    alone = target.portal.clone()
    browsers = [target.portal.clone() for _ in range(COMPARE_COLUMNS)]
    single_rounds: list[float] = []
    worst_rounds: list[float] = []
    best_rounds: list[float] = []
    for r in range(plan.stream_rounds):
        single = shape(*_portal_stream(target, alone))
        single_rounds.append(stats.median(ms(single.gaps)))
        shapes: list[StreamShape | None] = [None] * COMPARE_COLUMNS
        barrier = threading.Barrier(COMPARE_COLUMNS, timeout=30)

        def column(i: int, shapes=shapes, barrier=barrier) -> None:
            barrier.wait()
            shapes[i] = shape(*_portal_stream(target, browsers[i]))

        _run_threads(COMPARE_COLUMNS, column, timeout=120)
        medians = [stats.median(ms(s.gaps)) for s in shapes if s is not None]
        worst_rounds.append(max(medians))
        best_rounds.append(min(medians))
        log(
            f"  compare round {r + 1}/{plan.stream_rounds}: gap alone "
            f"{single_rounds[-1]:.1f} ms, {COMPARE_COLUMNS} at once "
            f"{min(medians):.1f}-{max(medians):.1f} ms"
        )
    for browser in (alone, *browsers):
        browser.close()
    return Figure(
        key="compare_gap",
        title=(
            f"compare: median gap between deltas, slowest of {COMPARE_COLUMNS} streams "
            "at once ÷ one stream alone"
        ),
        goal=Goal.between(0.9, 1.1),
        ratio=stats.ratio_spread(worst_rounds, single_rounds),
        portal=Column("ms", base=Spread.of(single_rounds), loaded=Spread.of(worst_rounds)),
        note=(
            f"fastest of {COMPARE_COLUMNS} ÷ alone: "
            f"{stats.ratio_spread(best_rounds, single_rounds).median:.3f}"
        ),
    )


def _portal_stream(target: Target, browser: Browser) -> tuple[Response, object]:
    response = target.via_portal(browser, stream=True)
    return response, portal_deltas(response)


def catalog_under_load(target: Target, plan: Plan, log) -> Figure:
    """The deployment list (the catalog's main page) while N streams run ÷ with none."""
    path = f"/w/{target.workspace}/deployments/"
    browser = target.portal.clone()
    base_rounds: list[list[float]] = []
    loaded_rounds: list[list[float]] = []
    n = plan.load_streams
    for r in range(plan.load_rounds):
        base_rounds.append(ms([target.page(browser, path) for _ in range(plan.load_pages)]))
        stop = threading.Event()
        streamers = [target.portal.clone() for _ in range(n)]

        def stream_until_stopped(i: int, stop=stop, streamers=streamers) -> None:
            deadline = time.monotonic() + 120
            for _ in range(100):  # bounded: a stream takes ~1.3 s, a round far less
                if stop.is_set() or time.monotonic() > deadline:
                    return
                target.via_portal(streamers[i], stream=True)

        errors: list[BaseException] = []

        def load(stop=stop, errors=errors) -> None:
            try:
                _run_threads(n, stream_until_stopped, timeout=150)
            except BaseException as exc:  # re-raised in the measuring thread
                errors.append(exc)
                stop.set()

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        time.sleep(0.3)  # every stream is past its start: the portal is relaying N streams
        loaded_rounds.append(ms([target.page(browser, path) for _ in range(plan.load_pages)]))
        stop.set()
        loader.join(150)
        for s in streamers:
            s.close()
        if errors:
            raise errors[0]
        log(
            f"  catalog round {r + 1}/{plan.load_rounds}: p50 "
            f"{stats.median(base_rounds[-1]):.1f} ms idle, "
            f"{stats.median(loaded_rounds[-1]):.1f} ms with {n} streams"
        )
    browser.close()
    base = stats.round_values(base_rounds, stats.median)
    loaded = stats.round_values(loaded_rounds, stats.median)
    return Figure(
        key="catalog_under_load",
        title=f"catalog page p50 while {n} streams run ÷ with none",
        goal=Goal.at_most(1.5),
        ratio=stats.ratio_spread(loaded, base),
        portal=Column("ms", base=Spread.of(base), loaded=Spread.of(loaded)),
        note="the deployment list of the demo workspace",
    )


def _sim_stats(control: Connection, method: str, path: str) -> dict:
    response = control.request(method, path, {"User-Agent": USER_AGENT})
    if response.status != 200:
        raise BenchError(f"{path} answered {response.status}")
    return json.loads(response.body or b"{}")


def connections(target: Target, plan: Plan, log) -> list[Figure]:
    """New upstream TCP connections (the simulator counts them) ÷ calls, N sequential calls,
    whole answers and streams; and the portal's CPU time per call over the same batches."""
    control = target.sim_connection(max_idle=25)  # kept open: it must not count itself
    kinds = {"whole": False, "stream": True}
    calls = {"whole": plan.sequential_calls, "stream": plan.sequential_streams}
    ratios: dict[tuple[str, str], list[float]] = {}
    cpu_ms: dict[str, list[float]] = {kind: [] for kind in kinds}
    for r in range(plan.connection_rounds):
        for kind, stream in kinds.items():
            n = calls[kind]
            for side in ("direct", "portal"):
                connection, browser = target.sim_connection(), target.portal.clone()
                _sim_stats(control, "POST", "/_sim/reset-stats")
                cpu_before = target.portal_cpu()
                for _ in range(n):
                    if side == "direct":
                        target.direct(connection, stream=stream)
                    else:
                        target.via_portal(browser, stream=stream)
                if side == "portal" and cpu_before:
                    cpu_ms[kind].append(cpu.per_call_ms(cpu_before, target.portal_cpu(), n))
                counted = _sim_stats(control, "GET", "/_sim/stats")
                if counted["requests"] != n:
                    raise BenchError(f"the simulator counted {counted['requests']} calls, not {n}")
                ratios.setdefault((kind, side), []).append(counted["connections"] / n)
                connection.close()
                browser.close()
            log(
                f"  connections round {r + 1}/{plan.connection_rounds}, {kind}: direct "
                f"{ratios[kind, 'direct'][-1]:.2f}, portal {ratios[kind, 'portal'][-1]:.2f}"
                + (f", portal CPU {cpu_ms[kind][-1]:.1f} ms a call" if cpu_ms[kind] else "")
            )
    control.close()
    figures = [
        Figure(
            key="connections" if kind == "whole" else "connections_stream",
            title=f"new upstream connections ÷ calls, {calls[kind]} sequential "
            + ("calls" if kind == "whole" else "streamed calls"),
            goal=Goal.at_most(0.06),
            ratio=Spread.of(ratios[kind, "portal"]),
            direct=Column("", value=Spread.of(ratios[kind, "direct"])),
            portal=Column("", value=Spread.of(ratios[kind, "portal"])),
        )
        for kind in kinds
    ]
    figures += [
        Figure(
            key=f"cpu_per_call_{kind}",
            title=f"portal CPU time per {'call' if kind == 'whole' else 'streamed call'} "
            "(gunicorn processes, user + system)",
            goal=None,
            ratio=None,
            portal=Column("ms", value=Spread.of(cpu_ms[kind])),
            note="what a call costs the server, wherever the work happens",
        )
        for kind in kinds
        if cpu_ms[kind]
    ]
    return figures


def page_scale(
    target: Target,
    plan: Plan,
    log,
    *,
    key: str,
    title: str,
    small: str,
    large: str,
    goal: Goal | None = None,
    note: str = "",
    headers: dict[str, str] | None = None,
) -> Figure:
    """The same page at a small and a large catalog size, alternating: large ÷ small."""
    browser = target.portal.clone()

    def load(path: str) -> float:
        return target.page(browser, path, headers)

    for _ in range(plan.warmup):
        load(small)
        load(large)
    small_rounds: list[list[float]] = []
    large_rounds: list[list[float]] = []
    for _ in range(plan.page_rounds):
        small_rounds.append(ms([load(small) for _ in range(plan.pages_per_round)]))
        large_rounds.append(ms([load(large) for _ in range(plan.pages_per_round)]))
    browser.close()
    s = stats.round_values(small_rounds, stats.median)
    big = stats.round_values(large_rounds, stats.median)
    log(f"  {key}: p50 {stats.median(s):.1f} ms small, {stats.median(big):.1f} ms large")
    return Figure(
        key=key,
        title=title,
        goal=goal,
        ratio=stats.ratio_spread(big, s),
        portal=Column("ms", base=Spread.of(s), loaded=Spread.of(big)),
        note=note,
    )


GROUPS = (
    "latency",
    "streams",
    "compare",
    "concurrency",
    "load",
    "connections",
    "scale",
    "api",
)


def all_figures(target: Target, plan: Plan, seed: dict, log, groups=GROUPS) -> list[Figure]:
    log("warming up …")
    chunks_sent = _warm(target, plan.warmup)
    if chunks_sent < 2:
        raise BenchError(f"the simulator streamed {chunks_sent} chunks")
    figures: list[Figure] = []
    if "latency" in groups:
        log("non-stream latency …")
        figures += latency(target, plan, log)
    if "streams" in groups:
        log("streams …")
        figures += streams(target, plan, log, chunks_sent)
    if "compare" in groups:
        log("compare (three streams at once) …")
        figures.append(compare_streams(target, plan, log))
    if "concurrency" in groups:
        log("concurrent streams …")
        figures.append(concurrency(target, plan, log))
    if "load" in groups:
        log("catalog page under load …")
        figures.append(catalog_under_load(target, plan, log))
    if "connections" in groups:
        log("upstream connections …")
        figures += connections(target, plan, log)
    if "scale" in groups:
        log("catalog size …")
        figures += scale(target, plan, seed, log)
    if "api" in groups:
        log("REST API …")
        figures.append(api_scale(target, plan, seed, log))
    return figures


def api_scale(target: Target, plan: Plan, seed: dict, log) -> Figure:
    """GET /api/v1/…/deployments (call paths and header tables on every row) at the
    smallest and largest catalog, pages of equal size (10 rows) on both sides."""
    deploy = {int(k): v for k, v in seed["deployment_workspaces"].items()}
    small, large = min(deploy), max(deploy)

    def listing(n: int) -> str:
        return f"/api/v1/workspaces/{deploy[n]['workspace']}/deployments?limit=10&offset=0"

    return page_scale(
        target,
        plan,
        log,
        key="api_deployment_list_scale",
        title=f"API deployment list p50 with {large:,} deployments ÷ with {small} (10 per page)",
        small=listing(small),
        large=listing(large),
        goal=Goal.at_most(1.5),
        headers={"Authorization": f"Bearer {seed['api_token']}"},
    )


def scale(target: Target, plan: Plan, seed: dict, log) -> list[Figure]:
    """The catalog pages at a small and a large size. The list pages show 50 rows a page,
    so "10 ÷ 10,000" also compares 10 rows with 50; the full-page rows (a middle size
    with 50 rows on its page) isolate the catalog's size from the page's."""
    access = {int(k): v for k, v in seed["access_workspaces"].items()}
    deploy = {int(k): v for k, v in seed["deployment_workspaces"].items()}
    a_small, a_large = min(access), max(access)
    d_small, d_large = min(deploy), max(deploy)

    def access_page(n: int) -> str:
        return f"/w/{access[n]['workspace']}/access/"

    def deployment_list(n: int) -> str:
        return f"/w/{deploy[n]['workspace']}/deployments/"

    def deployment_page(n: int) -> str:
        return f"/w/{deploy[n]['workspace']}/deployments/{deploy[n]['deployment']}/"

    figures = [
        page_scale(
            target,
            plan,
            log,
            key="access_list_scale",
            title=f"access list page p50 with {a_large:,} accesses ÷ with {a_small}",
            small=access_page(a_small),
            large=access_page(a_large),
            goal=Goal.at_most(1.5),
            note=f"{min(a_small, 50)} rows on the page ÷ 50",
        )
    ]
    for n in sorted(access)[1:-1]:
        figures.append(
            page_scale(
                target,
                plan,
                log,
                key=f"access_list_scale_{n}",
                title=f"access list page p50 with {a_large:,} ÷ with {n} (50 rows on each)",
                small=access_page(n),
                large=access_page(a_large),
            )
        )
    figures.append(
        page_scale(
            target,
            plan,
            log,
            key="deployment_list_scale",
            title=f"deployment list page p50 with {d_large:,} deployments ÷ with {d_small}",
            small=deployment_list(d_small),
            large=deployment_list(d_large),
            goal=Goal.at_most(1.5),
        )
    )
    for n in sorted(deploy)[1:-1]:
        figures.append(
            page_scale(
                target,
                plan,
                log,
                key=f"deployment_list_scale_{n}",
                title=f"deployment list page p50 with {d_large:,} ÷ with {n} (50 rows on each)",
                small=deployment_list(n),
                large=deployment_list(d_large),
            )
        )
    figures.append(
        page_scale(
            target,
            plan,
            log,
            key="deployment_detail_scale",
            title=f"deployment page p50 with {d_large:,} deployments ÷ with {d_small}",
            small=deployment_page(d_small),
            large=deployment_page(d_large),
            goal=Goal.at_most(1.5),
        )
    )
    return figures
