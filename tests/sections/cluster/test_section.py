"""`cluster.kind: eks`, instance facts on pools and `spec.budget`: every problem with
FILE:LINE:COL and its field."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.cluster.args import node_pool_args
from shipyard.sections.cluster.eks import EksCluster
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "eks.yaml"

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-eks, environment: prod}
spec:
  cluster:
    kind: eks
    region: us-east-1
    endpoint:
      public: false
  budget:
    monthlyUsd: 5000
  nodePools:
    - name: gpu
      instanceType: g5.xlarge
      size: {min: 1, max: 2, desired: 1}
  models:
    - name: qwen
      model: Qwen/Qwen2.5-7B-Instruct
      nodePool: gpu
      maxModelLen: 8192
"""


at = partial(located_at, FILE)
problems = partial(load_problems, FILE)
load = partial(load_text, FILE)


def test_base_is_valid_and_the_gpu_comes_from_the_instance(tmp_path: Path) -> None:
    path = tmp_path / FILE
    path.write_text(BASE, encoding="utf-8")
    platform = load_blueprint(path)
    assert isinstance(platform.spec.cluster, EksCluster)
    [pool] = platform.spec.node_pools
    assert pool.gpu is not None
    assert (pool.gpu.type, pool.gpu.count) == ("nvidia-a10g", 1)
    assert [(t.key, t.value, t.effect) for t in pool.effective_taints] == [
        ("nvidia.com/gpu", "present", "NoSchedule")
    ]
    assert platform.spec.cluster.availability_zones == ["us-east-1a", "us-east-1b"]


def test_unknown_instance_type(tmp_path: Path) -> None:
    text = BASE.replace("instanceType: g5.xlarge", "instanceType: g5.xlarg")
    assert (
        f"{at(text, 'instanceType')}: spec.nodePools[0].instanceType: unknown instance type "
        "`g5.xlarg`; did you mean `g5.xlarge`?" in problems(tmp_path, text)
    )


def test_gpu_block_contradicting_the_instance(tmp_path: Path) -> None:
    text = BASE.replace(
        "      instanceType: g5.xlarge\n",
        "      instanceType: g5.xlarge\n      gpu: {type: nvidia-l4, count: 4}\n",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'type: nvidia-l4')}: spec.nodePools[0].gpu.type: `g5.xlarge` has "
        "nvidia-a10g, not nvidia-l4; fix `gpu.type` or remove the `gpu` block",
        f"{at(text, 'count: 4')}: spec.nodePools[0].gpu.count: `g5.xlarge` has 1 GPU(s), not 4; "
        "fix `gpu.count` or remove the `gpu` block",
    ]


def test_gpu_fit_uses_the_instance_memory(tmp_path: Path) -> None:
    text = BASE.replace("Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-70B-Instruct")
    [problem] = [p for p in problems(tmp_path, text) if "tensorParallelSize" in p]
    assert "1 x nvidia-a10g at gpuMemoryUtilization 0.9 gives 21.6 GiB" in problem


def test_budget_exceeded(tmp_path: Path) -> None:
    text = BASE.replace("monthlyUsd: 5000", "monthlyUsd: 500")
    # g5.xlarge 734.38 + disk 8 + control plane 73 + NAT 37.35 = 852.73.
    assert problems(tmp_path, text) == [
        f"{at(text, 'monthlyUsd')}: spec.budget.monthlyUsd: the estimate at desired sizes is "
        "$852.73/month, over the budget of $500.00; `shipyard cost` shows the breakdown"
    ]


def test_public_endpoint_without_allow_list(tmp_path: Path) -> None:
    text = BASE.replace("public: false", "public: true")
    assert problems(tmp_path, text) == [
        f"{at(text, 'public: true')}: spec.cluster.endpoint.public: a public endpoint needs "
        "`publicAccessCidrs`; list the CIDRs allowed to reach it"
    ]


def test_efa_on_an_instance_without_it(tmp_path: Path) -> None:
    text = BASE.replace(
        "      instanceType: g5.xlarge\n", "      instanceType: g5.xlarge\n      efa: true\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'efa')}: spec.nodePools[0].efa: `g5.xlarge` does not support EFA; remove "
        "`efa` or choose a type that does (e.g. p5.48xlarge, g6e.8xlarge)"
    ]


