"""How long a new replica waits for its weights, from their size and the pool's network
(pure; figures and sources in `shipyard/facts/network.py`).

    Hugging Face  size / what the node may pull through an internet gateway
    bucket        size / (node bandwidth x the streamer's measured share of it)
    volume        size / node bandwidth (the volume's own limit may be lower)

Each is the transfer alone at the published bandwidth, a lower bound: process start,
CUDA graphs and warm-up come on top, and Hugging Face rarely delivers the gateway's
limit. `shipyard plan` shows the estimate for every model it adds or changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shipyard.blueprint.platform import Platform
from shipyard.facts.network import (
    GIB_BITS,
    STREAMER_EFFICIENCY,
    internet_gbps,
    network_gbps,
)
from shipyard.sections.models.model import BucketWeights, ModelSpec
from shipyard.sections.models.sizing import GIB, weight_bytes_per_parameter

Source = Literal["huggingface", "bucket", "volume"]


@dataclass(frozen=True)
class ColdStart:
    model: str
    source: Source
    gib: float
    gbps: float
    instance_type: str

    @property
    def seconds(self) -> float:
        return self.gib * GIB_BITS / (self.gbps * 1e9)


def weights_gib(model: ModelSpec) -> float | None:
    """The weights' size in GiB, from the parameter count and dtype or quantization."""
    from shipyard.sections.models.checks import model_size

    size = model_size(model)
    if size is None:
        return None
    per_parameter = weight_bytes_per_parameter(model.dtype, model.quantization)
    return size.parameters_billion * 1e9 * per_parameter / GIB


def source_of(model: ModelSpec) -> Source:
    if model.weights is None:
        return "huggingface"
    return "bucket" if isinstance(model.weights, BucketWeights) else "volume"


def cold_start(platform: Platform, model: ModelSpec) -> ColdStart | None:
    """The estimate, or None without size figures or a priced instance type."""
    pool = platform.pool(model.node_pool)
    gib = weights_gib(model)
    if pool is None or pool.instance_type is None or gib is None:
        return None
    source = source_of(model)
    node = network_gbps(pool.instance_type)
    if node is None:
        return None
    if source == "huggingface":
        gbps = internet_gbps(pool.instance_type) or node
    elif source == "bucket":
        gbps = node * STREAMER_EFFICIENCY
    else:
        gbps = node
    return ColdStart(model.name, source, gib, gbps, pool.instance_type)


def describe(estimate: ColdStart) -> str:
    minutes = estimate.seconds / 60
    took = f"{minutes:.1f} min" if minutes >= 1 else f"{estimate.seconds:.0f} s"
    via = {
        "huggingface": "downloaded from Hugging Face through the internet gateway",
        "bucket": "streamed from the bucket (Run:ai streamer)",
        "volume": "read from the shared volume",
    }[estimate.source]
    return (
        f"model `{estimate.model}`: cold start at least {took} for {estimate.gib:.0f} GiB of "
        f"weights {via} at {estimate.gbps:.1f} Gbps ({estimate.instance_type})"
    )


def cold_start_notes(base: Platform | None, head: Platform) -> list[str]:
    """A line for every model that is new in `head`, or whose model, weights or pool
    changed."""
    before = {m.name: m for m in base.spec.models} if base is not None else {}
    notes = []
    for model in head.spec.models:
        old = before.get(model.name)
        if old is not None and (old.model, old.weights, old.node_pool) == (
            model.model,
            model.weights,
            model.node_pool,
        ):
            continue
        estimate = cold_start(head, model)
        if estimate is not None:
            notes.append(describe(estimate))
    return notes
