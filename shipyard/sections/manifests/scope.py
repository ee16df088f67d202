"""Which objects are cluster-scoped: built-in kinds by name, custom kinds by their CRD's
`spec.scope` (pure). Everything else is namespaced, and goes in the platform's namespace."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CLUSTER_SCOPED_BUILTIN = frozenset(
    {
        # `kubectl api-resources --namespaced=false` against Kubernetes 1.34 (the e2e
        # control plane's version, scripts/toolchain.versions).
        "APIService",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterTrustBundle",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "DeviceClass",
        "FlowSchema",
        "IngressClass",
        "IPAddress",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "ServiceCIDR",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeAttributesClass",
    }
)


def cluster_scoped_custom(crds: Iterable[Mapping[str, Any]]) -> frozenset[tuple[str, str]]:
    """(group, kind) of every cluster-scoped custom kind these CRDs define."""
    found: set[tuple[str, str]] = set()
    for crd in crds:
        spec = crd.get("spec") or {}
        if spec.get("scope") == "Cluster":
            found.add((str(spec.get("group")), str((spec.get("names") or {}).get("kind"))))
    return frozenset(found)


def is_cluster_scoped(
    manifest: Mapping[str, Any], custom: frozenset[tuple[str, str]] = frozenset()
) -> bool:
    api_version, kind = str(manifest.get("apiVersion", "")), str(manifest.get("kind", ""))
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    if (group, kind) in custom:
        return True
    builtin_group = group == "" or group.endswith(".k8s.io") or "." not in group
    return builtin_group and kind in CLUSTER_SCOPED_BUILTIN


def namespaced(
    manifest: Mapping[str, Any], namespace: str, custom: frozenset[tuple[str, str]]
) -> dict[str, Any]:
    """`manifest` with `metadata.namespace` set, unless it is cluster-scoped."""
    result = dict(manifest)
    if is_cluster_scoped(manifest, custom):
        return result
    result["metadata"] = {**(manifest.get("metadata") or {}), "namespace": namespace}
    return result
