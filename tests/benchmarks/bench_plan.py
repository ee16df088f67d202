"""Benchmarks for the offline plan path (`make bench`); targets, not timed tests.

Targets: validating a blueprint stays under 50 ms, drawing its picture (graph and Mermaid
source) under 20 ms, rendering it under Pulumi mocks under 2 s, and the `shipyard render`
and `shipyard plan` commands under 5 s, so `make plan` and PR checks stay interactive.
`shipyard plan` is timed in a throwaway clone with one commit that edits the stack's
blueprint, so both revisions are rendered and diffed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.graph.build import build_graph
from shipyard.graph.mermaid import to_mermaid
from shipyard.render import render_blueprint

ROOT = Path(__file__).resolve().parents[2]
TARGETS_MS = {
    "validate": 50.0,
    "render": 2000.0,
    "cli render": 5000.0,
    "cli plan": 5000.0,
    # The picture of a loaded blueprint (`shipyard graph`, and each stack in `shipyard plan`).
    "graph": 20.0,
}
# One edit per stack's blueprint, so `shipyard plan` has a change to report.
EDITS = {"dev": ("replicas: 1", "replicas: 2"), "prod": ("    replicas: 3\n", "    replicas: 4\n")}
SHIPYARD = Path(sys.executable).parent / "shipyard"


def measure(action: Callable[[], object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def cli_render(blueprint: Path) -> None:
    subprocess.run(
        [str(SHIPYARD), "render", str(blueprint)], cwd=ROOT, check=True, capture_output=True
    )


def clone_with_edit(name: str, into: Path) -> Path:
    """A clone of this repository's HEAD plus one commit editing `blueprints/<name>.yaml`."""
    clone = into / name
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    blueprint = clone / "blueprints" / f"{name}.yaml"
    old, new = EDITS[name]
    text = blueprint.read_text()
    assert old in text, f"{blueprint}: {old!r} not found"
    blueprint.write_text(text.replace(old, new, 1))
    git = ["git", "-C", str(clone), "-c", "user.name=bench", "-c", "user.email=bench@example"]
    subprocess.run([*git, "commit", "--quiet", "-am", "bench edit"], check=True)
    return clone


def cli_plan(clone: Path) -> None:
    result = subprocess.run(
        [str(SHIPYARD), "plan", "--base", "HEAD~1", "--head", "HEAD"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "to update" in result.stdout, result.stdout + result.stderr


def main() -> int:
    failed = False
    print(f"{'benchmark':<28}{'median ms':>12}{'p90 ms':>10}{'target ms':>11}")
    scratch = tempfile.TemporaryDirectory(prefix="shipyard-bench-")
    for name in ("dev", "prod"):
        blueprint = ROOT / "blueprints" / f"{name}.yaml"
        clone = clone_with_edit(name, Path(scratch.name))
        platform = load_blueprint(blueprint)
        cases: dict[str, tuple[Callable[[], object], int]] = {
            "validate": (lambda b=blueprint: load_blueprint(b), 50),
            "graph": (lambda p=platform: to_mermaid(build_graph(p)), 50),
            "render": (lambda b=blueprint: render_blueprint(b, ROOT, "bench"), 5),
            "cli render": (lambda b=blueprint: cli_render(b), 3),
            "cli plan": (lambda c=clone: cli_plan(c), 3),
        }
        for kind, (action, runs) in cases.items():
            timings = sorted(measure(action, runs))
            median = statistics.median(timings)
            p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
            target = TARGETS_MS[kind]
            mark = "" if median <= target else "  OVER TARGET"
            failed |= median > target
            print(f"{kind + ' ' + name:<28}{median:>12.1f}{p90:>10.1f}{target:>11.0f}{mark}")
    scratch.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
