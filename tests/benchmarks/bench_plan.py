"""Benchmarks for the offline plan path (`make bench`); targets, not timed tests.

Targets: validating a blueprint stays under 50 ms, and rendering it under
Pulumi mocks under 2 s, so `make plan` and PR checks stay interactive.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.render import render_blueprint

ROOT = Path(__file__).resolve().parents[2]
TARGETS_MS = {"validate": 50.0, "render": 2000.0, "cli plan": 5000.0}


def measure(action: Callable[[], object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def cli_plan(blueprint: Path) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "shipyard"), "render", str(blueprint)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def main() -> int:
    failed = False
    print(f"{'benchmark':<28}{'median ms':>12}{'p90 ms':>10}{'target ms':>11}")
    for name in ("dev", "prod"):
        blueprint = ROOT / "blueprints" / f"{name}.yaml"
        cases: dict[str, tuple[Callable[[], object], int]] = {
            "validate": (lambda b=blueprint: load_blueprint(b), 50),
            "render": (lambda b=blueprint: render_blueprint(b, ROOT, "bench"), 5),
            "cli plan": (lambda b=blueprint: cli_plan(b), 3),
        }
        for kind, (action, runs) in cases.items():
            timings = sorted(measure(action, runs))
            median = statistics.median(timings)
            p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
            target = TARGETS_MS[kind]
            mark = "" if median <= target else "  OVER TARGET"
            failed |= median > target
            print(f"{kind + ' ' + name:<28}{median:>12.1f}{p90:>10.1f}{target:>11.0f}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
