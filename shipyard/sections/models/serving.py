"""The vLLM servers a blueprint model becomes: one `VllmService` for a plain model, one
per role for prefill/decode (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from components.vllm.args import VllmServiceArgs
from components.vllm.manifests import selector_labels
from shipyard.blueprint.platform import Platform
from shipyard.sections.models.args import vllm_args
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.models.placements import placements


def kv_transfer_config(model: ModelSpec) -> str | None:
    """vLLM's `--kv-transfer-config`: every server both sends and receives (`kv_both`), the
    router decides which prefills and which decodes."""
    if model.roles is None:
        return None
    config = {"kv_connector": model.roles.kv_connector, "kv_role": "kv_both"}
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ModelServer:
    name: str
    label: str
    """`<model>` or `<model>:<role>`, for messages and tests."""
    args: VllmServiceArgs


def model_servers(platform: Platform, model: ModelSpec) -> list[ModelServer]:
    index = platform.spec.models.index(model)
    servers = placements(index, model)
    if model.roles is None:
        return [ModelServer(model.name, model.name, vllm_args(platform, model))]
    # Each role admits the other's pods: NIXL opens connections both ways.
    peers = {
        server.name: selector_labels(other.name)
        for server, other in ((servers[0], servers[1]), (servers[1], servers[0]))
    }
    return [
        ModelServer(
            server.name,
            server.label,
            vllm_args(
                platform,
                model,
                server,
                kv_transfer_config=kv_transfer_config(model),
                kv_peer_pod_labels=peers[server.name],
            ),
        )
        for server in servers
    ]
