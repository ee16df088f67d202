"""`spec.models[].routing`: its checks at FILE:LINE:COL, the router's arguments, the
gateway's route to the router, the routers' CPU on their pool and the plan's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.vllm.manifests import render_engine_args
from shipyard.blueprint import BlueprintError, Platform, load_blueprint
from shipyard.sections.gateway.args import gateway_args
from shipyard.sections.models.args import vllm_args
from shipyard.sections.models.routing_args import router_args
from shipyard.sections.models.section import SECTION, describe_model
from tests.blueprint.test_loader import BASE, FILE, at, edit

ROUTED = edit(
    BASE,
    "      replicas: 1\n      maxModelLen: 8192\n",
    "      replicas: 1\n      maxModelLen: 8192\n"
    "      routing:\n        strategy: prefixAware\n        nodePool: cpu\n",
)
GATEWAY = "  gateway:\n    replicas: 1\n"


def load(tmp_path: Path, text: str) -> Platform:
    path = tmp_path / FILE
    path.write_text(text)
    return load_blueprint(path, name=FILE)


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / FILE
    path.write_text(text)
    with pytest.raises(BlueprintError) as raised:
        load_blueprint(path, name=FILE)
    return raised.value.render().splitlines()


def test_router_args_follow_the_strategy_and_pool(tmp_path: Path) -> None:
    platform = load(tmp_path, ROUTED)
    [model] = platform.spec.models
    args = router_args(platform, model)
    assert args is not None
    assert args.policy == "cache_aware"
    assert args.scheduling.pool == "cpu"
    assert args.worker_selector == {
        "app.kubernetes.io/name": "vllm",
        "app.kubernetes.io/instance": "qwen-small",
    }
    assert args.namespace == "llm-test"
    # The servers serve the renderer endpoints the cache-aware policy tokenizes with.
    server = vllm_args(platform, model)
    assert server.enable_render_endpoints is True
    assert "--enable-scale-out" in render_engine_args(server)
    # The servers admit the router's pods.
    assert server.router_pod_labels == {
        "app.kubernetes.io/name": "vllm-router",
        "app.kubernetes.io/instance": "qwen-small-router",
    }


@pytest.mark.parametrize(
    ("strategy", "policy"),
    [("roundRobin", "round_robin"), ("sessionAffinity", "consistent_hash")],
)
def test_each_strategy_has_its_policy(tmp_path: Path, strategy: str, policy: str) -> None:
    platform = load(tmp_path, ROUTED.replace("strategy: prefixAware", f"strategy: {strategy}"))
    args = router_args(platform, platform.spec.models[0])
    assert args is not None and args.policy == policy
    # Only the cache-aware policy tokenizes through the servers.
    assert vllm_args(platform, platform.spec.models[0]).enable_render_endpoints is False


def test_without_routing_there_is_no_router(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    assert router_args(platform, platform.spec.models[0]) is None
    assert vllm_args(platform, platform.spec.models[0]).router_pod_labels is None


def test_the_gateway_routes_the_model_to_its_router(tmp_path: Path) -> None:
    args = gateway_args(load(tmp_path, ROUTED + GATEWAY))
    assert args is not None
    backend, adapter = args.backends
    assert backend.served_name == "qwen2.5-0.5b-instruct"
    assert adapter.served_name == "support"
    assert backend.api_base == "http://qwen-small-router.llm-test.svc.cluster.local:8000/v1"
    assert backend.pod_labels == {
        "app.kubernetes.io/name": "vllm-router",
        "app.kubernetes.io/instance": "qwen-small-router",
    }
    assert backend.port == 8000
    unrouted = gateway_args(load(tmp_path, BASE + GATEWAY))
    assert unrouted is not None
    assert unrouted.backends[0].api_base == "http://qwen-small.llm-test.svc.cluster.local:8000/v1"


def test_an_unknown_router_pool_fails_at_its_line(tmp_path: Path) -> None:
    text = ROUTED.replace("nodePool: cpu\n", "nodePool: cpus\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'nodePool: cpus')}: spec.models[0].routing.nodePool: no node pool named "
        "`cpus` (did you mean `cpu`?); declared pools: gpu-small, gpu-quad, cpu"
    ]


def test_kv_aware_through_the_router_is_refused_with_the_alternative(tmp_path: Path) -> None:
    text = ROUTED.replace("strategy: prefixAware", "strategy: kvAware")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'strategy: kvAware')}: spec.models[0].routing.strategy: ")
    assert "use `prefixAware`" in problem


def test_an_unknown_strategy_names_the_choices(tmp_path: Path) -> None:
    text = ROUTED.replace("strategy: prefixAware", "strategy: leastBusy")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(
        f"{at(text, 'strategy: leastBusy')}: spec.models[0].routing.strategy: "
    )
    assert "'roundRobin', 'prefixAware', 'kvAware' or 'sessionAffinity'" in problem


def test_router_cpu_counts_on_its_pool(tmp_path: Path) -> None:
    text = ROUTED.replace(
        "        nodePool: cpu\n",
        '        nodePool: cpu\n        replicas: 2\n        resources: {cpu: "1", memory: 2Gi}\n',
    )
    demand = SECTION.gpu_demand(load(tmp_path, text))
    assert demand.cpu_most["cpu"] == 2.0
    assert demand.memory_most["cpu"] == 4.0
    assert demand.cpu_at_start["cpu"] == 2.0
    assert demand.most["cpu"] == 0


def test_the_plan_names_the_routing() -> None:
    item = {
        "model": "m",
        "nodePool": "gpu",
        "replicas": 2,
        "routing": {"strategy": "prefixAware"},
    }
    assert describe_model(item) == (
        "`m` on pool `gpu`, 2 replicas, prefixAware routing via router (1 router replica)"
    )


def test_each_lora_adapter_is_a_gateway_model_with_its_own_limits(tmp_path: Path) -> None:
    text = ROUTED.replace(
        "          path: acme/qwen-support-lora\n",
        "          path: acme/qwen-support-lora\n          limits: {rpm: 60}\n",
    )
    args = gateway_args(load(tmp_path, text + GATEWAY))
    assert args is not None
    base, adapter = args.backends
    assert adapter.served_name == "support"
    # Served by the base model's servers, through its router.
    assert adapter.api_base == base.api_base
    assert adapter.api_base == "http://qwen-small-router.llm-test.svc.cluster.local:8000/v1"
    assert adapter.limits.rpm == 60 and base.limits.rpm is None


def test_an_adapter_named_like_a_model_fails_at_its_line(tmp_path: Path) -> None:
    text = BASE.replace("        - name: support\n", "        - name: qwen2.5-0.5b-instruct\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: qwen2.5-0.5b-instruct')}: spec.models[0].loraAdapters[0].name: "
        "`qwen2.5-0.5b-instruct` is already a model name clients request; the gateway routes "
        "each adapter as a model of its own, so give it a name of its own"
    ]


def test_prefix_aware_without_prefix_caching_is_refused(tmp_path: Path) -> None:
    text = ROUTED.replace(
        "      maxNumSeqs: 32\n", "      maxNumSeqs: 32\n      prefixCaching: false\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'strategy: prefixAware')}: spec.models[0].routing.strategy: `prefixAware` "
        "sends a request where its prefix is cached, but `prefixCaching: false` keeps vLLM "
        "from caching it; turn `prefixCaching` on or use `roundRobin`"
    ]
