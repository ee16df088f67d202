"""The node pools in the picture: one box per pool in the compute layer."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.node_pools.graph import node_pools_graph
from tests.conftest import PROD_BLUEPRINT
from tests.graph.everything import everything, nodes


def test_every_pool_with_its_instance_gpus_and_node_counts(tmp_path: Path) -> None:
    part = node_pools_graph(everything(tmp_path))
    assert nodes(part) == {
        "nodePool/system": ("system", "compute", ("m7i.2xlarge", "1-3 nodes"), "box", None),
        "nodePool/gpu": (
            "gpu",
            "compute",
            ("g5.xlarge · 1x nvidia-a10g", "1-8 nodes"),
            "box",
            None,
        ),
    }
    assert part.edges == []


def test_spot_karpenter_and_efa_are_named() -> None:
    drawn = nodes(node_pools_graph(load_blueprint(PROD_BLUEPRINT)))
    assert drawn["nodePool/gpu-a10g"][2] == ("g5.xlarge · 1x nvidia-a10g", "2-6 nodes · spot")
    assert drawn["nodePool/gpu-burst"][2] == (
        "g6e.2xlarge · 1x nvidia-l40s",
        "0-4 nodes · karpenter",
    )
    assert drawn["nodePool/gpu-h100"][2] == (
        "p5.48xlarge · 8x nvidia-h100-80gb",
        "1-2 nodes · EFA",
    )


def test_a_pool_without_instance_type_or_gpus(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[3] / "blueprints" / "dev.yaml").read_text()
    text = text.replace("      gpu:\n        type: nvidia-a10g\n        count: 1\n", "")
    text = text.split("  models:")[0]
    path = tmp_path / "cpu.yaml"
    path.write_text(text)
    drawn = nodes(node_pools_graph(load_blueprint(path)))
    assert drawn == {
        "nodePool/gpu-small": ("gpu-small", "compute", ("no GPUs", "1-3 nodes"), "box", None)
    }


def test_one_node_is_singular() -> None:
    from shipyard.sections.node_pools.graph import pool_details
    from shipyard.sections.node_pools.model import NodePool, PoolSize

    pool = NodePool(name="one", size=PoolSize(min=1, max=1))
    assert pool_details(pool) == ("no GPUs", "1 node")
