"""`shipyard render BLUEPRINT [--out DIR] [--output text|json]`."""

from __future__ import annotations

import json
from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.models.placements import placements

TYPE_TOKEN = "shipyard:serving:VllmService"


def test_text_output_prints_the_tree(invoke) -> None:
    result = invoke(["render", "blueprints/dev.yaml"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "shipyard-dev (dev): 21 resources"
    # Parents before children, siblings by type then name.
    entries = [line.lstrip("│├└─ ") for line in lines[1:]]
    assert entries == [
        "kubernetes:core/v1:Namespace  llm-dev",
        "pulumi:providers:kubernetes  shipyard-dev-cluster",
        "shipyard:compute:RayCluster  ray",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy  ray-network-policy",
        "kubernetes:ray.io/v1:RayCluster  ray",
        "shipyard:compute:KubeRayOperator  ray-kuberay",
        "kubernetes:helm.sh/v3:Release  ray-kuberay",
        "shipyard:serving:AiGateway  ai-gateway",
        "kubernetes:apps/v1:Deployment  ai-gateway",
        "kubernetes:core/v1:ConfigMap  ai-gateway-config",
        "kubernetes:core/v1:Secret  ai-gateway-master-key",
        "kubernetes:core/v1:Service  ai-gateway",
        "kubernetes:core/v1:ServiceAccount  ai-gateway",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy  ai-gateway",
        "kubernetes:policy/v1:PodDisruptionBudget  ai-gateway",
        "random:index/randomPassword:RandomPassword  ai-gateway-master-key",
        f"{TYPE_TOKEN}  qwen-small",
        "kubernetes:apps/v1:Deployment  qwen-small",
        "kubernetes:core/v1:Service  qwen-small",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy  qwen-small",
        "kubernetes:policy/v1:PodDisruptionBudget  qwen-small",
    ]
    # The component's children are indented one level deeper than the component.
    indent = [len(line) - len(line.lstrip("│├└─ ")) for line in lines[1:]]
    assert indent[17:] == [indent[16] + 4] * 4
    assert indent[6] == indent[5] + 4 == indent[2] + 8
    assert "Traceback" not in result.output


def test_json_output_lists_every_resource_with_its_parent(invoke) -> None:
    result = invoke(["render", "blueprints/dev.yaml", "--output", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [set(row) for row in rows] == [{"type", "name", "urn", "parent"}] * 21
    [component] = [row for row in rows if row["type"] == TYPE_TOKEN]
    [deployment] = [
        row
        for row in rows
        if row["type"] == "kubernetes:apps/v1:Deployment" and row["name"] == "qwen-small"
    ]
    assert deployment["name"] == "qwen-small"
    assert deployment["parent"] == component["urn"]
    assert deployment["urn"] == (
        f"urn:pulumi:dev::shipyard::{TYPE_TOKEN}$kubernetes:apps/v1:Deployment::qwen-small"
    )
    assert rows.index(component) < rows.index(deployment)


def test_out_writes_the_objects(invoke, tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    result = invoke(["render", "blueprints/dev.yaml", "--out", str(out)])
    assert result.exit_code == 0
    assert sorted(path.name for path in out.iterdir()) == [
        ".shipyard-render",  # what this render wrote, for the next one to remove
        "configmap-llm-dev-ai-gateway-config.yaml",
        "deployment-llm-dev-ai-gateway.yaml",
        "deployment-llm-dev-qwen-small.yaml",
        "namespace-llm-dev.yaml",
        "networkpolicy-llm-dev-ai-gateway.yaml",
        "networkpolicy-llm-dev-qwen-small.yaml",
        "networkpolicy-llm-dev-ray.yaml",
        "poddisruptionbudget-llm-dev-ai-gateway.yaml",
        "poddisruptionbudget-llm-dev-qwen-small.yaml",
        "raycluster-llm-dev-ray.yaml",
        "secret-llm-dev-ai-gateway-master-key.yaml",
        "service-llm-dev-ai-gateway.yaml",
        "service-llm-dev-qwen-small.yaml",
        "serviceaccount-llm-dev-ai-gateway.yaml",
    ]
    assert result.stderr.endswith(f"wrote 14 Kubernetes object(s) to {out}\n")


def test_blueprint_outside_the_project(invoke, dev_blueprint: Path, write_blueprint) -> None:
    text = dev_blueprint.read_text().replace("qwen-small", "qwen-elsewhere")
    path = write_blueprint(text, "elsewhere.yaml")
    result = invoke(["render", str(path), "--output", "json"])
    assert result.exit_code == 0
    names = {row["name"] for row in json.loads(result.stdout) if row["type"] == TYPE_TOKEN}
    assert names == {"qwen-elsewhere"}


def test_prod_renders_every_model(invoke, prod_blueprint: Path) -> None:
    result = invoke(["render", "blueprints/prod.yaml", "--output", "json"])
    assert result.exit_code == 0
    platform = load_blueprint(prod_blueprint)
    components = [row["name"] for row in json.loads(result.stdout) if row["type"] == TYPE_TOKEN]
    # One VllmService per model, or per role with prefill/decode.
    assert components == sorted(
        placement.name
        for index, model in enumerate(platform.spec.models)
        for placement in placements(index, model)
    )


def test_invalid_blueprint_exits_1_without_traceback(
    invoke, dev_blueprint, write_blueprint, tmp_path: Path
) -> None:
    text = dev_blueprint.read_text().replace("      replicas: 1\n", "      replica: 1\n")
    path = write_blueprint(text, "broken.yaml")
    line = text.splitlines().index("      replica: 1") + 1
    out = tmp_path / "never"
    result = invoke(["render", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path} is invalid:\n"
        f"{path}:{line}:7: spec.models[0].replica: unknown field `replica`; "
        "did you mean `replicas`?\n"
    )
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_blueprint_exits_1(invoke) -> None:
    result = invoke(["render", "blueprints/missing.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: blueprints/missing.yaml is invalid:\n"
        "blueprints/missing.yaml:1:1: cannot read the file: No such file or directory\n"
    )


def test_unknown_output_format_is_a_usage_error(invoke) -> None:
    result = invoke(["render", "blueprints/dev.yaml", "--output", "yaml"])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--output' / '--format': 'yaml' is not one of 'text', 'json'."
        in result.stderr
    )


def test_out_writes_the_dashboards_and_rules_as_grafana_and_prometheus_read_them(
    invoke, tmp_path: Path
) -> None:
    """`render --out` of prod: `dashboards/*.json` valid against Grafana's schema, and
    `rules/*.yaml` passing the real `promtool check rules`."""
    import jsonschema

    from tests.monitoring_tools import dashboard_schema, promtool

    result = invoke(["render", "blueprints/prod.yaml", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        f"wrote 4 dashboard(s) to {tmp_path / 'dashboards'} and 1 rule file(s) to "
        f"{tmp_path / 'rules'}" in result.stderr
    )
    dashboards = sorted(path.name for path in (tmp_path / "dashboards").iterdir())
    assert dashboards == [
        "shipyard-prod-data.json",
        "shipyard-prod-gateway.json",
        "shipyard-prod-platform.json",
        "shipyard-prod-serving.json",
    ]
    validator = jsonschema.Draft7Validator(dashboard_schema())
    for name in dashboards:
        rendered = json.loads((tmp_path / "dashboards" / name).read_text())
        assert list(validator.iter_errors(rendered)) == [], name
    [rules] = (tmp_path / "rules").iterdir()
    assert rules.name == "llm-shipyard-alerts.yaml"
    checked = promtool("check", "rules", str(rules), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # 17 before the cache was scraped; its exporter adds CacheDown, CacheServerDown and
    # CacheRejectingConnections.
    assert "SUCCESS: 20 rules found" in checked.stdout + checked.stderr
    text = rules.read_text()
    assert all(f'"{name}"' in text for name in ("CacheServerDown", "CacheRejectingConnections"))
