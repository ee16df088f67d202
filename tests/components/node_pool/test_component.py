"""`NodePool`: pure node group settings, Karpenter manifests, and the component under mocks."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.node_pool.args import NodePoolArgs
from components.node_pool.component import ClusterTarget, NodePool
from components.node_pool.config import (
    ami_type,
    karpenter_limits,
    node_group_taints,
    node_labels,
    render_karpenter_node_class,
    render_karpenter_node_pool,
)
from components.shared.scheduling import PoolScheduling, Taint
from shipyard.render import RenderedResource, render_program

GPU = PoolScheduling(
    pool="gpu",
    node_selector={"shipyard.dev/pool": "gpu"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=8,
)
CPU = PoolScheduling(pool="system", node_selector={"shipyard.dev/pool": "system"})
ALIAS = "al2023@v20251016"


def make(**overrides: Any) -> NodePoolArgs:
    fields: dict[str, Any] = {
        "scheduling": GPU,
        "instance_type": "p5.48xlarge",
        "min_size": 1,
        "max_size": 3,
        "desired_size": 2,
    }
    return NodePoolArgs(**{**fields, **overrides})


def test_gpu_pool_labels_taints_and_ami() -> None:
    args = make(labels={"team": "llm"})
    assert node_labels(args) == {
        "nvidia.com/gpu.present": "true",
        "shipyard.dev/pool": "gpu",
        "team": "llm",
    }
    assert node_group_taints(args) == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
    ]
    assert ami_type(args) == "AL2023_x86_64_NVIDIA"


def test_cpu_pool_has_standard_ami_and_no_taints() -> None:
    args = make(scheduling=CPU, instance_type="m7i.2xlarge")
    assert ami_type(args) == "AL2023_x86_64_STANDARD"
    assert node_group_taints(args) == []
    assert node_labels(args) == {"shipyard.dev/pool": "system"}


def test_sizes_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="need `min_size` <= `desired_size` <= `max_size`"):
        make(desired_size=5)


def test_karpenter_pool_limits_and_requirements() -> None:
    args = make(provisioner="karpenter", capacity_type="SPOT", vcpu_per_node=192, ami_alias=ALIAS)
    assert karpenter_limits(args) == {"nvidia.com/gpu": "24", "cpu": "576"}
    pool = render_karpenter_node_pool("gpu", args)
    spec = pool["spec"]["template"]["spec"]
    assert spec["requirements"] == [
        {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p5.48xlarge"]},
        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]},
    ]
    assert spec["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert pool["spec"]["template"]["metadata"]["labels"]["shipyard.dev/pool"] == "gpu"
    # A loaded GPU node is only given back once empty for a while.
    assert pool["spec"]["disruption"] == {
        "consolidationPolicy": "WhenEmpty",
        "consolidateAfter": "10m",
    }
    node_class = render_karpenter_node_class("gpu", args, "prod", "prod-node")
    assert node_class["spec"]["role"] == "prod-node"
    assert node_class["spec"]["subnetSelectorTerms"] == [
        {"tags": {"karpenter.sh/discovery": "prod"}}
    ]
    assert node_class["spec"]["amiSelectorTerms"] == [{"alias": "al2023@v20251016"}]
    assert node_class["spec"]["blockDeviceMappings"][0]["ebs"]["volumeSize"] == "100Gi"


@pytest.mark.parametrize("alias", ["al2023@v20251016", "al2023@latest", "bottlerocket@v1.10.0"])
def test_karpenter_ami_alias_is_rendered(alias: str) -> None:
    args = make(provisioner="karpenter", ami_alias=alias)
    node_class = render_karpenter_node_class("gpu", args, "prod", "prod-node")
    assert node_class["spec"]["amiSelectorTerms"] == [{"alias": alias}]


def test_karpenter_pool_needs_an_ami_alias() -> None:
    with pytest.raises(
        ValidationError,
        match=r"a Karpenter pool needs `ami_alias`, e\.g\. `al2023@v20251016`; "
        r"see https://karpenter\.sh/docs/tasks/managing-amis/",
    ):
        make(provisioner="karpenter")


def test_ami_alias_needs_karpenter() -> None:
    with pytest.raises(ValidationError, match="`ami_alias` needs `provisioner: karpenter`"):
        make(ami_alias=ALIAS)


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        (
            "al2@v20240807",
            "`al2@v20240807` is not an AMI alias Shipyard supports (Karpenter refuses AL2 "
            "aliases on EKS 1.33+); use family `al2023` or `bottlerocket` as "
            "`<family>@<release>`, e.g. `al2023@v20251016`",
        ),
        (
            "windows2022@latest",
            "`windows2022@latest` is not an AMI alias Shipyard supports; use family `al2023` "
            "or `bottlerocket` as `<family>@<release>`, e.g. `al2023@v20251016`",
        ),
        (
            "al2023@20251016",
            "`al2023@20251016` is neither `al2023@v<YYYYMMDD>` nor `al2023@latest`",
        ),
        ("al2023", "`al2023` is neither `al2023@v<YYYYMMDD>` nor `al2023@latest`"),
        (
            "bottlerocket@v1.10",
            "`bottlerocket@v1.10` is neither `bottlerocket@v<major>.<minor>.<patch>` nor "
            "`bottlerocket@latest`",
        ),
    ],
)
def test_ami_alias_format(alias: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make(provisioner="karpenter", ami_alias=alias)
    [error] = caught.value.errors()
    assert error["loc"] == ("ami_alias",)
    assert error["msg"] == f"Value error, {message}"


def test_disk_size_stops_at_the_gp3_maximum() -> None:
    assert make(disk_size_gib=16384).disk_size_gib == 16384
    with pytest.raises(ValidationError, match="less than or equal to 16384"):
        make(disk_size_gib=16385)


def _render(args: NodePoolArgs, provider: bool = False) -> list[RenderedResource]:
    def program() -> None:
        import pulumi_kubernetes as k8s

        NodePool(
            "gpu",
            args,
            target=ClusterTarget(
                cluster_name="prod",
                node_role_arn="arn:aws:iam::123456789012:role/prod-node",
                node_role_name="prod-node",
                subnet_ids=["subnet-a", "subnet-b"],
                kubernetes_provider=k8s.Provider("k8s") if provider else None,
            ),
        )

    return render_program(program, "test", {})


def test_managed_node_group_under_mocks() -> None:
    resources = _render(make(capacity_type="SPOT", disk_size_gib=300))
    [group] = [r for r in resources if r.type == "aws:eks/nodeGroup:NodeGroup"]
    [component] = [r for r in resources if r.type == "shipyard:aws:NodePool"]
    assert group.parent == component.urn
    inputs = group.inputs
    assert inputs["instanceTypes"] == ["p5.48xlarge"]
    assert inputs["amiType"] == "AL2023_x86_64_NVIDIA"
    assert inputs["capacityType"] == "SPOT"
    assert inputs["scalingConfig"] == {"minSize": 1, "maxSize": 3, "desiredSize": 2}
    assert inputs["diskSize"] == 300
    assert inputs["subnetIds"] == ["subnet-a", "subnet-b"]
    assert inputs["taints"] == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
    ]
    assert inputs["labels"]["shipyard.dev/pool"] == "gpu"


def test_efa_pool_gets_a_launch_template_and_placement_group() -> None:
    resources = _render(make(efa=True, disk_size_gib=500))
    by_type = {r.type: r for r in resources}
    group = by_type["aws:ec2/placementGroup:PlacementGroup"]
    assert group.inputs == {"name": "prod-gpu", "strategy": "cluster"}
    template = by_type["aws:ec2/launchTemplate:LaunchTemplate"].inputs
    assert template["networkInterfaces"] == [{"deviceIndex": 0, "interfaceType": "efa"}]
    assert template["placement"] == {"groupName": "prod-gpu"}
    assert template["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 500
    node_group = by_type["aws:eks/nodeGroup:NodeGroup"].inputs
    assert "diskSize" not in node_group
    assert node_group["launchTemplate"]["id"] == "gpu-id"


def test_karpenter_pool_under_mocks() -> None:
    resources = _render(make(provisioner="karpenter", ami_alias=ALIAS), provider=True)
    kinds = sorted(r.type for r in resources if r.type.startswith("kubernetes:karpenter"))
    assert kinds == [
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
        "kubernetes:karpenter.sh/v1:NodePool",
    ]
    assert not [r for r in resources if r.type == "aws:eks/nodeGroup:NodeGroup"]
