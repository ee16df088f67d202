"""The Karpenter NodePool and EC2NodeClass `NodePool` renders, against Karpenter's real CRDs
(`scripts/operator-crds karpenter`, closed to unknown fields by `crd_schemas`).

The CRDs' CEL rules (`x-kubernetes-validations`) are not copied here: the real API server
evaluates them on the same objects in tests/e2e/test_karpenter_cel.py."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from components.node_pool.args import AMI_ALIAS_VERSIONS, NodePoolArgs
from components.node_pool.config import render_karpenter_node_class, render_karpenter_node_pool
from components.shared.scheduling import PoolScheduling, Taint
from shipyard.render import render_blueprint
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate

ROOT = Path(__file__).resolve().parents[3]
NODE_POOLS, NODE_CLASSES = "karpenter.sh_nodepools.yaml", "karpenter.k8s.aws_ec2nodeclasses.yaml"
PROD_POOL = "gpu-burst"
PROD_ALIAS = "al2023@v20251016"
Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def paths() -> dict[str, Path]:
    found = {path.name: path for path in crd_paths("karpenter")}
    # One module for both API groups: the AWS provider ships the karpenter.sh CRDs it pins.
    assert {found[NODE_POOLS].parent, found[NODE_CLASSES].parent} == {found[NODE_POOLS].parent}
    assert "karpenter-provider-aws@v1." in str(found[NODE_POOLS])
    return found


@pytest.fixture(scope="module")
def crd_schemas(paths: dict[str, Path]) -> Schemas:
    return load_schemas(list(paths.values()), {NODE_POOLS, NODE_CLASSES})


@pytest.fixture(scope="module")
def alias_families(paths: dict[str, Path]) -> set[str]:
    """The families the EC2NodeClass CRD's CEL rule on `amiSelectorTerms[].alias` admits."""
    crd = yaml.safe_load(paths[NODE_CLASSES].read_text())
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    alias = spec["properties"]["amiSelectorTerms"]["items"]["properties"]["alias"]
    [rule] = [
        v["rule"] for v in alias["x-kubernetes-validations"] if v["message"].startswith("family")
    ]
    return set(re.findall(r"'([a-z0-9]+)'", rule))


