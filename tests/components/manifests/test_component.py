"""`PlainManifests` under Pulumi mocks: one `yaml.v2.ConfigGroup` of the objects, each of
which the render records as the group's child."""

from __future__ import annotations

import pulumi

from components.manifests.args import PlainManifestsArgs
from components.manifests.component import TYPE_TOKEN, PlainManifests
from tests.components.pulumi_recorder import Recorder

CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "llm"},
    "data": {"colour": "blue"},
}
ROLE = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "reader"},
    "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
}


def test_one_config_group_of_every_object(monitor: Recorder) -> None:
    @pulumi.runtime.test
    def program() -> pulumi.Output[str]:
        return PlainManifests("extra", PlainManifestsArgs(objects=(CONFIG_MAP, ROLE))).group

    program()
    group = monitor.one("kubernetes:yaml/v2:ConfigGroup")
    assert group.parent is not None and TYPE_TOKEN in group.parent
    assert group.inputs["objs"] == [CONFIG_MAP, ROLE]
    children = {(r.type, r.name) for r in monitor.recorded if r.parent == group.urn}
    assert children == {
        ("kubernetes:core/v1:ConfigMap", "extra:llm/settings"),
        ("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "extra:reader"),
    }
