"""The CloudNativePG custom resources prod.yaml renders, against the operator's real CRDs
(`scripts/operator-crds cloudnative-pg`, closed to unknown fields by `crd_schemas`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from components.postgres.args import CNPG_VERSION
from shipyard.render import render_blueprint
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate
from tests.components.minio.test_render import MINIO_BLUEPRINT, render

ROOT = Path(__file__).resolve().parents[3]
NEEDED_CRDS = {
    "postgresql.cnpg.io_clusters.yaml",
    "postgresql.cnpg.io_databases.yaml",
    "postgresql.cnpg.io_scheduledbackups.yaml",
}


@pytest.fixture(scope="module")
def crd_schemas() -> Schemas:
    paths = crd_paths("cloudnative-pg")
    # The same release the component's chart installs.
    assert any(f"cloudnative-pg@v{CNPG_VERSION}/" in str(path) for path in paths)
    return load_schemas(paths, NEEDED_CRDS)


@pytest.fixture(scope="module")
def cnpg_resources() -> dict[str, dict[str, Any]]:
    resources = render_blueprint(ROOT / "blueprints" / "prod.yaml", ROOT, stack="prod")
    return {
        r.manifest()["kind"]: r.manifest()
        for r in resources
        if r.type.startswith("kubernetes:postgresql.cnpg.io/")
    }


def test_prod_renders_a_cluster_database_and_scheduled_backup(
    cnpg_resources: dict[str, dict[str, Any]],
) -> None:
    assert sorted(cnpg_resources) == ["Cluster", "Database", "ScheduledBackup"]


@pytest.mark.parametrize("kind", ["Cluster", "Database", "ScheduledBackup"])
def test_each_validates_against_the_crd(
    cnpg_resources: dict[str, dict[str, Any]], crd_schemas: Schemas, kind: str
) -> None:
    validate(cnpg_resources[kind], crd_schemas)


def test_the_crd_check_catches_mistakes(
    cnpg_resources: dict[str, dict[str, Any]], crd_schemas: Schemas
) -> None:
    cluster = copy.deepcopy(cnpg_resources["Cluster"])
    cluster["spec"]["affinity"]["enablePodAntiAfinity"] = True
    with pytest.raises(jsonschema.ValidationError, match="'enablePodAntiAfinity' was unexpected"):
        validate(cluster, crd_schemas)
    retention = copy.deepcopy(cnpg_resources["Cluster"])
    retention["spec"]["backup"]["retentionPolicy"] = "30 days"
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        validate(retention, crd_schemas)
    database = copy.deepcopy(cnpg_resources["Database"])
    database["spec"]["extensions"][0]["ensure"] = "installed"
    with pytest.raises(jsonschema.ValidationError, match="'installed' is not one of"):
        validate(database, crd_schemas)


@pytest.fixture(scope="module")
def minio_backup_resources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    resources = render(MINIO_BLUEPRINT, tmp_path_factory.mktemp("minio-backup"))
    return {
        r.manifest()["kind"]: r.manifest()
        for r in resources
        if r.type.startswith("kubernetes:postgresql.cnpg.io/")
    }


@pytest.mark.parametrize("kind", ["Cluster", "ScheduledBackup"])
def test_a_backup_to_minio_validates_against_the_crd(
    minio_backup_resources: dict[str, dict[str, Any]], crd_schemas: Schemas, kind: str
) -> None:
    validate(minio_backup_resources[kind], crd_schemas)
    store = minio_backup_resources["Cluster"]["spec"]["backup"]["barmanObjectStore"]
    assert store["endpointURL"] == "https://minio.llm.svc:9000"
    assert store["endpointCA"] == {"name": "minio-tls", "key": "ca.crt"}


def test_the_crd_check_catches_a_wrong_credentials_reference(
    minio_backup_resources: dict[str, dict[str, Any]], crd_schemas: Schemas
) -> None:
    cluster = copy.deepcopy(minio_backup_resources["Cluster"])
    credentials = cluster["spec"]["backup"]["barmanObjectStore"]["s3Credentials"]
    credentials["accessKeyId"] = {"secretName": "minio-postgres-backup-credentials"}
    with pytest.raises(jsonschema.ValidationError, match="'key' is a required property"):
        validate(cluster, crd_schemas)
