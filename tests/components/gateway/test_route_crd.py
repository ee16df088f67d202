"""The gateway's HTTPRoute against the real Gateway API CRD schema.

The CRD comes from the `sigs.k8s.io/gateway-api` Go module at the version pinned in
`scripts/operator-crds` (standard channel); see `crd_schemas` for how its schema is
closed to unknown fields.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shipyard.render import render_blueprint
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate

ROOT = Path(__file__).resolve().parents[3]
HTTP_ROUTE_CRD = "gateway.networking.k8s.io_httproutes.yaml"
# dev.yaml's gateway, published through a Gateway's HTTPS listener.
EXPOSURE = """\
    exposure:
      type: httpRoute
      host: llm.example.com
      parentRef: {name: public, namespace: gateways, sectionName: https}
"""


@pytest.fixture(scope="module")
def crd_schemas() -> Schemas:
    paths = crd_paths("gateway-api")
    assert any("/sigs.k8s.io/gateway-api@v" in str(path) for path in paths)
    assert not any("_vap_" in path.name for path in paths)  # CRDs only, no admission policy
    return load_schemas(paths, {HTTP_ROUTE_CRD})


@pytest.fixture(scope="module")
def http_route(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    text = (ROOT / "blueprints" / "dev.yaml").read_text()
    assert "        limits: {rpm: 600, tpm: 200000}\n" in text
    blueprint = tmp_path_factory.mktemp("blueprint") / "routed.yaml"
    blueprint.write_text(
        text.replace(
            "        limits: {rpm: 600, tpm: 200000}\n",
            "        limits: {rpm: 600, tpm: 200000}\n" + EXPOSURE,
        )
    )
    resources = render_blueprint(blueprint, ROOT, stack="dev")
    [route] = [r.manifest() for r in resources if r.type.endswith(":HTTPRoute")]
    return route


def test_the_route_is_the_one_the_blueprint_asks_for(http_route: dict[str, Any]) -> None:
    assert http_route["apiVersion"] == "gateway.networking.k8s.io/v1"
    spec = http_route["spec"]
    assert spec["parentRefs"] == [
        {"name": "public", "namespace": "gateways", "sectionName": "https"}
    ]
    assert spec["hostnames"] == ["llm.example.com"]
    [rule] = spec["rules"]
    # Only the OpenAI-compatible API: the admin UI and API stay unrouted by default.
    assert [m["path"] for m in rule["matches"]] == [{"type": "PathPrefix", "value": "/v1"}]
    assert rule["backendRefs"] == [{"name": "ai-gateway", "port": 4000}]


def test_the_route_validates_against_the_gateway_api_crd(
    http_route: dict[str, Any], crd_schemas: Schemas
) -> None:
    assert ("gateway.networking.k8s.io/v1", "HTTPRoute") in crd_schemas
    validate(http_route, crd_schemas)


def test_the_crd_check_catches_a_misspelt_field_and_a_bad_value(
    http_route: dict[str, Any], crd_schemas: Schemas
) -> None:
    misspelt = copy.deepcopy(http_route)
    misspelt["spec"]["parentRefs"][0]["section"] = "https"
    with pytest.raises(jsonschema.ValidationError, match=r"'section' was unexpected"):
        validate(misspelt, crd_schemas)
    wrong = copy.deepcopy(http_route)
    wrong["spec"]["rules"][0]["matches"][0]["path"]["type"] = "Prefix"
    with pytest.raises(jsonschema.ValidationError, match=r"'Prefix' is not one of"):
        validate(wrong, crd_schemas)