def test_eks_needs_instance_types_and_zones_in_region(tmp_path: Path) -> None:
    text = BASE.replace(
        "      instanceType: g5.xlarge\n", "      gpu: {type: nvidia-a10g, count: 1}\n"
    )
    text = text.replace(
        "    region: us-east-1\n",
        "    region: us-east-1\n    vpc: {availabilityZones: [us-east-1a, eu-west-1b]}\n",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'eu-west-1b')}: spec.cluster.vpc.availabilityZones[1]: `eu-west-1b` is not "
        "a zone of region `us-east-1`",
        f"{at(text, '- name: gpu')[:-2]}:7: spec.nodePools[0].instanceType: an `eks` cluster "
        "needs `instanceType` on every pool",
    ]


def test_typo_inside_the_eks_cluster_names_eks_fields(tmp_path: Path) -> None:
    text = BASE.replace("region: us-east-1", "regoin: us-east-1")
    assert problems(tmp_path, text) == [
        f"{at(text, 'cluster:')}: spec.cluster.region: required field is missing",
        f"{at(text, 'regoin')}: spec.cluster.regoin: unknown field `regoin`; did you mean "
        "`region`?",
    ]


def test_unknown_cluster_kind(tmp_path: Path) -> None:
    text = BASE.replace("kind: eks", "kind: gke")
    assert problems(tmp_path, text) == [
        f"{at(text, 'kind: gke')}: spec.cluster.kind: unknown kind `gke`; use one of 'local', 'eks'"
    ]


def test_eks_only_fields_on_a_local_cluster(tmp_path: Path) -> None:
    text = BASE.replace(
        "    kind: eks\n    region: us-east-1\n    endpoint:\n      public: false\n",
        "    kind: local\n",
    )
    text = text.replace(
        "      instanceType: g5.xlarge\n", "      instanceType: g5.xlarge\n      capacity: spot\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'capacity')}: spec.nodePools[0].capacity: `capacity` applies only to "
        "`cluster.kind: eks`; remove it"
    ]


KARPENTER = "      instanceType: g5.xlarge\n      provisioner: karpenter\n"


def with_pool_lines(*lines: str) -> str:
    return BASE.replace("      instanceType: g5.xlarge\n", "".join(f"      {x}\n" for x in lines))


def test_karpenter_pool_with_a_pinned_ami_alias(tmp_path: Path) -> None:
    text = with_pool_lines(
        "instanceType: g5.xlarge", "provisioner: karpenter", "amiAlias: al2023@v20251016"
    )
    platform = load(tmp_path, text)
    [pool] = platform.spec.node_pools
    assert pool.ami_alias == "al2023@v20251016"
    assert node_pool_args(pool).ami_alias == "al2023@v20251016"


def test_karpenter_pool_needs_an_ami_alias(tmp_path: Path) -> None:
    text = BASE.replace("      instanceType: g5.xlarge\n", KARPENTER)
    assert problems(tmp_path, text) == [
        f"{at(text, 'provisioner')}: spec.nodePools[0].provisioner: a Karpenter pool needs "
        "`amiAlias`, the EKS-optimized AMI release its nodes boot, e.g. "
        "`amiAlias: al2023@v20251016`; see https://karpenter.sh/docs/tasks/managing-amis/"
    ]


def test_latest_ami_alias_is_refused_in_production_only(tmp_path: Path) -> None:
    text = with_pool_lines(
        "instanceType: g5.xlarge", "provisioner: karpenter", "amiAlias: al2023@latest"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'amiAlias')}: spec.nodePools[0].amiAlias: `al2023@latest` rolls every node "
        "onto each new AMI as AWS publishes it; pin a release in environment `prod`, e.g. "
        "`al2023@v20251016` (see https://karpenter.sh/docs/tasks/managing-amis/)"
    ]
    staging = text.replace("environment: prod", "environment: staging")
    [pool] = load(tmp_path, staging).spec.node_pools
    assert pool.ami_alias == "al2023@latest"


def test_ami_alias_on_a_managed_node_group(tmp_path: Path) -> None:
    text = with_pool_lines("instanceType: g5.xlarge", "amiAlias: al2023@v20251016")
    assert problems(tmp_path, text) == [
        f"{at(text, 'amiAlias')}: spec.nodePools[0].amiAlias: `amiAlias` applies only to "
        "`provisioner: karpenter`"
    ]


def test_ami_alias_format(tmp_path: Path) -> None:
    text = with_pool_lines(
        "instanceType: g5.xlarge", "provisioner: karpenter", "amiAlias: al2@v20240807"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'amiAlias')}: spec.nodePools[0].amiAlias: `al2@v20240807` is not an AMI "
        "alias Shipyard supports (Karpenter refuses AL2 aliases on EKS 1.33+); use family "
        "`al2023` or `bottlerocket` as `<family>@<release>`, e.g. `al2023@v20251016`"
    ]
