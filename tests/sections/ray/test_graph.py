"""Ray in the picture: one node on the pools of its head and worker groups."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.ray.graph import ray_graph
from tests.conftest import DEV_BLUEPRINT, PROD_BLUEPRINT
from tests.graph.everything import edges, everything, nodes


def test_head_and_groups_share_a_pool_edge(tmp_path: Path) -> None:
    part = ray_graph(everything(tmp_path))
    assert nodes(part) == {
        "ray/ray": ("ray", "serving", ("RayCluster · Ray 2.52.0",), "round", None),
    }
    assert edges(part) == {
        ("ray/ray", "nodePool/system", "runsOn"): "head, cpu x0-2",
        ("ray/ray", "nodePool/gpu", "runsOn"): "gpus x0-1 x 1 GPU",
    }


def test_serve_applications_make_a_ray_service() -> None:
    part = ray_graph(load_blueprint(PROD_BLUEPRINT))
    assert nodes(part)["ray/ray"][2] == ("RayService · Ray 2.52.0", "serve: embeddings")
    assert edges(part)[("ray/ray", "nodePool/gpu-h100", "runsOn")] == "h100 x0-2 x 4 GPU"


def test_a_head_without_a_pool_has_no_edge() -> None:
    assert edges(ray_graph(load_blueprint(DEV_BLUEPRINT))) == {
        ("ray/ray", "nodePool/gpu-small", "runsOn"): "gpu x0-1 x 1 GPU"
    }
