"""Rendered custom resources against their operators' real CRD schemas.

The CRDs come from the operators' Go modules at pinned versions
(`scripts/operator-crds`); see `crd_schemas` for how the schemas are closed to
unknown fields.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ray.serve.schema import ServeDeploySchema

from components.ray.args import KUBERAY_VERSION
from shipyard.render import render_blueprint
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate

ROOT = Path(__file__).resolve().parents[3]
# Only the kinds Shipyard renders: the full set is 4.7 MB of YAML.
NEEDED_CRDS = {"ray.io_rayclusters.yaml", "ray.io_rayservices.yaml", "keda.sh_scaledobjects.yaml"}


CUSTOM_GROUPS = ("ray.io", "keda.sh")


@pytest.fixture(scope="module")
def crd_schemas() -> Schemas:
    """(apiVersion, kind) -> the closed openAPIV3Schema of that CRD version."""
    paths = crd_paths("kuberay", "keda")
    assert any(f"ray-operator@v{KUBERAY_VERSION}/" in str(path) for path in paths)
    return load_schemas(paths, NEEDED_CRDS)


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
    crd_schemas: Schemas,
    name: str,
) -> None:
    for manifest in custom_resources[name]:
        validate(manifest, crd_schemas)


def test_the_crd_check_catches_a_misspelt_field(
    custom_resources: dict[str, list[dict[str, Any]]],
    crd_schemas: Schemas,
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
