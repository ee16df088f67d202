"""The GPU memory table: names as blueprints spell them, and published sizes."""

from __future__ import annotations

import re

from shipyard.facts.gpus import GPU_MEMORY_GIB


def test_known_sizes() -> None:
    assert GPU_MEMORY_GIB["nvidia-a10g"] == 24
    assert GPU_MEMORY_GIB["nvidia-l4"] == 24
    assert GPU_MEMORY_GIB["nvidia-a100-40gb"] == 40
    assert GPU_MEMORY_GIB["nvidia-a100-80gb"] == 80
    assert GPU_MEMORY_GIB["nvidia-h100-80gb"] == 80
    assert GPU_MEMORY_GIB["nvidia-h200"] == 141


def test_names_are_lowercase_vendor_prefixed() -> None:
    pattern = re.compile(r"^nvidia-[a-z0-9]+(-[0-9]+gb)?$")
    assert [name for name in GPU_MEMORY_GIB if not pattern.match(name)] == []


def test_a_size_in_the_name_matches_the_figure() -> None:
    for name, memory in GPU_MEMORY_GIB.items():
        match = re.search(r"-([0-9]+)gb$", name)
        if match:
            assert memory == int(match.group(1)), name
