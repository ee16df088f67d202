"""The offline render expands the test chart (`fixtures/echo`) into its objects: they are in
`render --out`, the policy pack sees inside it, a remote chart that is not here is one
opaque entry, and a cached archive expands when its digest matches."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.policy.offline import blueprint_findings
from shipyard.render import render_blueprint
from shipyard.sections.manifests.openapi import kubernetes_schema, schema_problems
from tests.sections.charts.base import BASE, ECHO, FIXTURES, ROOT, helm_path

PLATFORM = FIXTURES / "platform.yaml"
SHIPYARD = Path(sys.executable).parent / "shipyard"


@pytest.fixture
def helm(monkeypatch: pytest.MonkeyPatch) -> Path:
    path = helm_path()
    monkeypatch.setenv("SHIPYARD_HELM", str(path))
    return path


def render_out(blueprint: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHIPYARD), "render", str(blueprint), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def read(out: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((out / name).read_text())
    return loaded


def test_the_chart_and_the_manifests_are_in_render_out(helm: Path, tmp_path: Path) -> None:
    result = render_out(PLATFORM, tmp_path)
    assert result.returncode == 0, result.stderr
    files = {path.name for path in tmp_path.glob("*.yaml")}
    assert {
        "deployment-escape-echo.yaml",
        "service-escape-echo.yaml",
        "secret-escape-echo-api.yaml",
        "customresourcedefinition-widgets.tests.shipyard.dev.yaml",
        "widget-escape-first.yaml",
        "configmap-escape-widget-settings.yaml",
    } <= files
    deployment = read(tmp_path, "deployment-escape-echo.yaml")
    # The blueprint's values reached the templates: 2 replicas, the generated Secret's token.
    assert deployment["spec"]["replicas"] == 2
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "registry.example.com/shipyard-tests/echo:0.3.1@sha256:" + "e" * 64
    assert container["env"] == [
        {
            "name": "ECHO_TOKEN",
            "valueFrom": {"secretKeyRef": {"name": "echo-api", "key": "token"}},
        }
    ]
    assert deployment["metadata"]["namespace"] == "escape"
    secret = read(tmp_path, "secret-escape-echo-api.yaml")
    assert secret["stringData"] == {"token": "[secret]"}
    assert read(tmp_path, "widget-escape-first.yaml")["metadata"]["namespace"] == "escape"
    crd = read(tmp_path, "customresourcedefinition-widgets.tests.shipyard.dev.yaml")
    assert "namespace" not in crd["metadata"]


def test_the_charts_objects_are_children_of_the_chart(helm: Path) -> None:
    resources = render_blueprint(PLATFORM, ROOT, "test")
    [chart] = [r for r in resources if r.type == "kubernetes:helm.sh/v4:Chart"]
    children = {r.type: r.name for r in resources if r.parent == chart.urn}
    assert children == {
        "kubernetes:apps/v1:Deployment": "echo:escape/echo",
        "kubernetes:core/v1:Service": "echo:escape/echo",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy": "echo:escape/echo",
    }
    assert chart.note is None
    [group] = [r for r in resources if r.type == "kubernetes:yaml/v2:ConfigGroup"]
    assert sorted(r.name for r in resources if r.parent == group.urn) == [
        "escape-manifests:escape/first",
        "escape-manifests:escape/widget-settings",
        "escape-manifests:widgets.tests.shipyard.dev",
    ]


def test_the_charts_objects_validate_against_the_kubernetes_schema(helm: Path) -> None:
    schema = kubernetes_schema()
    resources = render_blueprint(PLATFORM, ROOT, "test")
    checked = 0
    for resource in resources:
        if not resource.is_kubernetes_object:
            continue
        manifest = resource.manifest()
        validator = schema.validator((manifest["apiVersion"], manifest["kind"]))
        if validator is None:
            continue
        assert list(schema_problems(validator, manifest)) == [], resource.name
        checked += 1
    assert checked >= 8


def test_the_blueprint_passes_the_policy_pack(helm: Path) -> None:
    platform = load_blueprint(PLATFORM)
    assert blueprint_findings(PLATFORM, platform, ROOT) == []


def test_policy_violations_inside_the_chart_are_reported(helm: Path, tmp_path: Path) -> None:
    text = BASE.replace("replicaCount: 2", "replicaCount: 2\n        hardened: false")
    blueprint = tmp_path / "charts.yaml"
    blueprint.write_text(text)
    platform = load_blueprint(blueprint)
    findings = blueprint_findings(blueprint, platform, ROOT)
    by_rule = {(f.policy, f.resource_name) for f in findings}
    assert ("containers-run-as-non-root", "echo:escape/echo") in by_rule
    assert ("containers-drop-all-capabilities", "echo:escape/echo") in by_rule
    assert all(f.resource_name == "echo:escape/echo" for f in findings)


REMOTE = """\
    - name: vectors
      repository: https://qdrant.github.io/qdrant-helm
      chart: qdrant
      version: 1.15.5
