"""`spec.postgres`: every problem with FILE:LINE:COL and its field, and the component
arguments it becomes."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.postgres.args import PostgresBackup, VectorStore
from shipyard.blueprint import load_blueprint
from shipyard.sections.postgres.args import postgres_args
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "pg.yaml"

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-eks, environment: prod}
spec:
  cluster:
    kind: eks
    region: us-east-1
  namespace: llm
  objectStore:
    provider: s3
    bucket: acme-llm-models
    consumers:
      - name: pg
  postgres:
    name: pg
    instances: 2
    storage: {size: 20Gi, storageClass: gp3}
    backup:
      bucket: acme-llm-models
    consumers:
      - podLabels: {app.kubernetes.io/name: rag-api}
    vectorStores:
      - table: documents
        dimension: 768
      - {table: faq, dimension: 384, distance: l2, m: 8, efConstruction: 16}
"""


at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_base_becomes_postgres_args(tmp_path: Path) -> None:
    args = postgres_args(load(tmp_path, BASE))
    assert args is not None
    assert (args.namespace, args.database, args.owner, args.instances) == ("llm", "app", "app", 2)
    assert (args.storage_size, args.storage_class) == ("20Gi", "gp3")
    assert (args.install_operator, args.allow_data_loss) == (True, False)
    assert args.backup == PostgresBackup(
        destination_path="s3://acme-llm-models/postgres/pg",
        retention="30d",
        schedule="0 0 3 * * *",
    )
    assert args.vector_stores == (
        VectorStore(table="documents", dimension=768),
        VectorStore(table="faq", dimension=384, distance="l2", m=8, ef_construction=16),
    )
    assert args.consumer_pod_labels == ({"app.kubernetes.io/name": "rag-api"},)


def test_prod_admits_the_gateway_and_backs_up_to_its_bucket() -> None:
    root = Path(__file__).resolve().parents[3]
    args = postgres_args(load_blueprint(root / "blueprints" / "prod.yaml"))
    assert args is not None
    # With a gateway, its pods are admitted without being listed.
    assert args.consumer_pod_labels == (
        {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "ai-gateway"},
    )
    assert args.backup is not None
    assert args.backup.destination_path == "s3://acme-shipyard-prod-models/postgres/postgres"
    assert [(s.table, s.dimension, s.distance) for s in args.vector_stores] == [
        ("documents", 1024, "cosine")
    ]


def test_a_dimension_of_zero(tmp_path: Path) -> None:
    text = BASE.replace("dimension: 768", "dimension: 0")
    assert problems(tmp_path, text) == [
        f"{at(text, 'dimension: 0')}: spec.postgres.vectorStores[0].dimension: "
        "dimension must be at least 1, got 0"
    ]


def test_a_dimension_past_the_hnsw_limit(tmp_path: Path) -> None:
    text = BASE.replace("dimension: 768", "dimension: 2001")
    assert problems(tmp_path, text) == [
        f"{at(text, 'dimension: 2001')}: spec.postgres.vectorStores[0].dimension: "
        "pgvector's HNSW index takes `vector` columns of at most 2000 dimensions, got 2001; "
        "reduce the embedding dimension"
    ]


def test_a_backup_to_an_undeclared_bucket(tmp_path: Path) -> None:
    text = BASE.replace("      bucket: acme-llm-models\n", "      bucket: other-bucket\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: other-bucket')}: spec.postgres.backup.bucket: no object store "
        "declares bucket `other-bucket`; declare it in `spec.objectStore` or back up to a "
        "declared one (declared: `acme-llm-models`)"
    ]


def test_a_backup_without_any_object_store(tmp_path: Path) -> None:
    start, end = BASE.index("  objectStore:"), BASE.index("  postgres:")
    text = BASE[:start] + BASE[end:]
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: acme-llm-models')}: spec.postgres.backup.bucket: no object store "
        "declares bucket `acme-llm-models`; declare it in `spec.objectStore` or back up to a "
        "declared one (declared: none)"
    ]


def test_a_backup_needs_the_instances_among_the_bucket_consumers(tmp_path: Path) -> None:
    text = BASE.replace("      - name: pg\n", "      - name: model-loader\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: acme-llm-models', 1)}: spec.postgres.backup.bucket: the instances "
        "write backups as service account `llm/pg`, which is not among "
        "`spec.objectStore.consumers`; add `{name: pg}` there"
    ]


def test_a_storage_size_that_is_not_a_quantity(tmp_path: Path) -> None:
    text = BASE.replace("size: 20Gi", "size: 20 gigs")
    assert problems(tmp_path, text) == [
        f"{at(text, 'size: 20 gigs')}: spec.postgres.storage.size: `20 gigs` is not a storage "
        "quantity; use a whole number of Mi, Gi or Ti, e.g. `20Gi`"
    ]


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = (
        BASE.replace("dimension: 768", "dimension: 768\n        m: 64")
        .replace("table: faq", "table: Faq")
        .replace(
            "      bucket: acme-llm-models\n",
            "      bucket: acme-llm-models\n      retention: 1y\n      schedule: '0 3 * * *'\n",
        )
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'retention: 1y')}: spec.postgres.backup.retention: `1y` is not a retention "
        "policy; use a number and d, w or m, e.g. `30d`",
        f"{at(text, 'schedule:')}: spec.postgres.backup.schedule: `0 3 * * *` is not a "
        "CloudNativePG schedule; use six fields, seconds first, e.g. `0 0 3 * * *`",
        # `efConstruction` is not written, so the finding points at its store.
        f"{at(text, 'table: documents')}: spec.postgres.vectorStores[0].efConstruction: "
        "`efConstruction` must be at least 2 x `m` (128), got 64",
        f"{at(text, 'table: Faq')}: spec.postgres.vectorStores[1].table: table `Faq` is not a "
        "valid identifier; use 1 to 63 lowercase letters, digits and `_`, starting with a "
        "letter or `_`",
    ]


def test_an_unknown_key_is_a_typo(tmp_path: Path) -> None:
    text = BASE.replace("instances: 2", "instance: 2")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'instance: 2')}: spec.postgres.instance: unknown field")
    assert "did you mean `instances`?" in problem


MINIO = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-dev, environment: dev}
spec:
  cluster: {kind: local, context: kind-shipyard}
  namespace: llm
  objectStore:
    provider: minio
    storage: {size: 100Gi}
    tls: {secretName: minio-tls}
    buckets:
      - name: pg-backups
  postgres:
    name: pg
    storage: {size: 20Gi}
    backup:
      bucket: pg-backups
      path: nightly/
"""


def test_a_backup_to_minio_uses_its_endpoint_and_generated_user(tmp_path: Path) -> None:
    args = postgres_args(load(tmp_path, MINIO))
    assert args is not None and args.backup is not None
    assert args.backup == PostgresBackup(
        destination_path="s3://pg-backups/nightly",
        endpoint_url="https://minio.llm.svc:9000",
        credentials_secret="minio-pg-backup-credentials",
        # A given TLS Secret: its certificate must chain to a CA the instances trust.
        endpoint_ca_secret=None,
    )


def test_a_backup_to_an_undeclared_minio_bucket(tmp_path: Path) -> None:
    text = MINIO.replace("      bucket: pg-backups\n", "      bucket: pg-backup\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: pg-backup')}: spec.postgres.backup.bucket: no object store declares "
        "bucket `pg-backup` (did you mean `pg-backups`?); declare it in `spec.objectStore` or "
        "back up to a declared one (declared: `pg-backups`)"
    ]
