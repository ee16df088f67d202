"""Rendered custom resources against their operators' real CRD schemas.

The CRDs come from the operators' Go modules at pinned versions
(`scripts/operator-crds`), downloaded once into the Go module cache; they are
never committed. The API server prunes unknown fields instead of rejecting
them, so these checks close every object schema (`additionalProperties: false`)
to catch a misspelt field that would otherwise vanish silently.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from ray.serve.schema import ServeDeploySchema

from components.ray_cluster_args import KUBERAY_VERSION
from shipyard.render import render_blueprint

ROOT = Path(__file__).resolve().parents[2]
OPERATOR_CRDS = ROOT / "scripts" / "operator-crds"
# Only the kinds Shipyard renders: the full set is 4.7 MB of YAML.
NEEDED_CRDS = {"ray.io_rayclusters.yaml", "ray.io_rayservices.yaml", "keda.sh_scaledobjects.yaml"}


CUSTOM_GROUPS = ("ray.io", "keda.sh")


def closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to others."""
    if isinstance(schema, dict):
        result = {key: closed(value) for key, value in schema.items()}
        if (
            "properties" in result
            and "additionalProperties" not in result
            and not result.get("x-kubernetes-preserve-unknown-fields")
        ):
            result["additionalProperties"] = False
        return result
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the closed openAPIV3Schema of that CRD version."""
    result = subprocess.run(
        [str(OPERATOR_CRDS), "kuberay", "keda"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert any(f"ray-operator@v{KUBERAY_VERSION}/" in str(path) for path in paths)
    schemas = {}
    for path in paths:
        if path.name not in NEEDED_CRDS:
            continue
        for crd in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                schema = version["schema"]["openAPIV3Schema"]
                schemas[(f"{group}/{version['name']}", kind)] = closed(schema)
    return schemas


@pytest.fixture(scope="module")
def custom_resources() -> dict[str, list[dict[str, Any]]]:
    """Every custom resource of dev.yaml and prod.yaml, rendered offline."""
    rendered = {}
    for name in ("dev", "prod"):
        resources = render_blueprint(ROOT / "blueprints" / f"{name}.yaml", ROOT, stack=name)
        rendered[name] = [
            r.manifest()
            for r in resources
            if r.is_kubernetes_object and r.type.split(":")[1].split("/")[0] in CUSTOM_GROUPS
        ]
    return rendered


def validate(manifest: dict[str, Any], schemas: dict[tuple[str, str], dict[str, Any]]) -> None:
    schema = schemas[(manifest["apiVersion"], manifest["kind"])]
    jsonschema.validate(manifest, schema)


def test_the_blueprints_render_the_expected_custom_resources(
    custom_resources: dict[str, list[dict[str, Any]]],
) -> None:
    assert [m["kind"] for m in custom_resources["dev"]] == ["RayCluster"]
    assert sorted(m["kind"] for m in custom_resources["prod"]) == [
        "RayService",
        "ScaledObject",
    ]


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_custom_resources_validate_against_the_operator_crds(
    custom_resources: dict[str, list[dict[str, Any]]],
    crd_schemas: dict[tuple[str, str], dict[str, Any]],
    name: str,
) -> None:
    for manifest in custom_resources[name]:
        validate(manifest, crd_schemas)


def test_the_crd_check_catches_a_misspelt_field(
    custom_resources: dict[str, list[dict[str, Any]]],
    crd_schemas: dict[tuple[str, str], dict[str, Any]],
) -> None:
    [cluster] = custom_resources["dev"]
    broken = copy.deepcopy(cluster)
    broken["spec"]["workerGroupSpecs"][0]["maxReplica"] = 3
    with pytest.raises(jsonschema.ValidationError, match=r"'maxReplica' was unexpected"):
        validate(broken, crd_schemas)
    wrong = copy.deepcopy(cluster)
    wrong["spec"]["autoscalerOptions"]["version"] = "v3"
    with pytest.raises(jsonschema.ValidationError, match=r"'v3' is not one of \['v1', 'v2'\]"):
        validate(wrong, crd_schemas)


def test_the_serve_config_passes_ray_serves_own_schema(
    custom_resources: dict[str, list[dict[str, Any]]],
) -> None:
    [service] = [m for m in custom_resources["prod"] if m["kind"] == "RayService"]
    config = json.loads(service["spec"]["serveConfigV2"])
    parsed = ServeDeploySchema.parse_obj(config)
    assert [app.name for app in parsed.applications] == ["embeddings"]
    assert parsed.applications[0].import_path == "serving.embeddings:app"
    assert parsed.http_options.port == 8000
    broken = {**config, "applications": [{**config["applications"][0], "import_path": "x"}]}
    with pytest.raises(ValueError, match="invalid import path"):
        ServeDeploySchema.parse_obj(broken)
