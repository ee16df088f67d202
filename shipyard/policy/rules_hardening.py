"""Rules over what a pod may reach on its node and in the API server: host namespaces and
paths, privilege escalation, service account tokens, RBAC wildcards, image digests and
Helm chart pins (security review, issue 22: Medium 5)."""

from __future__ import annotations

from shipyard.policy.model import PolicyConfig, Resource
from shipyard.policy.props import (
    containers,
    dig,
    kind_of,
    kubernetes_kind,
    mapping,
    pod_specs,
    sequence,
)

RBAC_KINDS = ("rbac.authorization.k8s.io/v1:Role", "rbac.authorization.k8s.io/v1:ClusterRole")
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
_HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


def no_host_namespaces_or_paths(resource: Resource, config: PolicyConfig) -> list[str]:
    messages = []
    for pod in pod_specs(resource.type, resource.props):
        messages += [
            f"{pod.path}.{field} is true, which shares the node's namespace; remove it."
            for field in _HOST_NAMESPACES
            if pod.spec.get(field) is True
        ]
        for index, volume in enumerate(map(mapping, sequence(pod.spec.get("volumes")))):
            if "hostPath" in volume:
                messages.append(
                    f'{pod.path}.volumes[{index}] ("{volume.get("name", "")}") mounts a '
                    "hostPath; use a PersistentVolumeClaim, emptyDir or a projected volume."
                )
    return messages


def containers_disallow_privilege_escalation(resource: Resource, config: PolicyConfig) -> list[str]:
    return [
        f"{container.label} does not set securityContext.allowPrivilegeEscalation to false."
        for container in containers(resource.type, resource.props)
        if dig(container.spec, "securityContext", "allowPrivilegeEscalation") is not False
    ]


def _kuberay_autoscaler_head(resource: Resource, pod_path: str) -> bool:
    """KubeRay runs the autoscaler in the head pod and gives it a ServiceAccount of its own
    (named after the cluster) when the template names none (ray-operator v1.6.2
    `common/pod.go`, `utils.GetHeadGroupServiceAccountName`)."""
    if not (kubernetes_kind(resource.type) or "").startswith("ray.io/"):
        return False
    if ".headGroupSpec." not in f".{pod_path}":
        return False
    cluster = pod_path.split("headGroupSpec", 1)[0].strip(".").split(".")
    return dig(resource.props, *cluster, "enableInTreeAutoscaling") is True


def service_account_tokens_not_automounted(resource: Resource, config: PolicyConfig) -> list[str]:
    """A pod on the namespace's `default` ServiceAccount has no API access granted, so a
    mounted token only helps an attacker; pods with their own ServiceAccount may need it."""
    messages = []
    for pod in pod_specs(resource.type, resource.props):
        account = pod.spec.get("serviceAccountName") or "default"
        if _kuberay_autoscaler_head(resource, pod.path):
            continue
        if account == "default" and pod.spec.get("automountServiceAccountToken") is not False:
            messages.append(
                f"{pod.path} runs as the default ServiceAccount with its token mounted; set "
                "automountServiceAccountToken to false, or give it a ServiceAccount of its own."
            )
    return messages


def no_rbac_wildcards(resource: Resource, config: PolicyConfig) -> list[str]:
    if kubernetes_kind(resource.type) not in RBAC_KINDS:
        return []
    messages = []
    for index, rule in enumerate(map(mapping, sequence(resource.props.get("rules")))):
        for field in ("apiGroups", "resources", "verbs", "nonResourceURLs"):
            if "*" in sequence(rule.get(field)):
                messages.append(
                    f'rules[{index}].{field} contains "*"; list what the '
                    f"{kind_of(resource.type)} needs."
                )
    return messages


def images_pinned_by_digest(resource: Resource, config: PolicyConfig) -> list[str]:
    return [
        f'{container.path}.image "{container.spec["image"]}" is pinned by tag only; pin '
        "`@sha256:` too, so a re-pushed tag cannot change what runs."
        for container in containers(resource.type, resource.props)
        if isinstance(container.spec.get("image"), str)
        and "@sha256:" not in container.spec["image"]
    ]


def helm_releases_pinned(resource: Resource, config: PolicyConfig) -> list[str]:
    """The objects of a Helm release are rendered by the provider inside the release, out
    of the policies' sight; what a policy can see is the chart and its version."""
    if resource.type != HELM_RELEASE:
        return []
    chart = str(resource.props.get("chart", ""))
    if chart.startswith(("/", "./", "../")):  # a local chart: its content is what is pinned
        return []
    version = resource.props.get("version")
    if isinstance(version, str) and version.strip() not in ("", "latest", "*"):
        return []
    return [
        f'version is {"unset" if not version else repr(version)}, so the chart "'
        f'{resource.props.get("chart", "")}" installs whatever is newest; pin a chart version.'
    ]
