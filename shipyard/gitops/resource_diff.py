"""Two renders -> create / update / replace / delete, with the changed field paths.

Resources are matched by URN, as the engine matches them. An update whose changed fields
include an immutable one is a replacement. The table below is deliberately small: it
covers what Shipyard renders and the immutable fields that hurt most, and is a forecast,
not the provider's verdict (`pulumi preview` has that).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from shipyard.policy.rules_data import STATEFUL_TYPES

Action = Literal["create", "update", "replace", "delete"]
ACTIONS: tuple[Action, ...] = ("create", "update", "replace", "delete")

KUBERNETES_IDENTITY = ("metadata.name", "metadata.namespace")
"""Every Kubernetes object is replaced when its name or namespace changes."""

REPLACE_ON: dict[str, tuple[str, ...]] = {
    # The whole PVC spec is immutable except the storage request (a grow is in place
    # when the storage class allows expansion).
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "spec.accessModes",
        "spec.storageClassName",
        "spec.selector",
        "spec.volumeName",
        "spec.volumeMode",
        "spec.dataSource",
        "spec.dataSourceRef",
    ),
    "kubernetes:core/v1:Service": ("spec.clusterIP", "spec.clusterIPs"),
    "kubernetes:core/v1:Secret": ("type",),
    "kubernetes:apps/v1:Deployment": ("spec.selector",),
    "kubernetes:apps/v1:ReplicaSet": ("spec.selector",),
    "kubernetes:apps/v1:DaemonSet": ("spec.selector",),
    "kubernetes:apps/v1:StatefulSet": (
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
        "spec.podManagementPolicy",
    ),
    "kubernetes:batch/v1:Job": ("spec.selector", "spec.template"),
    "kubernetes:storage.k8s.io/v1:StorageClass": (
        "provisioner",
        "parameters",
        "reclaimPolicy",
        "volumeBindingMode",
    ),
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    "aws:s3/bucketV2:BucketV2": ("bucket", "bucketPrefix"),
}
"""Resource type -> field paths whose change forces a replacement (besides the identity)."""

REPLACE_ON_ANY_CHANGE = ("random:",)
"""Type prefixes whose every input change replaces the resource (a new random value)."""


@dataclass(frozen=True)
class ResourceChange:
    action: Action
    type: str
    name: str
    urn: str
    fields: tuple[str, ...] = ()
    """Changed input paths (`spec.replicas`, `spec.template.spec.containers[0].args`)."""
    replace_fields: tuple[str, ...] = ()
    """The subset of `fields` that forces the replacement."""

    @property
    def stateful(self) -> bool:
        return is_stateful(self.type)

    @property
    def destroys_data(self) -> bool:
        """A stateful resource deleted or replaced: its data goes with it."""
        return self.stateful and self.action in ("replace", "delete")


class Rendered(Protocol):
    """What the diff needs of a rendered resource (`shipyard.render.RenderedResource`)."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    def manifest(self) -> dict[str, Any]:
        """The inputs as plain values (integers restored, secrets masked); `apiVersion`
        and `kind` come from the type, so they never differ under one URN."""
        ...


def is_stateful(type_token: str) -> bool:
    return type_token in STATEFUL_TYPES or type_token == "kubernetes:apps/v1:StatefulSet"


def diff_resources(base: Sequence[Rendered], head: Sequence[Rendered]) -> list[ResourceChange]:
    """Every resource created, updated, replaced or deleted from `base` to `head`, ordered by
    action (create, update, replace, delete), then type and name."""
    before = {r.urn: r for r in base}
    after = {r.urn: r for r in head}
    changes: list[ResourceChange] = []
    for urn, resource in after.items():
        if urn not in before:
            changes.append(ResourceChange("create", resource.type, resource.name, urn))
            continue
        old_inputs = before[urn].manifest()
        new_inputs = resource.manifest()
        fields = tuple(changed_fields(old_inputs, new_inputs))
        if not fields:
            continue
        forcing = replacement_fields(resource.type, fields, old_inputs, new_inputs)
        action: Action = "replace" if forcing else "update"
        changes.append(ResourceChange(action, resource.type, resource.name, urn, fields, forcing))
    for urn, resource in before.items():
        if urn not in after:
            changes.append(ResourceChange("delete", resource.type, resource.name, urn))
    return sorted(changes, key=lambda c: (ACTIONS.index(c.action), c.type, c.name, c.urn))


def changed_fields(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Paths of every difference. Maps recurse by key; lists of objects of the same length
    recurse by index; any other list differs as a whole."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        paths = []
        for key in sorted({*before, *after}):
            path = f"{prefix}.{key}" if prefix else str(key)
            paths += changed_fields(before.get(key), after.get(key), path)
        return paths
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and all(isinstance(item, Mapping) for item in [*before, *after])
    ):
        paths = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            paths += changed_fields(old, new, f"{prefix}[{index}]")
        return paths
    return [] if before == after else [prefix]


def replacement_fields(
    type_token: str, fields: Sequence[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[str, ...]:
    """The changed `fields` that force a replacement of a resource of `type_token`."""
    if type_token.startswith(REPLACE_ON_ANY_CHANGE):
        return tuple(fields)
    immutable = list(REPLACE_ON.get(type_token, ()))
    if type_token.startswith("kubernetes:") and not type_token.startswith("kubernetes:helm.sh/"):
        immutable += KUBERNETES_IDENTITY
    forcing = [f for f in fields if any(_overlaps(f, rule) for rule in immutable)]
    for special in SPECIAL_RULES.get(type_token, ()):
        forcing += [f for f in special(fields, before, after) if f not in forcing]
    return tuple(f for f in fields if f in forcing)


def _service_type(
    fields: Sequence[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """A Service moving to or from `ExternalName` is re-created; other type changes are not."""
    old = (before.get("spec") or {}).get("type")
    new = (after.get("spec") or {}).get("type")
    if "spec.type" in fields and "ExternalName" in (old, new):
        return ["spec.type"]
    return []


def _immutable_data(
    fields: Sequence[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """A ConfigMap or Secret marked `immutable: true` is re-created to change its data."""
    if not before.get("immutable"):
        return []
    return [f for f in fields if f.split(".")[0] in ("data", "stringData", "binaryData")]


SPECIAL_RULES: dict[
    str, tuple[Callable[[Sequence[str], Mapping[str, Any], Mapping[str, Any]], list[str]], ...]
] = {
    "kubernetes:core/v1:Service": (_service_type,),
    "kubernetes:core/v1:ConfigMap": (_immutable_data,),
    "kubernetes:core/v1:Secret": (_immutable_data,),
}
"""Replacements that depend on the values, not only on which field changed."""


def _overlaps(path: str, rule: str) -> bool:
    """`spec.selector.matchLabels.app` is inside `spec.selector`; `spec` contains it."""
    return any(
        longer == shorter or longer.startswith((f"{shorter}.", f"{shorter}["))
        for longer, shorter in ((path, rule), (rule, path))
    )
