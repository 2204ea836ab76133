"""What the benchmarks share."""

from __future__ import annotations


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of a list of timings."""
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