"""


def test_a_remote_chart_not_here_is_one_opaque_entry(
    helm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHIPYARD_CHART_CACHE", str(tmp_path / "empty-cache"))
    blueprint = tmp_path / "charts.yaml"
    blueprint.write_text(BASE + REMOTE)
    resources = render_blueprint(blueprint, ROOT, "test")
    [vectors] = [r for r in resources if r.type.endswith("v4:Chart") and r.name == "vectors"]
    assert [r for r in resources if r.parent == vectors.urn] == []
    assert vectors.note == (
        f"chart `qdrant` 1.15.5 is not here, so its objects are not shown or checked; "
        f"`helm pull` it into {tmp_path / 'empty-cache'} to see them"
    )
    assert vectors.inputs["repositoryOpts"] == {"repo": "https://qdrant.github.io/qdrant-helm"}
    result = subprocess.run(
        [str(SHIPYARD), "render", str(blueprint), "--output", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**_env(), "SHIPYARD_CHART_CACHE": str(tmp_path / "empty-cache")},
    )
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout) if "v4:Chart" in row["type"]}
    assert "is not here" in rows["vectors"]["note"]
    assert "note" not in rows["echo"]
    assert "kubernetes:helm.sh/v4:Chart vectors: chart `qdrant` 1.15.5 is not here" in (
        " ".join(result.stderr.split())
    )


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "SHIPYARD_HELM": str(helm_path())}


def _package(tmp_path: Path) -> Path:
    """The test chart as the archive `helm pull` would leave in the cache."""
    cache = tmp_path / "cache"
    cache.mkdir()
    source = tmp_path / "src" / "qdrant"
    shutil.copytree(ECHO, source)
    chart_yaml = source / "Chart.yaml"
    chart_yaml.write_text(
        chart_yaml.read_text().replace("name: echo", "name: qdrant").replace("0.3.1", "1.15.5")
    )
    subprocess.run(
        [str(helm_path()), "package", str(source), "--destination", str(cache)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return cache / "qdrant-1.15.5.tgz"


def test_a_cached_chart_expands_and_its_digest_is_checked(
    helm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _package(tmp_path)
    monkeypatch.setenv("SHIPYARD_CHART_CACHE", str(archive.parent))
    digest = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    blueprint = tmp_path / "charts.yaml"
    blueprint.write_text(BASE + REMOTE + f"      digest: {digest}\n")
    load_blueprint(blueprint)
    resources = render_blueprint(blueprint, ROOT, "test")
    [vectors] = [r for r in resources if r.type.endswith("v4:Chart") and r.name == "vectors"]
    children = sorted(r.name for r in resources if r.parent == vectors.urn)
    assert children == ["vectors:escape/vectors"] * 3
    wrong = "sha256:" + "0" * 64
    blueprint.write_text(BASE + REMOTE + f"      digest: {wrong}\n")
    with pytest.raises(BlueprintError, match=r"spec\.charts\[1\]\.digest: the cached archive"):
        load_blueprint(blueprint)


def test_a_values_change_is_planned_on_the_charts_own_objects(helm: Path, tmp_path: Path) -> None:
    """`shipyard plan` diffs two renders: a chart's changed value shows as a change of the
    Deployment it templates, not of an opaque release."""
    from shipyard.gitops.resource_diff import diff_resources

    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(BASE)
    after.write_text(BASE.replace("replicaCount: 2", "replicaCount: 3"))
    changes = diff_resources(
        render_blueprint(before, ROOT, "test"), render_blueprint(after, ROOT, "test")
    )
    assert [(c.action, c.type, c.name, c.fields) for c in changes if c.action != "same"] == [
        ("update", "kubernetes:apps/v1:Deployment", "echo:escape/echo", ("spec.replicas",)),
        ("update", "kubernetes:helm.sh/v4:Chart", "echo", ("values.replicaCount",)),
    ]


def test_a_chart_in_another_namespace_gets_it_restricted(helm: Path, tmp_path: Path) -> None:
    blueprint = tmp_path / "charts.yaml"
    blueprint.write_text(
        BASE.replace("      version: 0.3.1\n", "      version: 0.3.1\n      namespace: echo-ns\n")
    )
    resources = render_blueprint(blueprint, ROOT, "test")
    [namespace] = [
        r
        for r in resources
        if r.type == "kubernetes:core/v1:Namespace" and r.name.endswith("echo-ns")
    ]
    assert (
        namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    )
    [component] = [r for r in resources if r.type == "shipyard:charts:PinnedChart"]
    assert namespace.urn in component.dependencies
    [chart] = [r for r in resources if r.type == "kubernetes:helm.sh/v4:Chart"]
    deployment = next(
        r for r in resources if r.parent == chart.urn and r.type.endswith("Deployment")
    )
    assert deployment.manifest()["metadata"]["namespace"] == "echo-ns"
    secret = next(r for r in resources if r.type == "kubernetes:core/v1:Secret")
    assert secret.manifest()["metadata"]["namespace"] == "echo-ns"
