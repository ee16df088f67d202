"""Benchmarks for the offline plan path (`make bench`); targets, not timed tests.

Targets: validating a blueprint stays under 50 ms, drawing its picture (graph and Mermaid
source) under 20 ms, rendering it under Pulumi mocks under 2 s, and the `shipyard render`
command under 5 s, so `make plan` and PR checks stay interactive. `shipyard plan` is
timed in a throwaway clone with one commit that edits the stack's blueprint, so both
revisions are rendered (at once, in two processes where there are two cores) and diffed:
cold (no render cache) under 5 s, and prod's under 2 s once its renders are cached.

Large platforms (issue 20): synthetic blueprints of 10, 100 and 1,000 models
(`large_blueprint.py`), each rendered in a fresh process: 1,000 models in at most 5 s and
500 MB (the process's peak RSS), and 10x the models in at most 10x the time.

Prints measured against target, and exits 1 if any target is missed.
"""

from __future__ import annotations

import json
import os
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
    "cli plan cached": 2000.0,
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


def cli_plan(clone: Path, cache: Path | None = None) -> None:
    options = ["--cache-dir", str(cache)] if cache is not None else []
    result = subprocess.run(
        [str(SHIPYARD), "plan", "--base", "HEAD~1", "--head", "HEAD", *options],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "to update" in result.stdout, result.stdout + result.stderr


LARGE_MODELS = (10, 100, 1000)
LARGE_RENDER_TARGET_S = 5.0
LARGE_RSS_TARGET_MB = 500.0
SCALING_TARGET = 10.0
"""10x the models in at most 10x the time."""
RENDER_ONE = """
import json, resource, sys, time
from pathlib import Path
import shipyard.compose  # the program's imports, outside the timing
from shipyard.blueprint import load_blueprint
from shipyard.render import render_blueprint
start, cpu = time.perf_counter(), time.process_time()
path = Path(sys.argv[1])
resources = render_blueprint(path, Path(sys.argv[2]), "bench", load_blueprint(path))
print(json.dumps({
    "resources": len(resources),
    "seconds": time.perf_counter() - start,
    "cpu": time.process_time() - cpu,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def render_large(models: int, into: Path) -> dict[str, float]:
    """Render the `models`-model blueprint in a fresh process (so the peak RSS is its own)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from large_blueprint import write_large_blueprint

    blueprint = write_large_blueprint(models, into)
    result = subprocess.run(
        [sys.executable, "-c", RENDER_ONE, str(blueprint), str(ROOT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def large_platforms(scratch: Path) -> bool:
    """Print the 10/100/1,000-model renders against their targets; True if one is missed."""
    print(f"\n{'models':>8}{'resources':>11}{'render s':>10}{'cpu s':>8}{'peak MB':>9}{'ratio':>7}")
    rows = {models: render_large(models, scratch) for models in LARGE_MODELS}
    failed = False
    previous: dict[str, float] | None = None
    for models, row in rows.items():
        ratio = row["seconds"] / previous["seconds"] if previous else None
        marks = []
        if models == max(LARGE_MODELS):
            if row["seconds"] > LARGE_RENDER_TARGET_S:
                marks.append(f"time over {LARGE_RENDER_TARGET_S:.0f} s")
            if row["rss_mb"] > LARGE_RSS_TARGET_MB:
                marks.append(f"memory over {LARGE_RSS_TARGET_MB:.0f} MB")
        if ratio is not None and ratio > SCALING_TARGET:
            marks.append(f"10x models took {ratio:.1f}x the time (target {SCALING_TARGET:.0f}x)")
        failed |= bool(marks)
        shown = f"{ratio:>7.1f}" if ratio is not None else f"{'':>7}"
        print(
            f"{models:>8}{int(row['resources']):>11}{row['seconds']:>10.2f}{row['cpu']:>8.2f}"
            f"{row['rss_mb']:>9.0f}{shown}" + ("  MISSED: " + "; ".join(marks) if marks else "")
        )
        previous = row
    print(
        f"targets: {max(LARGE_MODELS)} models <= {LARGE_RENDER_TARGET_S:.0f} s and "
        f"<= {LARGE_RSS_TARGET_MB:.0f} MB; 10x models <= {SCALING_TARGET:.0f}x time"
    )
    return failed


def main() -> int:
    failed = False
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores (times are wall clock)")
    print(f"{'benchmark':<28}{'median ms':>12}{'p90 ms':>10}{'target ms':>11}")
    scratch = tempfile.TemporaryDirectory(prefix="shipyard-bench-")
    for name in ("dev", "prod"):
        blueprint = ROOT / "blueprints" / f"{name}.yaml"
        clone = clone_with_edit(name, Path(scratch.name))
        platform = load_blueprint(blueprint)
        cache = Path(scratch.name) / f"cache-{name}"
        cases: dict[str, tuple[Callable[[], object], int]] = {
            "validate": (lambda b=blueprint: load_blueprint(b), 50),
            "graph": (lambda p=platform: to_mermaid(build_graph(p)), 50),
            "render": (lambda b=blueprint: render_blueprint(b, ROOT, "bench"), 5),
            "cli render": (lambda b=blueprint: cli_render(b), 3),
            "cli plan": (lambda c=clone: cli_plan(c), 3),
        }
        if name == "prod":
            cli_plan(clone, cache)  # fills the cache: a PR's re-run
            cases["cli plan cached"] = (lambda c=clone, d=cache: cli_plan(c, d), 3)
        for kind, (action, runs) in cases.items():
            timings = sorted(measure(action, runs))
            median = statistics.median(timings)
            p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
            target = TARGETS_MS[kind]
            mark = "" if median <= target else "  OVER TARGET"
            failed |= median > target
            print(f"{kind + ' ' + name:<28}{median:>12.1f}{p90:>10.1f}{target:>11.0f}{mark}")
    failed |= large_platforms(Path(scratch.name) / "large")
    scratch.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
