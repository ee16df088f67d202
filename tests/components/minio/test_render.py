"""A whole blueprint with a MinIO object store and Postgres backing up to it, rendered
offline through the real stack program: what the cluster would get, that no generated
credential appears in it, and the cert-manager Certificate against its real CRD."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import pulumi
import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from shipyard.blueprint import load_blueprint
from shipyard.policy.offline import blueprint_estimate
from shipyard.policy.rules import rules_with_estimate
from shipyard.policy.runner import evaluate, resources_from_render
from shipyard.program import BLUEPRINT_KEY, CONFIG_NAMESPACE
from shipyard.render import (
    PROJECT,
    RecordingMonitor,
    RenderedResource,
    _run_file,
    install_monitor,
)
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate
from tests.components.pulumi_recorder import PASSWORD, DistinctPasswords

ROOT = Path(__file__).resolve().parents[3]

MINIO_BLUEPRINT = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-minio, environment: dev}
spec:
  cluster: {kind: local, context: kind-shipyard}
  namespace: llm
  objectStore:
    provider: minio
    servers: 4
    drivesPerServer: 2
    storage: {size: 100Gi, storageClass: standard}
    tls:
      certManagerIssuer: {name: shipyard-ca, kind: ClusterIssuer}
    buckets:
      - name: pg-backups
        versioning: true
      - name: audit-logs
        objectLock: true
        retention: {mode: compliance, days: 365}
      - name: datasets
        versioning: true
    consumers:
      - name: trainer
        podLabels: {app.kubernetes.io/name: trainer}
        buckets: [datasets]
        access: readonly
  postgres:
    storage: {size: 20Gi}
    backup:
      bucket: pg-backups
"""


def render(text: str, tmp_path: Path) -> list[RenderedResource]:
    """`shipyard render`'s run of the stack program, with `DistinctPasswords` mocks."""
    blueprint = tmp_path / "minio.yaml"
    blueprint.write_text(text, encoding="utf-8")
    monitor = RecordingMonitor(DistinctPasswords("Generated{}Password"))
    install_monitor(monitor, PROJECT, "dev")
    pulumi.runtime.set_all_config({f"{CONFIG_NAMESPACE}:{BLUEPRINT_KEY}": str(blueprint)}, [])
    try:
        _sync_await(run_pulumi_func(lambda: _run_file(ROOT / "stacks" / "__main__.py")))
    finally:
        pulumi_settings.ROOT.set(None)
    return list(monitor.recorded)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedResource]:
    return render(MINIO_BLUEPRINT, tmp_path_factory.mktemp("minio"))


def objects(rendered: list[RenderedResource], kind: str) -> dict[str, dict[str, Any]]:
    return {
        r.manifest()["metadata"]["name"]: r.manifest()
        for r in rendered
        if r.is_kubernetes_object and r.manifest()["kind"] == kind
    }


def test_minio_comes_before_postgres_which_waits_for_it(rendered: list[RenderedResource]) -> None:
    types = [r.type for r in rendered]
    assert types.index("shipyard:data:Minio") < types.index("shipyard:data:Postgres")
    postgres = next(r for r in rendered if r.type == "shipyard:data:Postgres")
    # Depending on the component means depending on its children: the user's Secret and
    # the setup Job that created the user.
    for child in ("kubernetes:batch/v1:Job", "kubernetes:core/v1:Secret"):
        minio = next(r for r in rendered if r.type == child and "Minio$" in r.urn)
        assert minio.urn in postgres.dependencies


def test_no_generated_credential_is_in_any_rendered_object(
    rendered: list[RenderedResource],
) -> None:
    passwords = [r for r in rendered if r.type == PASSWORD]
    assert sorted(p.name for p in passwords) == [
        "minio-postgres-backup-secret-key",
        "minio-root-password",
        "minio-root-user",
        "minio-trainer-secret-key",
        "postgres-owner-password",
    ]
    values = [f"Generated{p.name}Password".replace("-", "") for p in passwords]
    written = json.dumps([r.manifest() for r in rendered if r.is_kubernetes_object])
    assert values and all(value not in written for value in values)
    # The Secrets carry them as Pulumi secrets, which render masks.
    secret = objects(rendered, "Secret")["minio-root-credentials"]
    assert secret["stringData"] == {
        "MINIO_ROOT_USER": "[secret]",
        "MINIO_ROOT_PASSWORD": "[secret]",
    }
    assert "minio123" not in written and "minioadmin" not in written


