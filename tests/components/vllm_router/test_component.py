"""`VllmRouter` under Pulumi mocks: its children, their parent, their order and outputs."""

from __future__ import annotations

from typing import Any

import pulumi

from components.vllm_router.component import TYPE_TOKEN, VllmRouter
from tests.components.pulumi_recorder import Recorder
from tests.components.vllm_router.test_manifests import make_args

KINDS = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
]


def test_children_parent_and_outputs(monitor: Recorder) -> None:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        router = VllmRouter("llama-70b-router", make_args())
        return pulumi.Output.all(router.urn, router.service_name, router.url).apply(
            lambda values: outputs.update(urn=values[0], service=values[1], url=values[2])
        )

    program()
    assert sorted(r.type for r in monitor.recorded) == sorted([TYPE_TOKEN, *KINDS])
    component = monitor.one(TYPE_TOKEN)
    assert component.urn == outputs["urn"]
    for child in monitor.recorded:
        if child is not component:
            assert child.parent == component.urn
            assert child.name == "llama-70b-router"
    assert outputs["service"] == "llama-70b-router"
    assert outputs["url"] == "http://llama-70b-router.llm.svc.cluster.local:8000/v1"
    deployment = monitor.one("kubernetes:apps/v1:Deployment")
    assert deployment.inputs["spec"]["template"]["spec"]["containers"][0]["args"][5] == (
        "cache_aware"
    )
