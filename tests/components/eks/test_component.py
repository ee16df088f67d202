"""`EksCluster` under Pulumi mocks, and `shipyard render` of the prod (EKS) blueprint.

AWS computes ARNs, the API endpoint and the OIDC issuer; `AwsMocks` stands in for them
so the kubeconfig and the IRSA trust policy render with real shapes. No AWS access.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await
from pydantic import ValidationError

from components.eks.component import EksCluster, EksClusterArgs, NewVpc
from components.eks.config import render_device_plugin_values, subnet_plan
from components.node_pool.args import NodePoolArgs
from components.shared.scheduling import (
    PoolScheduling,
    Taint,
    render_node_selector,
    render_tolerations,
)
from shipyard.render import (
    EchoMocks,
    RecordingMonitor,
    RenderedResource,
    install_monitor,
    render_blueprint,
)

ROOT = Path(__file__).resolve().parents[3]
ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
GPU = PoolScheduling(
    pool="gpu",
    node_selector={"shipyard.dev/pool": "gpu"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=1,
)


class AwsMocks(EchoMocks):
    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        outputs: dict[str, Any] = {"arn": f"arn:aws:mock::123456789012:{args.name}"}
        if args.typ == "aws:eks/cluster:Cluster":
            outputs["endpoint"] = "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com"
            outputs["certificateAuthority"] = {"data": "Q0E="}
            outputs["identities"] = [{"oidcs": [{"issuer": ISSUER}]}]
        return resource_id, {**outputs, **state}


def make(**overrides: Any) -> EksClusterArgs:
    fields: dict[str, Any] = {
        "region": "us-east-1",
        "vpc": NewVpc(availability_zones=("us-east-1a", "us-east-1b")),
        "node_pools": {
            "gpu": NodePoolArgs(
                scheduling=GPU, instance_type="g5.xlarge", min_size=1, max_size=2, desired_size=1
            )
        },
    }
    return EksClusterArgs(**{**fields, **overrides})


def render(args: EksClusterArgs) -> list[RenderedResource]:
    monitor = RecordingMonitor(AwsMocks())
    install_monitor(monitor, "shipyard", "test")
    _sync_await(run_pulumi_func(lambda: EksCluster("prod", args)))
    return list(monitor.recorded)


@pytest.fixture(scope="module")
def resources() -> list[RenderedResource]:
    return render(make(endpoint_public_access=True, public_access_cidrs=("203.0.113.0/24",)))


def one(resources: list[RenderedResource], type_: str, name: str | None = None) -> RenderedResource:
    [found] = [r for r in resources if r.type == type_ and (name is None or r.name == name)]
    return found


def test_cluster_endpoint_encryption_and_logging(resources: list[RenderedResource]) -> None:
    cluster = one(resources, "aws:eks/cluster:Cluster").inputs
    assert cluster["version"] == "1.33"
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["vpcConfig"]["endpointPublicAccess"] is True
    assert cluster["vpcConfig"]["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert cluster["vpcConfig"]["subnetIds"] == [
        "prod-private-us-east-1a-id",
        "prod-private-us-east-1b-id",
    ]
    assert cluster["encryptionConfig"] == {
        "resources": ["secrets"],
        "provider": {"keyArn": "arn:aws:mock::123456789012:prod-secrets"},
    }
    assert cluster["enabledClusterLogTypes"] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    assert one(resources, "aws:kms/key:Key").inputs["enableKeyRotation"] is True


def test_cluster_and_secrets_key_are_protected_unless_data_loss_is_allowed(
    resources: list[RenderedResource],
) -> None:
    assert one(resources, "aws:eks/cluster:Cluster").protect is True
    assert one(resources, "aws:kms/key:Key").protect is True
    loose = render(make(allow_data_loss=True))
    assert one(loose, "aws:eks/cluster:Cluster").protect is False
    assert one(loose, "aws:kms/key:Key").protect is False


def test_private_endpoint_by_default() -> None:
    cluster = one(render(make()), "aws:eks/cluster:Cluster").inputs
    assert cluster["vpcConfig"]["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster["vpcConfig"]


def test_public_endpoint_needs_an_allow_list() -> None:
    with pytest.raises(ValidationError, match="a public endpoint needs `public_access_cidrs`"):
        make(endpoint_public_access=True)


def test_vpc_spans_two_zones_with_nat() -> None:
    assert subnet_plan(NewVpc(availability_zones=("us-east-1a", "us-east-1b"))) == [
        ("us-east-1a", "10.0.0.0/19", "10.0.64.0/19"),
        ("us-east-1b", "10.0.32.0/19", "10.0.96.0/19"),
    ]
    with pytest.raises(ValidationError, match="at least 2 items"):
        NewVpc(availability_zones=("us-east-1a",))


def test_network_resources(resources: list[RenderedResource]) -> None:
    subnets = [r for r in resources if r.type == "aws:ec2/subnet:Subnet"]
    assert (
        sorted(s.inputs["availabilityZone"] for s in subnets)
        == ["us-east-1a"] * 2 + ["us-east-1b"] * 2
    )
    assert len([r for r in resources if r.type == "aws:ec2/natGateway:NatGateway"]) == 1
    private = one(resources, "aws:ec2/subnet:Subnet", "prod-private-us-east-1a").inputs
    assert private["tags"]["kubernetes.io/role/internal-elb"] == "1"
    assert private["tags"]["karpenter.sh/discovery"] == "prod"


def test_addons_and_irsa(resources: list[RenderedResource]) -> None:
    addons = {r.inputs["addonName"]: r.inputs for r in resources if r.type == "aws:eks/addon:Addon"}
    assert sorted(addons) == ["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]
    ebs_role = one(resources, "aws:iam/role:Role", "prod-ebs-csi")
    assert addons["aws-ebs-csi-driver"]["serviceAccountRoleArn"] == ebs_role.inputs["arn"]
    trust = json.loads(ebs_role.inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Federated": "arn:aws:mock::123456789012:prod"}
    issuer = ISSUER.removeprefix("https://")
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer}:sub": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
        f"{issuer}:aud": "sts.amazonaws.com",
    }
    oidc = one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs
    assert oidc["url"] == ISSUER
    assert oidc["clientIdLists"] == ["sts.amazonaws.com"]


def test_kubeconfig_storage_class_and_device_plugin(resources: list[RenderedResource]) -> None:
    provider = one(resources, "pulumi:providers:kubernetes")
    assert "kubeconfig" in provider.inputs
    storage = one(resources, "kubernetes:storage.k8s.io/v1:StorageClass").inputs
    assert storage["provisioner"] == "ebs.csi.aws.com"
    assert storage["parameters"] == {"type": "gp3", "encrypted": "true"}
    release = one(resources, "kubernetes:helm.sh/v3:Release").inputs
    assert (release["chart"], release["version"]) == ("nvidia-device-plugin", "0.17.1")
    assert release["values"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]


def test_device_plugin_targets_every_gpu_pool() -> None:
    other = GPU.model_copy(update={"pool": "h100", "node_selector": {"shipyard.dev/pool": "h100"}})
    pools = {
        name: NodePoolArgs(
            scheduling=scheduling, instance_type="g5.xlarge", min_size=0, max_size=1, desired_size=0
        )
        for name, scheduling in (("gpu", GPU), ("h100", other))
    }
    terms = render_device_plugin_values(pools)["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]["nodeSelectorTerms"]
    assert [t["matchExpressions"][0]["values"] for t in terms] == [["gpu"], ["h100"]]


# The whole example blueprint, rendered once offline through the real stack program.
@pytest.fixture(scope="module")
def example() -> list[RenderedResource]:
    return render_blueprint(ROOT / "blueprints" / "prod.yaml", ROOT, "prod")


def test_render_of_the_example_has_the_aws_and_kubernetes_tree(
    example: list[RenderedResource],
) -> None:
    types = {r.type for r in example}
    assert {
        "shipyard:aws:EksCluster",
        "aws:eks/cluster:Cluster",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/natGateway:NatGateway",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "kubernetes:karpenter.sh/v1:NodePool",
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "shipyard:serving:VllmService",
        "kubernetes:ray.io/v1:RayService",
        "shipyard:aws:S3Bucket",
        "aws:s3/bucket:Bucket",
    } <= types
    provider = one(example, "pulumi:providers:kubernetes")
    deployment = one(example, "kubernetes:apps/v1:Deployment", "llama-8b")
    assert deployment.provider is not None and deployment.provider.startswith(provider.urn)
    groups = {r.name: r.inputs for r in example if r.type == "aws:eks/nodeGroup:NodeGroup"}
    assert groups["gpu-a10g"]["capacityType"] == "SPOT"
    assert groups["gpu-a10g"]["diskSize"] == 200
    assert groups["system"]["amiType"] == "AL2023_x86_64_STANDARD"
    assert groups["system"]["taints"] == []


_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute"}


def _tolerated(taint: dict[str, str], tolerations: list[dict[str, Any]]) -> bool:
    effect = _EFFECTS[taint["effect"]]
    return any(
        t["key"] == taint["key"]
        and t["effect"] == effect
        and (t["operator"] == "Exists" or t.get("value") == taint.get("value"))
        for t in tolerations
    )


@pytest.mark.parametrize(
    ("workload", "pool"), [("llama-8b", "gpu-a10g"), ("llama-70b", "gpu-h100")]
)
def test_vllm_selector_and_tolerations_match_the_node_group(
    example: list[RenderedResource], workload: str, pool: str
) -> None:
    pod = one(example, "kubernetes:apps/v1:Deployment", workload).inputs["spec"]["template"]["spec"]
    group = one(example, "aws:eks/nodeGroup:NodeGroup", pool).inputs
    assert pod["nodeSelector"].items() <= group["labels"].items()
    assert group["taints"]
    assert all(_tolerated(taint, pod["tolerations"]) for taint in group["taints"])


def test_ray_workers_match_their_node_group(example: list[RenderedResource]) -> None:
    # prod.yaml serves Ray Serve applications, so its cluster is a RayService's.
    ray = one(example, "kubernetes:ray.io/v1:RayService").inputs["spec"]["rayClusterConfig"]
    [worker] = [g for g in ray["workerGroupSpecs"] if g["groupName"] == "h100"]
    pod = worker["template"]["spec"]
    group = one(example, "aws:eks/nodeGroup:NodeGroup", "gpu-h100").inputs
    assert pod["nodeSelector"].items() <= group["labels"].items()
    assert all(_tolerated(taint, pod["tolerations"]) for taint in group["taints"])


def test_pure_selector_matches_node_labels() -> None:
    from components.node_pool.config import node_group_taints, node_labels

    args = NodePoolArgs(
        scheduling=GPU, instance_type="g5.xlarge", min_size=1, max_size=1, desired_size=1
    )
    assert render_node_selector(GPU).items() <= node_labels(args).items()
    assert all(_tolerated(t, render_tolerations(GPU)) for t in node_group_taints(args))
