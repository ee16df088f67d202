"""Host namespaces and paths, privilege escalation, token automount, RBAC wildcards, image
digests, Helm chart pins, and ClickHouse pod templates: violating and compliant cases with
exact messages (security review, issue 22: Medium 5)."""

from __future__ import annotations

from typing import Any

import pytest
from policy_fixtures import CONTAINER, deployment, resource, violations

POD = "spec.template.spec"
CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
RELEASE = "kubernetes:helm.sh/v3:Release"
CHI = "kubernetes:clickhouse.altinity.com/v1:ClickHouseInstallation"


@pytest.mark.parametrize("field", ["hostNetwork", "hostPID", "hostIPC"])
def test_host_namespaces_are_refused(field: str) -> None:
    assert violations("no-host-namespaces-or-paths", deployment(pod={field: True})) == [
        f"{POD}.{field} is true, which shares the node's namespace; remove it."
    ]


def test_a_host_path_is_refused_and_other_volumes_pass() -> None:
    volumes = [{"name": "cache", "emptyDir": {}}, {"name": "docker", "hostPath": {"path": "/"}}]
    assert violations("no-host-namespaces-or-paths", deployment(pod={"volumes": volumes})) == [
        f'{POD}.volumes[1] ("docker") mounts a hostPath; use a PersistentVolumeClaim, '
        "emptyDir or a projected volume."
    ]
    assert violations("no-host-namespaces-or-paths", deployment(pod={"volumes": volumes[:1]})) == []


def test_privilege_escalation_must_be_off() -> None:
    rule = "containers-disallow-privilege-escalation"
    assert violations(rule, deployment()) == []
    allowed = deployment({"securityContext": {"capabilities": {"drop": ["ALL"]}}})
    assert violations(rule, allowed) == [
        f"{CONTAINER} does not set securityContext.allowPrivilegeEscalation to false."
    ]


def test_the_default_service_account_token_must_not_be_mounted() -> None:
    rule = "service-account-tokens-not-automounted"
    assert violations(rule, deployment(pod={"automountServiceAccountToken": True})) == [
        f"{POD} runs as the default ServiceAccount with its token mounted; set "
        "automountServiceAccountToken to false, or give it a ServiceAccount of its own."
    ]
    unset = deployment(pod={"automountServiceAccountToken": None})
    assert len(violations(rule, unset)) == 1  # Kubernetes mounts it unless told not to
    assert violations(rule, deployment()) == []  # the fixture sets it to false
    own = {"automountServiceAccountToken": None, "serviceAccountName": "reconciler"}
    assert violations(rule, deployment(pod=own)) == []


def role(rules: list[dict[str, Any]]) -> Any:
    return resource(CLUSTER_ROLE, "r", {"rules": rules})


def test_rbac_wildcards_are_refused() -> None:
    wide = role([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["*"]}])
    assert violations("no-rbac-wildcards", wide) == [
        'rules[0].apiGroups contains "*"; list what the ClusterRole needs.',
        'rules[0].verbs contains "*"; list what the ClusterRole needs.',
    ]
    narrow = role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])
    assert violations("no-rbac-wildcards", narrow) == []


def test_images_without_a_digest_are_reported() -> None:
    rule = "images-pinned-by-digest"
    assert violations(rule, deployment()) == [
        f'{POD}.containers[0].image "registry.example/web:1.2.3" is pinned by tag only; pin '
        "`@sha256:` too, so a re-pushed tag cannot change what runs."
    ]
    digest = "registry.example/web:1.2.3@sha256:" + "a" * 64
    assert violations(rule, deployment({"image": digest})) == []


def test_the_digest_rule_is_off_unless_a_stack_turns_it_on() -> None:
    from shipyard.policy import RULES_BY_NAME

    assert RULES_BY_NAME["images-pinned-by-digest"].enforcement_level == "disabled"


@pytest.mark.parametrize("version", [None, "", "latest"])
def test_a_helm_release_must_pin_its_chart(version: str | None) -> None:
    props: dict[str, Any] = {"chart": "kuberay-operator"}
    if version is not None:
        props["version"] = version
    [message] = violations("helm-releases-pinned", resource(RELEASE, "kuberay", props))
    assert message.endswith(
        'the chart "kuberay-operator" installs whatever is newest; pin a chart version.'
    )


def test_a_pinned_or_local_chart_passes() -> None:
    pinned = resource(RELEASE, "a", {"chart": "kuberay-operator", "version": "1.6.2"})
    local = resource(RELEASE, "b", {"chart": "/srv/charts/kuberay-operator"})
    assert violations("helm-releases-pinned", pinned, local) == []


def test_clickhouse_pod_templates_are_judged_like_any_pod() -> None:
    template = {
        "name": "pod",
        "spec": {"hostNetwork": True, "containers": [{"name": "clickhouse", "image": "ch:24"}]},
    }
    chi = resource(CHI, "analytics", {"spec": {"templates": {"podTemplates": [template]}}})
    assert violations("no-host-namespaces-or-paths", chi) == [
        "spec.templates.podTemplates[0].spec.hostNetwork is true, which shares the node's "
        "namespace; remove it."
    ]
    assert violations("containers-disallow-privilege-escalation", chi) == [
        'spec.templates.podTemplates[0].spec.containers[0] ("clickhouse") does not set '
        "securityContext.allowPrivilegeEscalation to false."
    ]


def ray_service(autoscaling: bool) -> Any:
    head = {"template": {"spec": {"containers": []}}}
    worker = {"groupName": "w", "template": {"spec": {"automountServiceAccountToken": False}}}
    cluster = {
        "enableInTreeAutoscaling": autoscaling,
        "headGroupSpec": head,
        "workerGroupSpecs": [worker],
    }
    return resource(
        "kubernetes:ray.io/v1:RayService", "ray", {"spec": {"rayClusterConfig": cluster}}
    )


def test_a_ray_head_with_the_autoscaler_has_kuberays_service_account() -> None:
    rule = "service-account-tokens-not-automounted"
    assert violations(rule, ray_service(autoscaling=True)) == []
    assert violations(rule, ray_service(autoscaling=False)) == [
        "spec.rayClusterConfig.headGroupSpec.template.spec runs as the default ServiceAccount "
        "with its token mounted; set automountServiceAccountToken to false, or give it a "
        "ServiceAccount of its own."
    ]
