"""The board's pictures, drawn on the server (pure functions, no inline script or style).

- ``strip_html``: one cell per probe, coloured by outcome through a class; each cell is
  named (time, version, outcome, error) for screen readers and shows that name on hover
  and on keyboard focus through CSS. Built as a string: a page draws thousands of cells.
- ``sparkline_svg``: p50 and p95 latency over the recent probes, in buckets.
- ``uptime``: the share of known time a deployment was not down, from its state events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from monitor.models import Health

STRIP_CELLS = 90
BUCKETS = 15
WIDTH, HEIGHT, PAD = 150, 32, 2


def entry(*, at: datetime, version: str, outcome: str, status, code: str, latency, ttft) -> dict:
    """A probe in the short form kept on DeploymentHealth.recent."""
    return {
        "t": at.timestamp(),
        "v": version,
        "o": outcome,
        "s": status,
        "c": code,
        "l": latency,
        "f": ttft,
    }


def strip_html(
    recent: list[dict], *, fmt_time, outcome_names: dict[str, str], label: str
) -> SafeString:
    """Oldest left, newest right; the newest cell is the one keyboard focus lands on.

    Built with one f-string per cell and each distinct piece escaped once: a page draws
    1,800 cells, and this loop was most of a page's time per row. ``fmt_time`` returns
    text safe in HTML (the board's escapes each minute's text once).
    """
    items = recent[-STRIP_CELLS:]
    if not items:
        return mark_safe("")
    last = len(items) - 1
    safe: dict[str, str] = {}  # escaped outcome, version and outcome name, once each

    def once(text: str) -> str:
        escaped = safe.get(text)
        if escaped is None:
            escaped = safe[text] = escape(text)
        return escaped

    cells = []
    for i, item in enumerate(items):
        outcome = item["o"]
        name = f"{fmt_time(item['t'])} · {once(item['v'].upper())} · "
        name += once(outcome_names.get(outcome, outcome))
        status = item.get("s")
        if item.get("c"):
            name += " · " + escape(item["c"]) + (f" (HTTP {int(status)})" if status else "")
        elif status and outcome in ("error", "refused"):
            name += f" · HTTP {int(status)}"
        if item.get("l") is not None:
            name += f" · {int(item['l'])} ms"
        cells.append(
            f'<span class="cell o-{once(outcome)}" role="listitem" '
            f'tabindex="{0 if i == last else -1}" aria-label="{name}"></span>'
        )
    return mark_safe(  # noqa: S308 (every value above is escaped or a number)
        f'<span class="strip" role="list" aria-label="{escape(label)}">{"".join(cells)}</span>'
    )


def _percentile(values: list[int], q: int) -> float:
    """Linear interpolation between the nearest ranks (statistics.quantiles computes all
    99 cut points for each call: too slow for a page of sparklines)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_series(recent: list[dict], buckets: int = BUCKETS) -> list[tuple[float, float]]:
    """(p50, p95) per bucket of consecutive answered probes, oldest first."""
    values = [int(r["l"]) for r in recent if r.get("l") is not None and r["o"] in ("ok", "slow")]
    if not values:
        return []
    size = max(1, -(-len(values) // buckets))
    groups = [values[i : i + size] for i in range(0, len(values), size)]
    return [(_percentile(g, 50), _percentile(g, 95)) for g in groups]


def _points(values: list[float], top: float) -> str:
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)
    height = HEIGHT - 2 * PAD
    return " ".join(
        f"{PAD + i * step:.1f},{PAD + height - (v / top) * height:.1f}"
        for i, v in enumerate(values)
    )


def sparkline_svg(recent: list[dict]) -> tuple[SafeString, str]:
    """The SVG and a text summary (also its accessible name)."""
    series = latency_series(recent)
    if not series:
        return mark_safe(""), ""
    p50 = [a for a, _b in series]
    p95 = [b for _a, b in series]
    top = max(max(p95), 1.0)
    summary = _("Latency p50 %(p50)d ms, p95 %(p95)d ms (latest), up to %(top)d ms") % {
        "p50": round(p50[-1]),
        "p95": round(p95[-1]),
        "top": round(top),
    }
    if len(series) == 1:  # one point: a short flat line reads better than a dot
        p50, p95 = p50 * 2, p95 * 2
    svg = (
        f'<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(summary)}"><title>{escape(summary)}</title>'
        f'<polyline class="p95" points="{_points(p95, top)}"/>'
        f'<polyline class="p50" points="{_points(p50, top)}"/></svg>'
    )
    return mark_safe(svg), summary  # noqa: S308 (numbers and escaped text only)


@dataclass(frozen=True)
class StateChange:
    at: datetime
    old: str
    new: str


def uptime(
    changes: list[StateChange], *, state: str, now: datetime, window: timedelta
) -> float | None:
    """Share of the window's known time (up, degraded or down) that was not down.

    ``changes`` are the deployment's changes of state inside the window, oldest first;
    ``state`` is its state now. Before the first change it was in that change's old
    state. Unknown time (not yet monitored, no usable key) counts neither way; None when
    the whole window is unknown.
    """
    start = now - window
    spans: list[tuple[str, timedelta]] = []
    cursor, current = start, (changes[0].old if changes else state)
    for change in changes:
        at = max(change.at, start)
        spans.append((current, at - cursor))
        cursor, current = at, change.new
    spans.append((current, now - cursor))
    known = sum((d for s, d in spans if s != Health.UNKNOWN), timedelta())
    if known <= timedelta():
        return None
    down = sum((d for s, d in spans if s == Health.DOWN), timedelta())
    return 1 - down / known
