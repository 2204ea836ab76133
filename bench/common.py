"""What every benchmark shares: percentiles and one way to print and save its figures."""

from __future__ import annotations

import json
from pathlib import Path


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of a list of timings."""
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(result: dict[str, object], json_path: Path | None) -> None:
    """Print the figures as an aligned table and, if asked, write them as JSON."""
    width = max(len(k) for k in result) + 2
    for key, value in result.items():
        print(f"{key:<{width}}{value}")
    if json_path:
        json_path.write_text(json.dumps(result, indent=1))


def spread(name: str, xs: list[float], digits: int = 3) -> dict[str, float]:
    """`{name}_p50_ms` and `{name}_p95_ms` of a list of timings in milliseconds."""
    return {f"{name}_p50_ms": round(percentile(xs, 50), digits), f"{name}_p95_ms": round(percentile(xs, 95), digits)}
