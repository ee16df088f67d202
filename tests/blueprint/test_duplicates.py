"""Lists keyed by name refuse a repeated name, wherever they are (issue 16)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tests.blueprint.located import load_problems, located_at
from tests.blueprint.test_loader import BASE, edit

FILE = "bp.yaml"
problems = partial(load_problems, FILE)
ADAPTER = "        - name: support\n          path: acme/qwen-support-lora\n"


def test_a_repeated_adapter_name_is_refused(tmp_path: Path) -> None:
    text = edit(BASE, ADAPTER, ADAPTER + "        - name: support\n          path: acme/other\n")
    assert problems(tmp_path, text) == [
        f"{located_at(FILE, text, 'name: support', 1)}: "
        "spec.models[0].loraAdapters[1].name: `support` is used more than once"
    ]


def test_a_repeated_pool_is_reported_once(tmp_path: Path) -> None:
    text = edit(BASE, "    - name: cpu\n", "    - name: gpu-quad\n")
    lines = problems(tmp_path, text)
    assert [line for line in lines if "is used more than once" in line] == [
        f"{located_at(FILE, text, 'name: gpu-quad', 1)}: spec.nodePools[2].name: `gpu-quad` is "
        "used more than once"
    ]
