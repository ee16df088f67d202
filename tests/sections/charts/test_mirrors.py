"""`spec.chartMirrors`: every chart Shipyard creates is fetched from the mirror of its
repository, the operators' Helm releases and `spec.charts` alike (air-gapped teams)."""

from __future__ import annotations

from pathlib import Path

from shipyard.render import render_blueprint
from shipyard.sections.charts.mirrors import mirrored
from tests.sections.charts.base import ROOT

BLUEPRINT = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: airgap, environment: test}
spec:
  cluster: {kind: local}
  chartMirrors:
    https://cloudnative-pg.github.io/charts: https://charts.internal.example.com/cnpg
    https://qdrant.github.io/qdrant-helm/: https://charts.internal.example.com/qdrant
  postgres:
    instances: 1
    storage: {size: 10Gi}
    database: app
    owner: app
  charts:
    - name: qdrant
      repository: https://qdrant.github.io/qdrant-helm
      version: 1.14.0
    - name: etcd
      repository: oci://registry-1.docker.io/bitnamicharts
      version: 10.2.12
      mirror: oci://registry.internal.example.com/bitnamicharts
"""


def test_mirrored_ignores_a_trailing_slash() -> None:
    mirrors = {"https://a.example.com/charts/": "https://mirror.example.com/a"}
    assert mirrored(mirrors, "https://a.example.com/charts") == "https://mirror.example.com/a"
    assert mirrored(mirrors, "https://b.example.com") == "https://b.example.com"


def test_the_operators_and_the_charts_come_from_the_mirrors(tmp_path: Path) -> None:
    blueprint = tmp_path / "airgap.yaml"
    blueprint.write_text(BLUEPRINT)
    resources = {(r.type, r.name): r for r in render_blueprint(blueprint, ROOT, "test")}
    cnpg = resources[("kubernetes:helm.sh/v3:Release", "postgres-cnpg")]
    assert cnpg.inputs["repositoryOpts"] == {"repo": "https://charts.internal.example.com/cnpg"}
    qdrant = resources[("kubernetes:helm.sh/v4:Chart", "qdrant")]
    assert qdrant.inputs["repositoryOpts"] == {"repo": "https://charts.internal.example.com/qdrant"}
    etcd = resources[("kubernetes:helm.sh/v4:Chart", "etcd")]
    assert etcd.inputs["chart"] == "oci://registry.internal.example.com/bitnamicharts/etcd"
    assert "repositoryOpts" not in etcd.inputs
