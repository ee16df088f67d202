"""The models in the platform's picture: one node per model (its replicas collapsed) in the
serving layer, on its pool with the GPUs it takes, and the bucket its weights are staged in
and streamed from (`weights: {type: bucket}`; a staged volume is a detail of the node)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id
from shipyard.sections.models.model import BucketWeights, ModelSpec, VolumeWeights
from shipyard.sections.models.placements import placements
from shipyard.sections.models.routing import describe_routing
from shipyard.sections.node_pools.graph import pool_node_id
from shipyard.sections.object_store.graph import bucket_node_id

MODEL_KIND = "model"


def model_node_id(name: str) -> str:
    return node_id(MODEL_KIND, name)


def replicas_span(model: ModelSpec) -> str:
    if model.autoscaling is None:
        return str(model.replicas)
    return f"{model.autoscaling.min_replicas}-{model.autoscaling.max_replicas}"


def model_details(model: ModelSpec) -> tuple[str, ...]:
    lines = [model.model]
    if model.lora_adapters:
        lines.append("LoRA: " + ", ".join(adapter.name for adapter in model.lora_adapters))
    if model.routing is not None:
        lines.append(describe_routing(model.routing))
    if isinstance(model.weights, VolumeWeights):
        lines.append(f"weights staged on a {model.weights.size} volume")
    return tuple(lines)


def gpus_label(replicas: str, gpus: int) -> str:
    """`2 x 4 GPU`: replicas (collapsed) times the GPUs each takes."""
    return f"{replicas} x {gpus} GPU"


def runs_on(model: ModelSpec) -> dict[str, str]:
    """Pool -> the GPUs the model takes there; per role with prefill/decode
    (`prefill 1 x 2 GPU, decode 2 x 1 GPU`)."""
    if model.roles is None:
        return {model.node_pool: gpus_label(replicas_span(model), model.tensor_parallel_size)}
    labels: dict[str, list[str]] = {}
    for placement in placements(0, model):
        label = gpus_label(str(placement.at_start), placement.tensor_parallel_size)
        labels.setdefault(placement.node_pool, []).append(f"{placement.role} {label}")
    return {pool: ", ".join(parts) for pool, parts in labels.items()}


def models_graph(platform: Platform) -> GraphPart:
    part = GraphPart()
    for model in platform.spec.models:
        part.nodes.append(
            Node(
                model_node_id(model.name),
                MODEL_KIND,
                model.name,
                "serving",
                model_details(model),
                "round",
                digest=digest(model),
            )
        )
        for pool, label in runs_on(model).items():
            part.edges.append(Edge(model_node_id(model.name), pool_node_id(pool), "runsOn", label))
        if isinstance(model.weights, BucketWeights):
            part.edges.append(
                Edge(
                    model_node_id(model.name),
                    bucket_node_id(model.weights.bucket),
                    "weights",
                    "weights",
                )
            )
    return part
