"""Hostile and unusual values: each is refused on one line with FILE:LINE:COL, never with
a traceback (issue 16). Starts from test_loader's `BASE` and edits one value."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from shipyard.blueprint.errors import Problem, one_line
from tests.blueprint.located import load_problems, located_at
from tests.blueprint.test_loader import BASE, edit

FILE = "bp.yaml"
at = partial(located_at, FILE)
problems = partial(load_problems, FILE)

BUDGET = "  namespace: llm-test\n"
QUOTED_NAME = '"shipyard'
QUOTED_POOL = 'name: "gpu-small'


def test_a_union_alternative_stays_out_of_the_path(tmp_path: Path) -> None:
    text = edit(BASE, BUDGET, BUDGET + "  budget:\n    monthlyUsd: lots\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'monthlyUsd')}: spec.budget.monthlyUsd: Input should be a valid number"
    ]


def test_a_huge_integer_is_refused_plainly(tmp_path: Path) -> None:
    text = edit(BASE, "      replicas: 1\n", f"      replicas: {10**400}\n")
    assert problems(tmp_path, text) == [
        f"{at(text, '1000')}: spec.models[0].replicas: the number has 401 digits; blueprints "
        "take integers up to 9007199254740992 (2^53, what Pulumi carries exactly)"
    ]


@pytest.mark.parametrize("value", ["1e999", "-1e999", ".nan", ".inf"])
def test_a_float_that_overflows_is_refused(tmp_path: Path, value: str) -> None:
    text = edit(BASE, "gpuMemoryUtilization: 0.85", f"gpuMemoryUtilization: {value}")
    lines = problems(tmp_path, text)
    assert len(lines) == 1
    assert lines[0].startswith(f"{at(text, 'gpuMemoryUtilization')}: ")


@pytest.mark.parametrize("key", ["[a, b]", "{x: 1}", "? [c]\n  "])
def test_a_complex_key_is_refused(tmp_path: Path, key: str) -> None:
    text = edit(BASE, BUDGET, f"{BUDGET}  {key}: 1\n")
    lines = problems(tmp_path, text)
    assert len(lines) == 1
    assert "keys must be strings" in lines[0]


def test_a_control_character_is_refused_at_its_value(tmp_path: Path) -> None:
    text = edit(BASE, "  name: shipyard-test\n", '  name: "shipyard\\x1btest"\n')
    assert problems(tmp_path, text) == [
        f"{at(text, QUOTED_NAME)}: metadata.name: the value holds the control character "
        "U+001B at character 9; remove it"
    ]


def test_a_bidi_override_is_refused(tmp_path: Path) -> None:
    text = edit(BASE, "  namespace: llm-test\n", '  namespace: "llm\\u202etest"\n')
    (line,) = problems(tmp_path, text)
    assert "control character U+202E at character 4" in line


def test_a_newline_in_an_echoed_value_stays_on_one_line(tmp_path: Path) -> None:
    text = edit(BASE, "    kind: local\n", '    kind: "lo\\ncal"\n')
    lines = problems(tmp_path, text)
    assert len(lines) == 1
    assert "unknown kind `lo\\ncal`" in lines[0]


def test_a_trailing_newline_is_refused_in_a_name(tmp_path: Path) -> None:
    text = edit(BASE, "    - name: gpu-small\n", '    - name: "gpu-small\\n"\n')
    (line,) = problems(tmp_path, text)
    assert line.startswith(f"{at(text, QUOTED_POOL)}: spec.nodePools[0].name: ")
    assert "'gpu-small\\n' is not a DNS-1123 label" in line


def test_cpu_and_memory_are_quantities_everywhere(tmp_path: Path) -> None:
    text = edit(
        BASE, '        cpu: "2"\n        memory: 8Gi\n', "        cpu: two\n        memory: 8GB\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'cpu: two')}: spec.models[0].resources.cpu: 'two' is not a CPU amount; "
        "use cores (`2`, `0.5`) or millicores (`500m`)",
        f"{at(text, 'memory: 8GB')}: spec.models[0].resources.memory: '8GB' is not an amount "
        "of memory; use a number with a unit, e.g. `512Mi` or `16Gi` (binary units: Ki, Mi, "
        "Gi, Ti)",
    ]


def test_a_taint_key_follows_the_api_server(tmp_path: Path) -> None:
    text = edit(BASE, "        - key: nvidia.com/gpu\n", "        - key: NVIDIA.com/gpu\n")
    (line,) = problems(tmp_path, text)
    assert line.startswith(f"{at(text, 'key: NVIDIA')}: spec.nodePools[0].taints[0].key: ")
    assert "the prefix of taint key 'NVIDIA.com/gpu'" in line


def test_node_labels_follow_the_api_server(tmp_path: Path) -> None:
    text = edit(BASE, "    - name: cpu\n", "    - name: cpu\n      labels:\n        team: a b\n")
    (line,) = problems(tmp_path, text)
    assert line.startswith(f"{at(text, 'labels:')}: spec.nodePools[2].labels: ")
    assert "'a b' is not a valid label value" in line


def test_every_rendered_line_is_one_line() -> None:
    problem = Problem(("spec", "a\nb"), "value 'x\ny' and \x1b[31mred", 3, 4)
    assert problem.render("f\n.yaml") == (
        "f\\n.yaml:3:4: spec.a\\nb: value 'x\\ny' and \\x1b[31mred"
    )
    assert one_line("tab\tand é") == "tab\\tand é"
