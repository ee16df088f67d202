"""The models in the picture: one node per model in the serving layer, on its pool with its
replicas times the GPUs each takes."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.models.graph import models_graph
from tests.conftest import PROD_BLUEPRINT
from tests.graph.everything import EVERYTHING, edges, everything, nodes, replace_text


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
        "prefixAware routing via router (1 replica)",
    )


def test_weights_staged_in_a_bucket_or_on_a_volume(tmp_path: Path) -> None:
    assert (
        edges(models_graph(load_blueprint(PROD_BLUEPRINT)))[
            ("model/llama-70b", "bucket/acme-shipyard-prod-models", "weights")
        ]
        == "weights"
    )
    volume = (
        "      maxModelLen: 8192\n"
        "      weights:\n"
        "        type: volume\n"
        "        revision: 0123456789abcdef0123456789abcdef01234567\n"
        "        size: 20Gi\n"
        "        storageClass: efs-sc\n"
    )
    text = replace_text(
        EVERYTHING, "      replicas: 2\n      maxModelLen: 8192\n", "      replicas: 2\n" + volume
    )
    part = models_graph(everything(tmp_path, text))
    assert nodes(part)["model/small"][2] == (
        "Qwen/Qwen2.5-0.5B-Instruct",
        "weights staged on a 20Gi volume",
    )
    assert not [edge for edge in part.edges if edge.kind == "weights"]
