"""Turn a rendered manifest into the pulumi_kubernetes resource that creates it.

The manifest modules render plain dicts; components hand each one to `create_object`
instead of unpacking `metadata`/`spec`/`data` into a class by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

# Built-in kinds get their typed class (type token `kubernetes:core/v1:Service`, not the
# `kubernetes:v1:Service` a CustomResource would register). Any other kind is a CRD's.
TYPED_CLASSES: Mapping[tuple[str, str], Callable[..., pulumi.CustomResource]] = {
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("v1", "PersistentVolumeClaim"): k8s.core.v1.PersistentVolumeClaim,
    ("v1", "Service"): k8s.core.v1.Service,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("apps/v1", "StatefulSet"): k8s.apps.v1.StatefulSet,
    ("autoscaling/v2", "HorizontalPodAutoscaler"): k8s.autoscaling.v2.HorizontalPodAutoscaler,
    ("batch/v1", "CronJob"): k8s.batch.v1.CronJob,
    ("batch/v1", "Job"): k8s.batch.v1.Job,
    ("networking.k8s.io/v1", "Ingress"): k8s.networking.v1.Ingress,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
}
# The top-level fields a rendered manifest may carry besides apiVersion and kind.
BODY_FIELDS = ("metadata", "spec", "data")
# Top-level fields of one kind, and the typed class's keyword for each.
KIND_FIELDS = {
    "automountServiceAccountToken": "automount_service_account_token",
    "rules": "rules",
    "roleRef": "role_ref",
    "subjects": "subjects",
}


def create_object(
    name: str, manifest: Mapping[str, Any], opts: pulumi.ResourceOptions
) -> pulumi.CustomResource:
    """Create `manifest` as the Pulumi resource `name`: the typed class for a built-in
    kind, a `CustomResource` for any other."""
    api_version, kind = manifest["apiVersion"], manifest["kind"]
    unexpected = set(manifest) - {"apiVersion", "kind", *BODY_FIELDS, *KIND_FIELDS}
    if unexpected:
        raise ValueError(f"{kind} manifest has fields {sorted(unexpected)} not in {BODY_FIELDS}")
    body = {key: manifest[key] for key in BODY_FIELDS if key in manifest}
    body |= {keyword: manifest[key] for key, keyword in KIND_FIELDS.items() if key in manifest}
    typed = TYPED_CLASSES.get((api_version, kind))
    if typed is not None:
        return typed(name, **body, opts=opts)
    if api_version == "v1":
        raise ValueError(f"core kind {kind} has no typed class: add it to TYPED_CLASSES")
    return k8s.apiextensions.CustomResource(
        name, api_version=api_version, kind=kind, **body, opts=opts
    )
