"""The Karpenter NodePool and EC2NodeClass `NodePool` renders, against Karpenter's real CRDs
(`scripts/operator-crds karpenter`, closed to unknown fields by `crd_schemas`), plus the
CRDs' CEL rules (`x-kubernetes-validations`) that matter here, checked by hand: the API
server enforces those, jsonschema does not."""

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


# --- CEL rules, by hand -------------------------------------------------------------------

_KARPENTER_SH_ALLOWED = {"karpenter.sh/capacity-type", "karpenter.sh/nodepool"}


def label_problems(key: str) -> list[str]:
    """The NodePool CRD's rules on template label and requirement keys (simplified: every
    `karpenter.k8s.aws` key counts as restricted; Shipyard sets none)."""
    domain = key.split("/", 1)[0]
    problems = []
    if key not in _KARPENTER_SH_ALLOWED and domain.endswith("karpenter.sh"):
        problems.append('label domain "karpenter.sh" is restricted')
    if key in ("karpenter.sh/nodepool", "kubernetes.io/hostname"):
        problems.append(f'label "{key}" is restricted')
    if domain.endswith("karpenter.k8s.aws"):
        problems.append('label domain "karpenter.k8s.aws" is restricted')
    return problems


def node_pool_cel(pool: Manifest, node_class: Manifest) -> list[str]:
    template = pool["spec"]["template"]
    spec = template["spec"]
    problems = [p for key in template["metadata"]["labels"] for p in label_problems(key)]
    ref = spec["nodeClassRef"]
    problems += [
        f"{field} may not be empty" for field in ("group", "kind", "name") if not ref[field]
    ]
    # What the ref must point at: the EC2NodeClass rendered beside it.
    if (ref["group"], ref["kind"], ref["name"]) != (
        node_class["apiVersion"].split("/")[0],
        node_class["kind"],
        node_class["metadata"]["name"],
    ):
        problems.append("nodeClassRef does not name the EC2NodeClass")
    for requirement in spec["requirements"]:
        problems += label_problems(requirement["key"])
        if requirement["operator"] == "In" and not requirement.get("values"):
            problems.append("requirements with operator 'In' must have a value defined")
    if "replicas" in pool["spec"]:
        problems.append("static NodePool: not what Shipyard renders")
    return problems


def node_class_cel(node_class: Manifest, families: set[str]) -> list[str]:
    spec = node_class["spec"]
    problems = []
    if ("role" in spec) == ("instanceProfile" in spec):
        problems.append("must specify exactly one of ['role', 'instanceProfile']")
    if spec.get("role") == "":
        problems.append("role cannot be empty")
    terms = spec["amiSelectorTerms"]
    aliases = [term["alias"] for term in terms if "alias" in term]
    if aliases and (len(terms) != 1 or set(terms[0]) != {"alias"}):
        problems.append("'alias' is mutually exclusive")
    for alias in aliases:
        if not re.fullmatch(r"[a-zA-Z0-9]+@.+", alias) or len(alias) > 30:
            problems.append("'alias' is improperly formatted")
        family, _, version = alias.partition("@")
        if family not in families:
            problems.append("family is not supported")
        if family.startswith("windows") and version != "latest":
            problems.append("windows families may only specify version 'latest'")
    if not aliases and "amiFamily" not in spec:
        problems.append("must specify amiFamily if amiSelectorTerms does not contain an alias")
    for field in ("subnetSelectorTerms", "securityGroupSelectorTerms"):
        if not spec[field]:
            problems.append(f"{field} cannot be empty")
        for term in spec[field]:
            tags = term.get("tags", {})
            if not tags and "id" not in term:
                problems.append(f"{field}: expected at least one of tags, id")
            if any(not k or not v for k, v in tags.items()):
                problems.append("empty tag keys or values aren't supported")
    for device in spec.get("blockDeviceMappings", []):
        ebs = device.get("ebs", {})
        if "snapshotID" not in ebs and "volumeSize" not in ebs:
            problems.append("snapshotID or volumeSize must be defined")
    if sum(bool(d.get("rootVolume")) for d in spec.get("blockDeviceMappings", [])) > 1:
        problems.append("must have only one blockDeviceMappings with rootVolume")
    return problems


# --- the component's pure functions -------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_pure_renders_validate_against_the_crds(
    case: str, crd_schemas: Schemas, alias_families: set[str]
) -> None:
    pool, node_class = pure_pair(case)
    validate(pool, crd_schemas)
    validate(node_class, crd_schemas)
    assert node_pool_cel(pool, node_class) == []
    assert node_class_cel(node_class, alias_families) == []


def test_shipyard_alias_families_are_ones_the_crd_admits(alias_families: set[str]) -> None:
    assert {"al2", "al2023", "bottlerocket"} <= alias_families
    assert set(AMI_ALIAS_VERSIONS) <= alias_families


def test_the_crd_checks_catch_mistakes(crd_schemas: Schemas, alias_families: set[str]) -> None:
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
    wrong_ref = copy.deepcopy(pool)
    wrong_ref["spec"]["template"]["spec"]["nodeClassRef"]["group"] = "karpenter.sh"
    assert node_pool_cel(wrong_ref, node_class) == ["nodeClassRef does not name the EC2NodeClass"]
    labelled = copy.deepcopy(pool)
    labelled["spec"]["template"]["metadata"]["labels"]["karpenter.sh/team"] = "llm"
    assert node_pool_cel(labelled, node_class) == ['label domain "karpenter.sh" is restricted']
    al2 = copy.deepcopy(node_class)
    al2["spec"]["amiSelectorTerms"] = [{"alias": "al2@v20240807", "owner": "amazon"}]
    assert node_class_cel(al2, alias_families) == ["'alias' is mutually exclusive"]
    windows = copy.deepcopy(node_class)
    windows["spec"]["amiSelectorTerms"] = [{"alias": "windows2022@v20240807"}]
    assert node_class_cel(windows, alias_families) == [
        "windows families may only specify version 'latest'"
    ]


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


def test_prod_passes_the_cel_rules(prod: dict[str, Any], alias_families: set[str]) -> None:
    pool = prod["by_kind"]["NodePool"].manifest()
    rendered = prod["by_kind"]["EC2NodeClass"]
    node_class = rendered.manifest()
    assert node_pool_cel(pool, node_class) == []
    # `role` is the node IAM role's generated name, which exists only once AWS creates the
    # role: offline it is absent, so check that the spec is wired to that role instead.
    assert "role" not in node_class["spec"]
    assert prod["node_role"] in rendered.property_dependencies["spec"]
    with_role = copy.deepcopy(node_class)
    with_role["spec"]["role"] = "shipyard-prod-node-0a1b2c3"
    assert node_class_cel(with_role, alias_families) == []
