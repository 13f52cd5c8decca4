"""The benchmark's arithmetic, free of I/O so it can be tested on its own.

A figure is measured in rounds that alternate between the two sides (direct, portal,
direct, portal, … or baseline, loaded, …). Each round reduces its samples to one
number (a median, a p95, a fraction); a side is quoted as the median of its round
values with their spread (min-max). A ratio is taken round by round between the two
sides of the same round (neighbours in time share the machine's noise) and quoted the
same way.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating linearly between closest ranks."""
    data = sorted(values)
    if not data:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    position = (len(data) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """The median of round values, their min-max and interquartile range."""

    median: float
    low: float
    high: float
    q1: float
    q3: float
    rounds: tuple[float, ...]

    @classmethod
    def of(cls, rounds: Sequence[float]) -> Spread:
        values = tuple(float(v) for v in rounds)
        if not values:
            raise ValueError("no rounds")
        return cls(
            median=median(values),
            low=min(values),
            high=max(values),
            q1=percentile(values, 25),
            q3=percentile(values, 75),
            rounds=values,
        )

    def as_dict(self) -> dict:
        return {
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "q1": self.q1,
            "q3": self.q3,
            "rounds": list(self.rounds),
        }


def round_values(rounds: Sequence[Sequence[float]], reduce: Callable[[Sequence[float]], float]):
    """One value per round (e.g. the round's median), rounds with no sample left out."""
    return [reduce(samples) for samples in rounds if samples]


def median_of_medians(rounds: Sequence[Sequence[float]]) -> Spread:
    return Spread.of(round_values(rounds, median))


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Round-by-round ratios; the two sides must have the same number of rounds."""
    if len(numerators) != len(denominators):
        raise ValueError("both sides need the same number of rounds")
    if any(d == 0 for d in denominators):
        raise ValueError("a round's denominator is zero")
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def ratio_spread(numerators: Sequence[float], denominators: Sequence[float]) -> Spread:
    return Spread.of(paired_ratios(numerators, denominators))


def gaps(times: Sequence[float]) -> list[float]:
    """Differences between consecutive arrival times."""
    return [b - a for a, b in itertools.pairwise(times)]


def separate_reads(read_numbers: Sequence[int]) -> int:
    """How many events arrived in reads of their own: the number of distinct network
    reads that completed at least one of them. Events that coalesced into one read
    count once."""
    return len(set(read_numbers))


def separation(read_numbers: Sequence[int], chunks_sent: int) -> float:
    """Separate events ÷ chunks sent (1.0: every chunk reached the client on its own)."""
    if chunks_sent <= 0:
        raise ValueError("no chunks were sent")
    return separate_reads(read_numbers) / chunks_sent


@dataclass(frozen=True)
class Goal:
    """A figure's target: ``at_most``, ``at_least`` or ``between`` (inclusive)."""

    kind: str
    low: float | None = None
    high: float | None = None

    @classmethod
    def at_most(cls, high: float) -> Goal:
        return cls("at_most", high=high)

    @classmethod
    def at_least(cls, low: float) -> Goal:
        return cls("at_least", low=low)

    @classmethod
    def between(cls, low: float, high: float) -> Goal:
        if low > high:
            raise ValueError("low above high")
        return cls("between", low=low, high=high)

    def met(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.kind == "at_most":
            return value <= self.high
        if self.kind == "at_least":
            return value >= self.low
        if self.kind == "between":
            return self.low <= value <= self.high
        raise ValueError(f"unknown goal kind {self.kind!r}")

    def describe(self) -> str:
        if self.kind == "at_most":
            return f"≤ {self.high:g}"
        if self.kind == "at_least":
            return f"≥ {self.low:g}"
        return f"{self.low:g} - {self.high:g}"
