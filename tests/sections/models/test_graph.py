"""The models in the picture: one node per model in the serving layer, on its pool with its
replicas times the GPUs each takes."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.models.graph import models_graph
from tests.conftest import PROD_BLUEPRINT
from tests.graph.everything import edges, everything, nodes


def test_each_model_on_its_pool(tmp_path: Path) -> None:
    part = models_graph(everything(tmp_path))
    assert nodes(part) == {
        "model/small": ("small", "serving", ("Qwen/Qwen2.5-0.5B-Instruct",), "round", None),
        "model/backup-model": (
            "backup-model",
            "serving",
            ("Qwen/Qwen2.5-1.5B-Instruct",),
            "round",
            None,
        ),
    }
    assert edges(part) == {
        ("model/small", "nodePool/gpu", "runsOn"): "2 x 1 GPU",
        ("model/backup-model", "nodePool/gpu", "runsOn"): "1 x 1 GPU",
    }


def test_autoscaled_replicas_tensor_parallelism_and_lora() -> None:
    part = models_graph(load_blueprint(PROD_BLUEPRINT))
    labels = edges(part)
    assert labels[("model/llama-8b", "nodePool/gpu-a10g", "runsOn")] == "2-4 x 1 GPU"
    assert labels[("model/llama-70b", "nodePool/gpu-h100", "runsOn")] == "2 x 4 GPU"
    assert nodes(part)["model/llama-70b"][2] == (
        "meta-llama/Llama-3.3-70B-Instruct",
        "LoRA: support-bot",
    )