def test_the_postgres_backup_uses_minio_over_https_with_its_user_and_ca(
    rendered: list[RenderedResource],
) -> None:
    cluster = objects(rendered, "Cluster")["postgres"]
    assert cluster["spec"]["backup"]["barmanObjectStore"] == {
        "destinationPath": "s3://pg-backups/postgres/postgres",
        "endpointURL": "https://minio.llm.svc:9000",
        "endpointCA": {"name": "minio-tls", "key": "ca.crt"},
        "s3Credentials": {
            "accessKeyId": {
                "name": "minio-postgres-backup-credentials",
                "key": "AWS_ACCESS_KEY_ID",
            },
            "secretAccessKey": {
                "name": "minio-postgres-backup-credentials",
                "key": "AWS_SECRET_ACCESS_KEY",
            },
        },
        "data": {"compression": "gzip"},
        "wal": {"compression": "gzip"},
    }
    assert "serviceAccountTemplate" not in cluster["spec"]
    # The database's pods are admitted on the S3 port, and its user may use only its bucket.
    [rule] = objects(rendered, "NetworkPolicy")["minio"]["spec"]["ingress"]
    assert {"podSelector": {"matchLabels": {"cnpg.io/cluster": "postgres"}}} in rule["from"]
    [job] = objects(rendered, "Job").values()
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][2]
    assert '"Resource": ["arn:aws:s3:::pg-backups"]' in script
    assert 'mc admin user add store postgres-backup "$USER_1_SECRET_KEY"' in script
    assert "mc retention set --default COMPLIANCE 365d store/audit-logs" in script


def test_every_workload_is_pinned_and_requests_resources(
    rendered: list[RenderedResource],
) -> None:
    [server] = objects(rendered, "StatefulSet").values()
    [job] = objects(rendered, "Job").values()
    for pod in (server["spec"]["template"]["spec"], job["spec"]["template"]["spec"]):
        [container] = pod["containers"]
        assert ":RELEASE.2025-0" in container["image"]
        assert set(container["resources"]["requests"]) == {"cpu", "memory"}
        assert pod["securityContext"]["runAsNonRoot"] is True


@pytest.fixture(scope="module")
def cert_manager_schemas() -> Schemas:
    paths = crd_paths("cert-manager")
    assert any("cert-manager@v1.19.1/" in str(path) for path in paths)
    return load_schemas(paths, {"cert-manager.io_certificates.yaml"})


def test_the_certificate_validates_against_cert_managers_crd(
    rendered: list[RenderedResource], cert_manager_schemas: Schemas
) -> None:
    certificate = objects(rendered, "Certificate")["minio"]
    validate(certificate, cert_manager_schemas)
    wrong = copy.deepcopy(certificate)
    wrong["spec"]["issuerRef"]["kind"] = ["ClusterIssuer"]
    with pytest.raises(jsonschema.ValidationError, match="is not of type 'string'"):
        validate(wrong, cert_manager_schemas)
    typo = copy.deepcopy(certificate)
    typo["spec"]["dnsName"] = typo["spec"].pop("dnsNames")
    with pytest.raises(jsonschema.ValidationError, match="'dnsName' was unexpected"):
        validate(typo, cert_manager_schemas)


def test_built_in_objects_validate_against_the_kubernetes_schema(
    rendered: list[RenderedResource],
) -> None:
    version = kubernetes_validate.utils.latest_version()
    kinds = ("StatefulSet", "Job", "Service", "Secret", "NetworkPolicy", "PodDisruptionBudget")
    checked = [
        r.manifest() for r in rendered if r.is_kubernetes_object and r.manifest()["kind"] in kinds
    ]
    # With the Postgres Secret and NetworkPolicy, and the setup Job's NetworkPolicy.
    assert len(checked) == 12
    for manifest in checked:
        kubernetes_validate.validate(manifest, version, strict=True)


def test_the_policy_pack_passes(rendered: list[RenderedResource], tmp_path: Path) -> None:
    blueprint = tmp_path / "minio.yaml"
    blueprint.write_text(MINIO_BLUEPRINT, encoding="utf-8")
    platform = load_blueprint(blueprint)
    findings = evaluate(
        resources_from_render(rendered),
        None,
        rules_with_estimate(blueprint_estimate(platform)),
        stack="dev",
    )
    assert [f for f in findings if f.mandatory] == []
