"""A seeded mutation fuzz of every committed blueprint: whatever the edit, loading gives a
`BlueprintError` whose every line starts FILE:LINE:COL, or a valid platform; never a
traceback (issue 16). Deterministic (a fixed seed) and bounded (`CASES` cases, about
20-40 s in CI); raise `SHIPYARD_FUZZ_CASES` locally to search further."""

from __future__ import annotations

import copy
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from shipyard.blueprint import BlueprintError, load_blueprint

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = sorted([*ROOT.glob("blueprints/*.yaml"), *ROOT.glob("blueprints/examples/*.yaml")])
CASES = int(os.environ.get("SHIPYARD_FUZZ_CASES", "240"))
SEED = 16
LINE = re.compile(r"\Abp\.yaml:\d+:\d+: [^\n]*\Z")
COMPLEX = "__complex_key__"
# The classes of value that crashed the loader or broke a message's line before.
HOSTILE: list[Any] = [
    10**400,
    -(10**30),
    2**63,
    1e308,
    float("inf"),
    float("nan"),
    "x\ny",
    "a\x00b",
    "\x1b[31mred",
    "a\u202eb",
    ":100:",
    "[bold]x[/bold]",
    "",
    " ",
    "1e999",
    "1e400Gi",
    "0m",
    "-1",
    0,
    -1,
    True,
    None,
    [],
    {},
    "é" * 300,
    "a" * 5000,
    3.5,
]
SUFFIXES = ["\n", " ", "\t", "\x7f", "-", "Ü", ":100:", "/", "://"]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _mutate(data: Any, rng: random.Random) -> Any:
    data = copy.deepcopy(data)
    *parents, key = rng.choice(list(_paths(data))[1:])
    parent = data
    for part in parents:
        parent = parent[part]
    operation = rng.randrange(6)
    if operation == 0:
        del parent[key]
    elif operation == 2 and isinstance(parent, dict):
        parent[COMPLEX] = 1
    elif operation == 3:
        value = parent[key]
        parent[key] = [value] if not isinstance(value, list) else {"a": value}
    elif operation == 4 and isinstance(parent[key], str):
        parent[key] += rng.choice(SUFFIXES)
    elif operation == 5 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))  # a duplicate entry
    else:
        parent[key] = rng.choice(HOSTILE)
    return data


def _cases() -> Iterator[tuple[str, str]]:
    rng = random.Random(SEED)
    bases = [(path.name, yaml.safe_load(path.read_text())) for path in BLUEPRINTS]
    for case in range(CASES):
        name, data = bases[case % len(bases)]
        for _ in range(rng.randrange(1, 4)):
            if isinstance(data, dict) and data:
                data = _mutate(data, rng)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=10**6)
        key = rng.choice(["[a, b]:", "{x: 1}:", "? [c]\n  :"])
        yield f"{name} #{case}", text.replace(f"{COMPLEX}:", key, 1)


def test_the_fuzz_covers_every_blueprint() -> None:
    assert len(BLUEPRINTS) >= 7
    assert len(BLUEPRINTS) <= CASES


def test_no_mutation_crashes_the_loader_or_breaks_a_line(tmp_path: Path) -> None:
    failures: list[str] = []
    refused = 0
    path = tmp_path / "bp.yaml"
    for label, text in _cases():
        path.write_text(text, encoding="utf-8")
        try:
            load_blueprint(path, name="bp.yaml")
        except BlueprintError as error:
            refused += 1
            bad = [line for line in error.render().splitlines() if not LINE.match(line)]
            if bad or not error.problems:
                failures.append(f"{label}: a line without FILE:LINE:COL: {bad[:1]!r}")
        except Exception as error:  # any other exception is the defect
            failures.append(f"{label}: {type(error).__name__}: {error}"[:300])
    assert not failures, "\n".join(failures)
    # The mutations must mostly be refused, or the fuzz is not exercising the checks.
    assert refused > CASES // 2


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda path: path.name)
def test_every_fuzzed_blueprint_loads_unmutated(blueprint: Path) -> None:
    assert load_blueprint(blueprint).metadata.name
