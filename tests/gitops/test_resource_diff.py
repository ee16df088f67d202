"""`diff_resources`: actions, changed field paths, the replacement table, stateful flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shipyard.gitops.resource_diff import changed_fields, diff_resources, replacement_fields

PVC = "kubernetes:core/v1:PersistentVolumeClaim"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"


@dataclass(frozen=True)
class Fake:
    type: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return f"urn:pulumi:dev::shipyard::{self.type}::{self.name}"

    def manifest(self) -> dict[str, Any]:
        return self.inputs


def test_actions_are_ordered_create_update_replace_delete() -> None:
    base = [
        Fake(DEPLOYMENT, "a", {"spec": {"replicas": 1}}),
        Fake(PVC, "cache", {"spec": {"storageClassName": "efs"}}),
        Fake(SERVICE, "gone"),
    ]
    head = [
        Fake(PVC, "cache", {"spec": {"storageClassName": "gp3"}}),
        Fake(DEPLOYMENT, "a", {"spec": {"replicas": 2}}),
        Fake(SERVICE, "new"),
    ]
    changes = diff_resources(base, head)
    assert [(c.action, c.name, c.fields, c.destroys_data) for c in changes] == [
        ("create", "new", (), False),
        ("update", "a", ("spec.replicas",), False),
        ("replace", "cache", ("spec.storageClassName",), True),
        ("delete", "gone", (), False),
    ]


def test_changed_fields_recurse_into_maps_and_same_length_object_lists() -> None:
    before = {"spec": {"containers": [{"args": ["--a", "1"], "image": "x:1"}], "replicas": 1}}
    after = {"spec": {"containers": [{"args": ["--a", "2"], "image": "x:1"}], "replicas": 1}}
    assert changed_fields(before, after) == ["spec.containers[0].args"]
    assert changed_fields({"ports": [{"port": 1}]}, {"ports": [{"port": 1}, {"port": 2}]}) == [
        "ports"
    ]


def test_replacement_table() -> None:
    assert replacement_fields(DEPLOYMENT, ["spec.selector.matchLabels.app"], {}, {}) == (
        "spec.selector.matchLabels.app",
    )
    assert replacement_fields(DEPLOYMENT, ["spec.replicas"], {}, {}) == ()
    assert replacement_fields(SERVICE, ["metadata.namespace"], {}, {}) == ("metadata.namespace",)
    assert replacement_fields(PVC, ["spec.resources.requests.storage"], {}, {}) == ()
    assert replacement_fields("random:index/randomPassword:RandomPassword", ["length"], {}, {}) == (
        "length",
    )


def test_a_service_type_change_replaces_only_to_or_from_external_name() -> None:
    to_lb = ({"spec": {"type": "ClusterIP"}}, {"spec": {"type": "LoadBalancer"}})
    to_external = ({"spec": {"type": "ClusterIP"}}, {"spec": {"type": "ExternalName"}})
    assert replacement_fields(SERVICE, ["spec.type"], *to_lb) == ()
    assert replacement_fields(SERVICE, ["spec.type"], *to_external) == ("spec.type",)


def test_immutable_config_maps_are_replaced_to_change_data() -> None:
    before = {"immutable": True, "data": {"a": "1"}}
    after = {"immutable": True, "data": {"a": "2"}}
    assert replacement_fields("kubernetes:core/v1:ConfigMap", ["data.a"], before, after) == (
        "data.a",
    )
    assert replacement_fields("kubernetes:core/v1:ConfigMap", ["data.a"], {}, {}) == ()
