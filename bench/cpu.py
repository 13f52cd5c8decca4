"""The portal's CPU time, read from /proc: what a batch of calls cost the server processes.

Wall-clock ratios hide work that only moved elsewhere (into another thread, after the
answer); CPU time per call shows it. Linux only, like the rest of the benchmark.
"""

from __future__ import annotations

import os
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_ticks(stat_line: str) -> int:
    """user + system clock ticks from one /proc/<pid>/stat line (all the process's threads).

    The command name (field 2) is in parentheses and may hold spaces or parentheses, so
    the fields are counted after its last ")": utime and stime are fields 14 and 15.
    """
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state), so field n is fields[n - 3].
    return int(fields[14 - 3]) + int(fields[15 - 3])


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers), empty if it is gone."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def process_tree_seconds(pid: int) -> dict[int, float]:
    """CPU seconds so far of ``pid`` and of each of its children, by pid."""
    seconds: dict[int, float] = {}
    for p in (pid, *children(pid)):
        try:
            seconds[p] = cpu_ticks(Path(f"/proc/{p}/stat").read_text()) / TICKS_PER_SECOND
        except (OSError, ValueError):
            continue  # exited between the listing and the read
    return seconds


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings, by the processes alive at the second one.

    A process that appeared in between (a restarted worker) counts from zero; one that
    disappeared counts nothing (its time cannot be read any more).
    """
    return sum(now - before.get(p, 0.0) for p, now in after.items())


def per_call_ms(before: dict[int, float], after: dict[int, float], calls: int) -> float:
    if calls <= 0:
        raise ValueError("a batch needs at least one call")
    return spent(before, after) * 1000 / calls
