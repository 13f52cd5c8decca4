"""The results as a Markdown table (what run.py prints and the README quotes) and JSON."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path

from bench.figures import Column, Figure
from bench.stats import Spread

HEADER = ("figure", "direct", "through the portal", "ratio (min-max)", "goal", "met")


def _number(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.2f}"


def _spread(spread: Spread, unit: str) -> str:
    if spread.low == spread.high:
        return _number(spread.median, unit)
    low, high = _number(spread.low, unit), _number(spread.high, unit)
    if unit:
        low, high = low.rsplit(" ", 1)[0], high.rsplit(" ", 1)[0]
    return f"{_number(spread.median, unit)} ({low}-{high})"


def column_text(column: Column | None) -> str:
    if column is None:
        return "—"
    if column.value is not None:
        return _spread(column.value, column.unit)
    assert column.base is not None and column.loaded is not None
    base, loaded = column.base.median, column.loaded.median
    return f"{_number(base, column.unit)} → {_number(loaded, column.unit)}"


def ratio_text(ratio: Spread | None) -> str:
    if ratio is None:
        return "—"
    if ratio.low == ratio.high:
        return f"{ratio.median:.3f}"
    return f"**{ratio.median:.3f}** ({ratio.low:.3f}-{ratio.high:.3f})"


def table(figures: Sequence[Figure]) -> str:
    rows = [HEADER, tuple("---" for _ in HEADER)]
    for f in figures:
        rows.append(
            (
                f.title,
                column_text(f.direct),
                column_text(f.portal),
                ratio_text(f.ratio),
                f.goal.describe() if f.goal else "—",
                {True: "yes", False: "**no**", None: "—"}[f.met],
            )
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def environment(quick: bool, workers: int, threads: int, **extra) -> dict:
    return extra | {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "quick": quick,
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
        "gunicorn_workers": workers,
        "gunicorn_threads": threads,
    }


def write_json(path: Path, figures: Sequence[Figure], env: dict) -> None:
    data = {
        "environment": env,
        "all_met": all(f.met is not False for f in figures),
        "figures": [f.as_dict() for f in figures],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
