"""`spec.models[].roles`: prefill/decode servers, each role checked for fit and capacity at
its own FILE:LINE:COL, with the KV transfer configured and the router in front."""

from __future__ import annotations

import json
from pathlib import Path

from components.vllm.manifests import render_engine_args, render_network_policy
from shipyard.sections.models.graph import runs_on
from shipyard.sections.models.routing_args import router_args
from shipyard.sections.models.section import SECTION, describe_model
from shipyard.sections.models.serving import model_servers
from tests.blueprint.test_loader import BASE, at, edit
from tests.sections.models.test_routing import load, problems

# BASE's qwen-small on gpu-small (1 x A10G): prefill on the 4 x A100 pool, decode at home.
ROLES = (
    "      roles:\n"
    "        prefill: {replicas: 1, tensorParallelSize: 2, nodePool: gpu-quad}\n"
    "        decode: {replicas: 2}\n"
    "      routing: {strategy: prefixAware}\n"
)
PD = edit(
    edit(BASE, "      replicas: 1\n      maxModelLen: 8192\n", "      maxModelLen: 8192\n" + ROLES),
    """      cache:
        size: 20Gi
      autoscaling:
        minReplicas: 1
        maxReplicas: 1
        prometheusUrl: http://prometheus.monitoring.svc:9090
""",
    "",
)


def test_each_role_is_a_server_with_its_pool_size_and_kv_transfer(tmp_path: Path) -> None:
    platform = load(tmp_path, PD)
    [model] = platform.spec.models
    prefill, decode = model_servers(platform, model)
    assert (prefill.name, prefill.label) == ("qwen-small-prefill", "qwen-small:prefill")
    assert (decode.name, decode.label) == ("qwen-small-decode", "qwen-small:decode")
    assert prefill.args.scheduling.pool == "gpu-quad"
    assert (prefill.args.replicas, prefill.args.tensor_parallel_size) == (1, 2)
    assert decode.args.scheduling.pool == "gpu-small"
    assert (decode.args.replicas, decode.args.tensor_parallel_size) == (2, 1)
    for server in (prefill, decode):
        flags = render_engine_args(server.args)
        config = flags[flags.index("--kv-transfer-config") + 1]
        assert json.loads(config) == {"kv_connector": "NixlConnector", "kv_role": "kv_both"}
    # Each role admits the other's pods on every port (NIXL's side channel, UCX).
    peer_rule = render_network_policy(prefill.name, prefill.args)["spec"]["ingress"][1]
    assert peer_rule == {
        "from": [
            {
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "vllm",
                        "app.kubernetes.io/instance": "qwen-small-decode",
                    }
                }
            }
        ]
    }


def test_the_router_runs_in_prefill_decode_mode(tmp_path: Path) -> None:
    platform = load(tmp_path, PD)
    args = router_args(platform, platform.spec.models[0])
    assert args is not None and args.prefill_decode is not None
    assert args.worker_selector == {}
    assert args.prefill_decode.prefill_selector["app.kubernetes.io/instance"] == (
        "qwen-small-prefill"
    )
    assert args.prefill_decode.decode_selector["app.kubernetes.io/instance"] == (
        "qwen-small-decode"
    )


def test_gpus_are_counted_per_role_and_pool(tmp_path: Path) -> None:
    demand = SECTION.gpu_demand(load(tmp_path, PD))
    assert demand.most == {"gpu-quad": 2, "gpu-small": 2}
    assert demand.at_start == {"gpu-quad": 2, "gpu-small": 2}


def test_a_role_that_does_not_fit_its_node_says_what_would(tmp_path: Path) -> None:
    text = PD.replace("decode: {replicas: 2}", "decode: {replicas: 2, tensorParallelSize: 2}")
    assert problems(tmp_path, text) == [
        f"{at(text, 'tensorParallelSize: 2}', after='decode:')}: "
        "spec.models[0].roles.decode.tensorParallelSize: decode servers: tensor-parallel size 2 "
        "exceeds the 1 GPU(s) per node of pool `gpu-small`"
    ]


def test_a_role_whose_model_does_not_fit_its_gpus_fails_with_the_fix(tmp_path: Path) -> None:
    text = PD.replace(
        "model: Qwen/Qwen2.5-0.5B-Instruct", "model: meta-llama/Llama-3.1-70B-Instruct"
    )
    # Prefill fits on two A100s; decode, on one A10G, does not.
    [problem] = problems(tmp_path, text)
    assert problem.startswith(
        f"{at(text, 'decode: {replicas: 2}')}: spec.models[0].roles.decode.tensorParallelSize: "
        "decode servers: `meta-llama/Llama-3.1-70B-Instruct` needs "
    )
    assert "but pool `gpu-small` has only 1 GPU(s) per node" in problem
    assert "at tensorParallelSize 1 it fits on nvidia-b200 or larger" in problem


def test_an_unknown_role_pool_fails_at_its_line(tmp_path: Path) -> None:
    text = PD.replace("nodePool: gpu-quad}", "nodePool: gpu-quadd}")
    assert problems(tmp_path, text) == [
        f"{at(text, 'nodePool: gpu-quadd')}: spec.models[0].roles.prefill.nodePool: no node "
        "pool named `gpu-quadd` (did you mean `gpu-quad`?); declared pools: gpu-small, "
        "gpu-quad, cpu"
    ]


def test_prefill_decode_needs_routing(tmp_path: Path) -> None:
    text = PD.replace("      routing: {strategy: prefixAware}\n", "")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'roles:')}: spec.models[0].roles: ")
    assert "prefill/decode needs `routing`" in problem


def test_sizes_are_set_per_role_not_on_the_model(tmp_path: Path) -> None:
    text = PD.replace("      maxModelLen: 8192\n", "      maxModelLen: 8192\n      replicas: 3\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 3')}: spec.models[0].replicas: with `roles`, set `replicas` "
        "per role (`roles.prefill`, `roles.decode`)"
    ]


def test_the_plan_and_the_picture_name_each_role(tmp_path: Path) -> None:
    item = {
        "model": "Qwen/Qwen2.5-32B-Instruct",
        "nodePool": "gpu-burst",
        "roles": {"prefill": {"tensorParallelSize": 2, "nodePool": "gpu-h100"}, "decode": {}},
        "routing": {"strategy": "prefixAware"},
    }
    assert describe_model(item) == (
        "`Qwen/Qwen2.5-32B-Instruct` on pool `gpu-burst`, prefill 1 x 2 GPU on pool "
        "`gpu-h100`, decode 1 x 1 GPU, prefixAware routing via router (1 router replica)"
    )
    [model] = load(tmp_path, PD).spec.models
    assert runs_on(model) == {"gpu-quad": "prefill 1 x 2 GPU", "gpu-small": "decode 2 x 1 GPU"}