GPU = PoolScheduling(
    pool="gpu",
    node_selector={"shipyard.dev/pool": "gpu"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=8,
)
CPU = PoolScheduling(pool="batch", node_selector={"shipyard.dev/pool": "batch"})
CASES: dict[str, dict[str, Any]] = {
    "gpu-spot": {"capacity_type": "SPOT", "vcpu_per_node": 192},
    "gpu-labels-big-disk": {"labels": {"team": "llm"}, "disk_size_gib": 16384},
    "cpu-no-limits": {"scheduling": CPU, "instance_type": "m7i.2xlarge", "disk_size_gib": 20},
    "bottlerocket": {"ami_alias": "bottlerocket@v1.10.0"},
    "latest-no-value-taint": {
        "ami_alias": "al2023@latest",
        "scheduling": GPU.model_copy(
            update={"taints": (Taint(key="dedicated", effect="NoExecute"),)}
        ),
    },
}


def make(**overrides: Any) -> NodePoolArgs:
    fields: dict[str, Any] = {
        "scheduling": GPU,
        "instance_type": "p5.48xlarge",
        "min_size": 0,
        "max_size": 3,
        "desired_size": 0,
        "provisioner": "karpenter",
        "ami_alias": PROD_ALIAS,
    }
    return NodePoolArgs(**{**fields, **overrides})


def pure_pair(case: str) -> tuple[Manifest, Manifest]:
    args = make(**CASES[case])
    return (
        render_karpenter_node_pool(case, args),
        render_karpenter_node_class(case, args, "prod", "prod-node"),
    )


# --- the component's pure functions -------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_pure_renders_validate_against_the_crds(case: str, crd_schemas: Schemas) -> None:
    pool, node_class = pure_pair(case)
    validate(pool, crd_schemas)
    validate(node_class, crd_schemas)
    ref = pool["spec"]["template"]["spec"]["nodeClassRef"]
    # The NodePool names the EC2NodeClass rendered beside it.
    assert (ref["group"], ref["kind"], ref["name"]) == (
        node_class["apiVersion"].split("/")[0],
        node_class["kind"],
        node_class["metadata"]["name"],
    )


def test_shipyard_alias_families_are_ones_the_crd_admits(alias_families: set[str]) -> None:
    assert {"al2", "al2023", "bottlerocket"} <= alias_families
    assert set(AMI_ALIAS_VERSIONS) <= alias_families


def test_the_crd_checks_catch_mistakes(crd_schemas: Schemas) -> None:
    pool, node_class = pure_pair("gpu-spot")
    typo = copy.deepcopy(pool)
    template = typo["spec"]["template"]["spec"]
    template["nodeClasRef"] = template["nodeClassRef"]
    with pytest.raises(jsonschema.ValidationError, match="'nodeClasRef' was unexpected"):
        validate(typo, crd_schemas)
    capacity = copy.deepcopy(pool)
    capacity["spec"]["template"]["spec"]["taints"][0]["effect"] = "NO_SCHEDULE"
    with pytest.raises(jsonschema.ValidationError, match="'NO_SCHEDULE' is not one of"):
        validate(capacity, crd_schemas)
    disk = copy.deepcopy(node_class)
    disk["spec"]["blockDeviceMappings"][0]["ebs"]["volumeSize"] = "100GiB"
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        validate(disk, crd_schemas)


# --- the prod blueprint, rendered offline ------------------------------------------------


def prod_blueprint(tmp: Path) -> Path:
    """blueprints/prod.yaml, with `amiAlias` on the Karpenter pool if it lacks one (the
    field became required with this test; the blueprint itself is the lead's to change)."""
    text = (ROOT / "blueprints" / "prod.yaml").read_text(encoding="utf-8")
    if "amiAlias:" in text:
        return ROOT / "blueprints" / "prod.yaml"
    anchor = f"    - name: {PROD_POOL}\n"
    head, tail = text.split(anchor)
    tail = tail.replace(
        "      provisioner: karpenter\n",
        f"      provisioner: karpenter\n      amiAlias: {PROD_ALIAS}\n",
        1,
    )
    path = tmp / "prod.yaml"
    path.write_text(head + anchor + tail, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    resources = render_blueprint(prod_blueprint(tmp_path_factory.mktemp("prod")), ROOT, "prod")
    karpenter = [r for r in resources if r.type.startswith("kubernetes:karpenter")]
    role = [r for r in resources if r.type == "aws:iam/role:Role" and r.name.endswith("-node")]
    return {
        "by_kind": {r.manifest()["kind"]: r for r in karpenter},
        "count": len(karpenter),
        "node_role": role[0].urn,
    }


def test_prod_renders_one_node_pool_and_node_class(prod: dict[str, Any]) -> None:
    assert prod["count"] == 2
    pool = prod["by_kind"]["NodePool"].manifest()
    node_class = prod["by_kind"]["EC2NodeClass"].manifest()
    assert pool["metadata"]["name"] == node_class["metadata"]["name"] == PROD_POOL
    assert node_class["spec"]["amiSelectorTerms"] == [{"alias": PROD_ALIAS}]
    assert pool["spec"]["template"]["spec"]["requirements"][0]["values"] == ["g6e.2xlarge"]
    # g6e.2xlarge: 1 GPU and 8 vCPUs a node, at most 4 nodes.
    assert pool["spec"]["limits"] == {"nvidia.com/gpu": "4", "cpu": "32"}


@pytest.mark.parametrize("kind", ["NodePool", "EC2NodeClass"])
def test_prod_validates_against_the_crd(
    prod: dict[str, Any], crd_schemas: Schemas, kind: str
) -> None:
    validate(prod["by_kind"][kind].manifest(), crd_schemas)


def test_prod_node_class_role_is_the_node_roles_placeholder(prod: dict[str, Any]) -> None:
    """`role` is the node IAM role's generated name, which exists only once AWS creates the
    role: offline it is written as that output's placeholder, and the spec is wired to the
    role (the API server's CEL check of it: tests/e2e/test_karpenter_cel.py)."""
    rendered = prod["by_kind"]["EC2NodeClass"]
    node_class = rendered.manifest()
    assert node_class["spec"]["role"] == (
        "<computed at deploy: shipyard-prod-node.name (aws:iam/role:Role)>"
    )
    assert prod["node_role"] in rendered.property_dependencies["spec"]
