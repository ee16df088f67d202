"""Karpenter's CEL rules, evaluated by the real API server instead of Python copies.

The NodePool and EC2NodeClass the `NodePool` component renders for each case of
tests/components/node_pool/test_crd.py go through a server-side dry run against
Karpenter's real CRDs: the API server evaluates every `x-kubernetes-validations` rule
(jsonschema cannot). Each rule Shipyard could break is shown refusing a broken copy, with
the CRD's own message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dry_run import dry_run
from kubernetes.dynamic import DynamicClient
from operator_crds import apply_crds, crd_files, delete_crds

from tests.components.node_pool.test_crd import CASES, pure_pair

pytestmark = pytest.mark.e2e
Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def dynamic(kube_api: Any) -> Iterator[DynamicClient]:
    names = apply_crds(kube_api, crd_files("karpenter"))
    try:
        yield DynamicClient(kube_api)
    finally:
        delete_crds(kube_api, names)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_case_passes_the_crds_cel_rules(case: str, dynamic: DynamicClient) -> None:
    pool, node_class = pure_pair(case)
    for manifest in (pool, node_class):
        verdict = dry_run(dynamic, manifest)
        assert verdict.accepted, f"{case} {manifest['kind']}: {verdict.message}"


def _broken(manifest: Manifest, change: Callable[[Manifest], None]) -> Manifest:
    copied = copy.deepcopy(manifest)
    change(copied["spec"])
    return copied


def _template_label(spec: Manifest) -> None:
    spec["template"]["metadata"]["labels"]["karpenter.sh/team"] = "llm"


def _hostname_requirement(spec: Manifest) -> None:
    spec["template"]["spec"]["requirements"].append(
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["a"]}
    )


def _in_without_values(spec: Manifest) -> None:
    spec["template"]["spec"]["requirements"].append(
        {"key": "shipyard.dev/zone", "operator": "In", "values": []}
    )


def _empty_ref_name(spec: Manifest) -> None:
    spec["template"]["spec"]["nodeClassRef"]["name"] = ""


NODE_POOL_RULES = [
    (_template_label, 'label domain "karpenter.sh" is restricted'),
    (_hostname_requirement, 'label "kubernetes.io/hostname" is restricted'),
    (_in_without_values, "requirements with operator 'In' must have a value defined"),
    (_empty_ref_name, "name may not be empty"),
]


def _role_and_profile(spec: Manifest) -> None:
    spec["instanceProfile"] = "prod-node"


def _no_role(spec: Manifest) -> None:
    del spec["role"]


def _empty_role(spec: Manifest) -> None:
    spec["role"] = ""


def _alias_and_owner(spec: Manifest) -> None:
    spec["amiSelectorTerms"] = [{"alias": "al2@v20240807", "owner": "amazon"}]


def _windows_pinned(spec: Manifest) -> None:
    spec["amiSelectorTerms"] = [{"alias": "windows2022@v20240807"}]


def _unknown_family(spec: Manifest) -> None:
    spec["amiSelectorTerms"] = [{"alias": "ubuntu@v20240807"}]


def _empty_tag(spec: Manifest) -> None:
    spec["subnetSelectorTerms"] = [{"tags": {"karpenter.sh/discovery": ""}}]


def _no_volume_size(spec: Manifest) -> None:
    del spec["blockDeviceMappings"][0]["ebs"]["volumeSize"]


NODE_CLASS_RULES = [
    (_role_and_profile, "must specify exactly one of ['role', 'instanceProfile']"),
    (_no_role, "must specify exactly one of ['role', 'instanceProfile']"),
    (_empty_role, "role cannot be empty"),
    (_alias_and_owner, "'alias' is mutually exclusive"),
    (_windows_pinned, "windows families may only specify version 'latest'"),
    (_unknown_family, "family is not supported"),
    (_empty_tag, "empty tag keys or values aren't supported"),
    (_no_volume_size, "snapshotID or volumeSize must be defined"),
]


@pytest.mark.parametrize(
    ("change", "message"), NODE_POOL_RULES, ids=[c.__name__ for c, _ in NODE_POOL_RULES]
)
def test_the_node_pool_rules_refuse_a_broken_pool(
    change: Callable[[Manifest], None], message: str, dynamic: DynamicClient
) -> None:
    pool, _ = pure_pair("gpu-spot")
    verdict = dry_run(dynamic, _broken(pool, change))
    assert not verdict.accepted
    assert message in verdict.message


@pytest.mark.parametrize(
    ("change", "message"), NODE_CLASS_RULES, ids=[c.__name__ for c, _ in NODE_CLASS_RULES]
)
def test_the_node_class_rules_refuse_a_broken_class(
    change: Callable[[Manifest], None], message: str, dynamic: DynamicClient
) -> None:
    _, node_class = pure_pair("gpu-spot")
    verdict = dry_run(dynamic, _broken(node_class, change))
    assert not verdict.accepted
    assert message in verdict.message
