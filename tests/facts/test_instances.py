"""The instance facts table: complete, consistent with the GPU table, and cited."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from shipyard.facts.gpus import GPU_MEMORY_GIB
from shipyard.facts.instances import INSTANCE_TYPES, PRICE_REGION, lookup_instance

ROOT = Path(__file__).resolve().parents[2]


def test_g5_xlarge_is_one_a10g_with_24_gib() -> None:
    g5 = lookup_instance("g5.xlarge")
    assert g5 is not None
    assert (g5.gpu_type, g5.gpu_count, g5.gpu_memory_gib) == ("nvidia-a10g", 1, 24)
    assert (g5.vcpu, g5.memory_gib, g5.on_demand_usd_per_hour) == (4, 16, 1.006)
    assert not g5.efa


def test_p5_has_eight_h100_and_efa() -> None:
    p5 = lookup_instance("p5.48xlarge")
    assert p5 is not None
    assert (p5.gpu_type, p5.gpu_count, p5.gpu_memory_gib, p5.efa) == (
        "nvidia-h100-80gb",
        8,
        80,
        True,
    )


@pytest.mark.parametrize(
    "family", ["g5.", "g6.", "g6e.", "p4d.", "p5.", "p5e.", "m7i.", "c7i.", "r7i.", "m6i."]
)
def test_every_required_family_is_covered(family: str) -> None:
    assert any(name.startswith(family) for name in INSTANCE_TYPES)


def test_every_gpu_entry_has_memory_matching_the_gpu_table() -> None:
    for name, facts in INSTANCE_TYPES.items():
        if facts.gpu_type is None:
            assert facts.gpu_count == 0, name
            continue
        assert facts.gpu_count >= 1, name
        assert facts.gpu_memory_gib == GPU_MEMORY_GIB[facts.gpu_type], name


def test_every_figure_is_cited_with_a_date_and_region() -> None:
    assert PRICE_REGION == "us-east-1"
    for name, facts in INSTANCE_TYPES.items():
        assert "read 2026-11" in facts.source, name
        assert facts.vcpu > 0 and facts.memory_gib > 0, name
        price = facts.on_demand_usd_per_hour
        assert price is None or price > 0, name


def test_every_instance_type_in_the_blueprints_is_present() -> None:
    yaml = YAML(typ="safe", pure=True)
    for path in sorted((ROOT / "blueprints").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        for pool in data["spec"].get("nodePools", []):
            if "instanceType" in pool:
                assert pool["instanceType"] in INSTANCE_TYPES, f"{path.name}: {pool['name']}"
