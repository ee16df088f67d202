"""`create_object`: a rendered manifest becomes the typed class, or a CustomResource."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.shared.k8s_objects import create_object
from tests.components.pulumi_recorder import Recorder

METADATA = {"name": "web", "namespace": "llm"}


def create(manifest: dict[str, Any]) -> None:
    @pulumi.runtime.test
    def program() -> pulumi.Output[str]:
        return create_object("web", manifest, pulumi.ResourceOptions()).urn

    program()


def test_a_built_in_kind_gets_its_typed_class(monitor: Recorder) -> None:
    create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": METADATA, "data": {"a": "b"}})
    [created] = monitor.recorded
    assert (created.type, created.name) == ("kubernetes:core/v1:ConfigMap", "web")
    assert created.inputs == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": METADATA,
        "data": {"a": "b"},
    }


def test_a_crd_kind_is_a_custom_resource(monitor: Recorder) -> None:
    spec = {"scaleTargetRef": {"name": "web"}}
    create(
        {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": METADATA,
            "spec": spec,
        }
    )
    [created] = monitor.recorded
    assert created.type == "kubernetes:keda.sh/v1alpha1:ScaledObject"
    assert created.inputs == {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": METADATA,
        "spec": spec,
    }


def test_a_core_kind_without_a_typed_class_is_refused(monitor: Recorder) -> None:
    with pytest.raises(ValueError, match=r"^core kind Pod has no typed class: add it"):
        create_object("web", {"apiVersion": "v1", "kind": "Pod"}, pulumi.ResourceOptions())
    assert monitor.recorded == []


def test_a_field_it_would_drop_is_refused(monitor: Recorder) -> None:
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": METADATA, "stringData": {}}
    with pytest.raises(ValueError, match=r"^Secret manifest has fields \['stringData'\] not in"):
        create_object("web", manifest, pulumi.ResourceOptions())
    assert monitor.recorded == []
