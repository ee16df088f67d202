"""Rules over the containers and pod specs of Kubernetes workloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.shared.credentials_patterns import looks_secret, secret_value_kind
from shipyard.policy.model import PolicyConfig, Resource
from shipyard.policy.props import (
    Container,
    containers,
    dig,
    gpu_resources,
    mapping,
    sequence,
)

DEFAULT_GPU_TAINT_KEY = "nvidia.com/gpu"


def _image_problem(image: str) -> str | None:
    if "@sha256:" in image:
        return None
    last_segment = image.rsplit("/", 1)[-1]
    if ":" not in last_segment:
        return "has no tag and so means `latest`"
    if last_segment.rsplit(":", 1)[1] == "latest":
        return "uses the `latest` tag"
    return None


def pinned_images(resource: Resource, config: PolicyConfig) -> list[str]:
    messages = []
    for container in containers(resource.type, resource.props):
        image = container.spec.get("image")
        if not isinstance(image, str):
            continue
        problem = _image_problem(image)
        if problem:
            messages.append(
                f'{container.path}.image "{image}" {problem}; pin a version tag or a digest.'
            )
    return messages


def _effective(container: Container, key: str) -> Any:
    """A security setting from the container, else from the pod (Kubernetes' own precedence)."""
    own = dig(container.spec, "securityContext", key)
    return own if own is not None else dig(container.pod.spec, "securityContext", key)


def containers_run_as_non_root(resource: Resource, config: PolicyConfig) -> list[str]:
    messages = []
    for container in containers(resource.type, resource.props):
        user = _effective(container, "runAsUser")
        if isinstance(user, int | float) and not isinstance(user, bool) and user == 0:
            messages.append(
                f"{container.label} sets securityContext.runAsUser to 0 (root); "
                "run as a non-zero user."
            )
        elif _effective(container, "runAsNonRoot") is not True and not (
            isinstance(user, int | float) and not isinstance(user, bool) and user > 0
        ):
            messages.append(
                f"{container.label} does not set securityContext.runAsNonRoot to true, "
                "in the container or the pod."
            )
    return messages


def no_privileged_containers(resource: Resource, config: PolicyConfig) -> list[str]:
    return [
        f"{container.label} sets securityContext.privileged to true; remove it."
        for container in containers(resource.type, resource.props)
        if dig(container.spec, "securityContext", "privileged") is True
    ]


def containers_drop_all_capabilities(resource: Resource, config: PolicyConfig) -> list[str]:
    return [
        f'{container.label} does not list "ALL" in securityContext.capabilities.drop.'
        for container in containers(resource.type, resource.props)
        if "ALL" not in sequence(dig(container.spec, "securityContext", "capabilities", "drop"))
    ]


def containers_set_resource_requests(resource: Resource, config: PolicyConfig) -> list[str]:
    messages = []
    for container in containers(resource.type, resource.props):
        requests = mapping(dig(container.spec, "resources", "requests"))
        limits = mapping(dig(container.spec, "resources", "limits"))
        messages += [
            f"{container.label} does not set resources.requests.{name}."
            for name in ("cpu", "memory")
            if requests.get(name) in (None, "")
        ]
        messages += [
            f'{container.label} requests {gpu} but does not set resources.limits["{gpu}"].'
            for gpu in gpu_resources(container)
            if limits.get(gpu) in (None, "")
        ]
    return messages


def _tolerates(tolerations: Any, taint_key: str) -> bool:
    for toleration in map(mapping, sequence(tolerations)):
        key = toleration.get("key")
        if key == taint_key or (not key and toleration.get("operator") == "Exists"):
            return True
    return False


def gpu_workloads_target_gpu_pools(resource: Resource, config: PolicyConfig) -> list[str]:
    taint_key = str(config.get("gpuTaintKey", DEFAULT_GPU_TAINT_KEY))
    messages = []
    gpu_pods = {
        container.pod.path: container.pod
        for container in containers(resource.type, resource.props)
        if gpu_resources(container)
    }
    for pod in gpu_pods.values():
        if not _tolerates(pod.spec.get("tolerations"), taint_key):
            messages.append(
                f'{pod.path}.tolerations has no toleration for the GPU taint "{taint_key}", '
                "so the pod cannot schedule on tainted GPU nodes."
            )
        required_affinity = dig(
            pod.spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"
        )
        if not mapping(pod.spec.get("nodeSelector")) and not required_affinity:
            messages.append(
                f"{pod.path}.nodeSelector is empty and no required node affinity is set, "
                "so nothing pins the GPU pod to a GPU node pool."
            )
    return messages


def no_plaintext_secrets(resource: Resource, config: PolicyConfig) -> list[str]:
    allowed = {str(name) for name in sequence(config.get("allowedNames"))}
    messages = []
    for container in containers(resource.type, resource.props):
        for index, env in enumerate(map(mapping, sequence(container.spec.get("env")))):
            name, value = env.get("name"), env.get("value")
            if not isinstance(name, str) or name in allowed or not value:
                continue
            kind = secret_value_kind(str(value))
            if looks_secret(name) or kind:
                what = f"holds {kind}" if kind else "sets a literal value"
                messages.append(
                    f'{container.path}.env[{index}] ("{name}") {what}; '
                    "take it from a Secret with valueFrom.secretKeyRef."
                )
        for field_name in ("command", "args"):
            for index, item in enumerate(sequence(container.spec.get(field_name))):
                kind = secret_value_kind(str(item))
                if kind:
                    messages.append(
                        f"{container.path}.{field_name}[{index}] holds {kind}; "
                        "pass it through an env var from a Secret."
                    )
    if resource.type == "kubernetes:core/v1:ConfigMap":
        for field_name in ("data", "binaryData"):
            data: Mapping[str, Any] = mapping(resource.props.get(field_name))
            for key in sorted(data):
                if key in allowed or not data[key]:
                    continue
                kind = secret_value_kind(str(data[key]))
                if looks_secret(key) or kind:
                    what = f"holds {kind}" if kind else "looks like a secret"
                    messages.append(
                        f'{field_name}["{key}"] {what} in a ConfigMap; keep it in a Secret instead.'
                    )
    return messages
