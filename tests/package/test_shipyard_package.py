"""package/: Shipyard's components as a Pulumi package (PulumiPlugin.yaml and the Python
component provider host).

The schema is inferred by the Pulumi SDK's own analyzer, the code `component_provider_host`
runs when the CLI starts the plugin; the package resource builds the real component.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.provider.experimental.component import ComponentProvider
from pydantic import ValidationError

from components.ray.args import KUBERAY_VERSION
from tests.components.pulumi_recorder import Recorder, UnitMocks, recording_monitor

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "package"
TOKEN = "shipyard:index:KubeRayOperator"


@pytest.fixture(scope="module")
def package_module() -> Iterator[Any]:
    sys.path.insert(0, str(PACKAGE))
    try:
        import shipyard_package

        yield shipyard_package
    finally:
        sys.path.remove(str(PACKAGE))


@pytest.fixture
def monitor() -> Iterator[Recorder]:
    yield from recording_monitor(UnitMocks())


def test_the_plugin_runs_python_in_the_project_virtualenv() -> None:
    plugin = yaml.safe_load((PACKAGE / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    venv = plugin["runtime"]["options"]["virtualenv"]
    assert (PACKAGE / venv).resolve() == ROOT / ".venv"
    main = (PACKAGE / "__main__.py").read_text()
    assert 'component_provider_host(name="shipyard", components=[KubeRayOperator])' in main


def test_the_schema_describes_the_operator_component(package_module: Any) -> None:
    provider = ComponentProvider([package_module.KubeRayOperator], "shipyard", None, "0.1.0")
    schema = json.loads(provider.schema)
    assert (schema["name"], schema["version"]) == ("shipyard", "0.1.0")
    assert list(schema["resources"]) == [TOKEN]
    resource = schema["resources"][TOKEN]
    assert resource["isComponent"] is True
    assert set(resource["inputProperties"]) == {"namespace", "chartVersion", "chartPath"}
    assert resource["requiredInputs"] == ["namespace"]
    assert resource["inputProperties"]["chartPath"]["type"] == "string"
    assert resource["properties"] == {
        "releaseName": {"description": "The Helm release's name.", "type": "string"},
        "chartVersion": {"description": "The chart version installed.", "type": "string"},
    }
    assert schema["dependencies"] == []


def test_the_package_resource_builds_the_real_component(
    package_module: Any, monitor: Recorder
) -> None:
    outputs: dict[str, str] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        operator = package_module.KubeRayOperator(
            "ray-kuberay", {"namespace": "llm", "chart_path": "/srv/charts/kuberay-operator"}
        )
        return pulumi.Output.all(operator.release_name, operator.chart_version).apply(
            lambda values: outputs.update(release=values[0], version=values[1])
        )

    program()
    assert outputs == {"release": "ray-kuberay", "version": KUBERAY_VERSION}
    package = monitor.one(TOKEN)
    inner = monitor.one("shipyard:compute:KubeRayOperator")
    release = monitor.one("kubernetes:helm.sh/v3:Release")
    assert inner.parent == package.urn and release.parent == inner.urn
    assert release.inputs["chart"] == "/srv/charts/kuberay-operator"
    assert release.inputs["namespace"] == "llm"


def test_bad_arguments_fail_with_the_components_own_message(package_module: Any) -> None:
    with pytest.raises(ValidationError, match=r"chart_path\n  String should match pattern '\^/'"):
        package_module.KubeRayOperator("ray-kuberay", {"namespace": "llm", "chart_path": "rel"})
