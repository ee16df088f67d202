"""`spec.objectStore` with `provider: s3`: every problem with FILE:LINE:COL and its field,
and the component arguments it becomes."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.minio.args import Bucket, BucketRetention, IssuerRef, MinioTls, ServiceUser
from components.s3.args import ServiceAccount
from shipyard.sections.object_store.args import minio_args, s3_bucket_args
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "store.yaml"

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-eks, environment: prod, labels: {team: llm}}
spec:
  cluster:
    kind: eks
    region: us-east-1
  namespace: llm
  objectStore:
    provider: s3
    bucket: acme-llm-models
    consumers:
      - name: model-loader
      - {namespace: batch, name: trainer}
"""


at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_base_becomes_bucket_args_with_namespaces_filled_in(tmp_path: Path) -> None:
    args = s3_bucket_args(load(tmp_path, BASE))
    assert args is not None
    assert (args.bucket, args.encryption, args.kms_key_arn, args.allow_data_loss) == (
        "acme-llm-models",
        "aws:kms",
        None,
        False,
    )
    assert args.consumers == (
        ServiceAccount(namespace="llm", name="model-loader"),
        ServiceAccount(namespace="batch", name="trainer"),
    )
    assert args.tags == {"team": "llm"}


def test_s3_needs_an_eks_cluster(tmp_path: Path) -> None:
    text = BASE.replace("    kind: eks\n    region: us-east-1\n", "    kind: local\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'provider: s3')}: spec.objectStore.provider: `provider: s3` needs "
        "`cluster.kind: eks`: its consumers reach the bucket through the cluster's IRSA "
        "provider; use an EKS cluster"
    ]


def test_an_unknown_provider_names_the_choices(tmp_path: Path) -> None:
    text = BASE.replace("provider: s3", "provider: gcs")
    assert problems(tmp_path, text) == [
        f"{at(text, 'provider: gcs')}: spec.objectStore.provider: unknown provider `gcs`; "
        "use one of 's3', 'minio'"
    ]


def test_a_bad_bucket_name_points_at_the_bucket(tmp_path: Path) -> None:
    text = BASE.replace("bucket: acme-llm-models", "bucket: Acme_Models")
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: Acme')}: spec.objectStore.bucket: 'Acme_Models' is not a valid S3 "
        "bucket name: use lowercase letters, digits, '.' and '-', starting and ending with a "
        "letter or digit"
    ]


def test_a_typo_in_the_section_suggests_the_field(tmp_path: Path) -> None:
    text = BASE.replace("    consumers:", "    allowDataLos: true\n    consumers:")
    assert problems(tmp_path, text) == [
        f"{at(text, 'allowDataLos')}: spec.objectStore.allowDataLos: unknown field "
        "`allowDataLos`; did you mean `allowDataLoss`?"
    ]


def test_kms_key_needs_kms_encryption(tmp_path: Path) -> None:
    text = BASE.replace(
        "    consumers:",
        "    encryption: AES256\n    kmsKeyArn: arn:aws:kms:us-east-1:1:key/x\n    consumers:",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'kmsKeyArn')}: spec.objectStore.kmsKeyArn: `kmsKeyArn` needs "
        "`encryption: aws:kms`; remove it or change `encryption`"
    ]


def test_a_consumer_listed_twice(tmp_path: Path) -> None:
    text = BASE.replace(
        "      - {namespace: batch, name: trainer}\n",
        "      - {namespace: llm, name: model-loader}\n",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, '{namespace: llm')}: spec.objectStore.consumers[1]: service account "
        "`llm/model-loader` is listed twice; remove one"
    ]


MINIO = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-dev, environment: dev}
spec:
  cluster: {kind: local, context: kind-shipyard}
  namespace: llm
  objectStore:
    provider: minio
    servers: 4
    storage: {size: 100Gi}
    tls:
      certManagerIssuer: {name: shipyard-ca}
    buckets:
      - name: pg-backups
        versioning: true
      - name: audit-logs
        objectLock: true
        retention: {days: 30}
    consumers:
      - name: trainer
        podLabels: {app.kubernetes.io/name: trainer}
        buckets: [pg-backups]
  postgres:
    name: pg
    storage: {size: 20Gi}
    backup:
      bucket: pg-backups
"""


def test_minio_becomes_minio_args_with_a_user_for_the_backups(tmp_path: Path) -> None:
    args = minio_args(load(tmp_path, MINIO))
    assert args is not None
    assert (args.namespace, args.servers, args.drives_per_server) == ("llm", 4, 1)
    assert (args.storage_size, args.storage_class, args.allow_data_loss) == ("100Gi", None, False)
    assert args.tls == MinioTls(issuer=IssuerRef(name="shipyard-ca", kind="ClusterIssuer"))
    assert args.buckets == (
        Bucket(name="pg-backups", versioning=True),
        # Object lock turns versioning on.
        Bucket(
            name="audit-logs",
            versioning=True,
            object_lock=True,
            retention=BucketRetention(mode="governance", days=30),
        ),
    )
    assert args.users == (
        ServiceUser(
            name="trainer",
            buckets=("pg-backups",),
            pod_labels={"app.kubernetes.io/name": "trainer"},
        ),
        ServiceUser(
            name="pg-backup", buckets=("pg-backups",), pod_labels={"cnpg.io/cluster": "pg"}
        ),
    )
    assert s3_bucket_args(load(tmp_path, MINIO)) is None


def test_minio_volumes_are_priced_and_s3_is_not_assumed(tmp_path: Path) -> None:
    # Imported here: `shipyard.cost` first would enter the blueprint package mid-import.
    from shipyard.cost import data_volumes, estimate_platform

    platform = load(tmp_path, MINIO)
    assert ("minio", 4, 100.0) in data_volumes(platform)
    estimate = estimate_platform(platform)
    [volumes] = [item for item in estimate.items if item.name == "data volumes"]
    assert "minio 4 x 100 GiB" in volumes.detail
    assert not any("S3" in assumption for assumption in estimate.assumptions)


def test_a_bad_minio_bucket_name(tmp_path: Path) -> None:
    text = MINIO.replace("name: audit-logs", "name: Audit_Logs")
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: Audit_Logs')}: spec.objectStore.buckets[1].name: `Audit_Logs` is not "
        "a valid bucket name: use lowercase letters, digits, `.` and `-`, starting and ending "
        "with a letter or digit"
    ]


def test_a_bucket_name_like_an_ip_and_one_too_short(tmp_path: Path) -> None:
    text = MINIO.replace("name: audit-logs", "name: 10.0.0.1").replace(
        "name: pg-backups\n", "name: pg\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: pg')}: spec.objectStore.buckets[0].name: `pg` is not a valid bucket "
        "name: it must be 3 to 63 characters, got 2",
        f"{at(text, 'name: 10.0.0.1')}: spec.objectStore.buckets[1].name: `10.0.0.1` is not a "
        "valid bucket name: it must not look like an IP address",
        f"{at(text, 'pg-backups]')}: spec.objectStore.consumers[0].buckets[0]: no "
        "bucket `pg-backups` is declared; declared buckets: pg, 10.0.0.1",
        f"{at(text, 'bucket: pg-backups')}: spec.postgres.backup.bucket: no object store "
        "declares bucket `pg-backups`; declare it in `spec.objectStore` or back up to a "
        "declared one (declared: `pg`, `10.0.0.1`)",
    ]


def test_a_bucket_declared_twice(tmp_path: Path) -> None:
    text = MINIO.replace("name: audit-logs", "name: pg-backups")
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: pg-backups', 1)}: spec.objectStore.buckets[1].name: bucket "
        "`pg-backups` is declared twice; remove one"
    ]


def test_retention_needs_object_lock(tmp_path: Path) -> None:
    text = MINIO.replace("objectLock: true", "versioning: true")
    assert problems(tmp_path, text) == [
        f"{at(text, 'retention:')}: spec.objectStore.buckets[1].retention: retention needs "
        "`objectLock: true` (a locked, versioned bucket); set it or remove `retention`"
    ]


def test_object_lock_cannot_turn_versioning_off(tmp_path: Path) -> None:
    text = MINIO.replace("objectLock: true", "objectLock: true\n        versioning: false")
    assert problems(tmp_path, text) == [
        f"{at(text, 'versioning: false')}: spec.objectStore.buckets[1].versioning: object lock "
        "needs versioning; remove `versioning: false` or `objectLock: true`"
    ]


def test_a_layout_minio_refuses(tmp_path: Path) -> None:
    text = MINIO.replace("servers: 4", "servers: 17")
    assert problems(tmp_path, text) == [
        f"{at(text, 'servers: 17')}: spec.objectStore.servers: MinIO cannot split 17 server(s) "
        "x 1 drive(s) = 17 drives into erasure sets of 2 to 16 drives spread evenly over the "
        "servers; use e.g. 4 servers x 1 drive or 2 servers x 2 drives"
    ]


def test_tls_is_required_and_takes_one_source(tmp_path: Path) -> None:
    text = MINIO.replace(
        "      certManagerIssuer: {name: shipyard-ca}\n",
        "      certManagerIssuer: {name: shipyard-ca}\n      secretName: minio-tls\n",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'tls:')}: spec.objectStore.tls: `tls` takes exactly one of "
        "`certManagerIssuer` (Shipyard renders a cert-manager Certificate) or `secretName` (an "
        "existing kubernetes.io/tls Secret)"
    ]
    start, end = MINIO.index("    tls:"), MINIO.index("    buckets:")
    missing = MINIO[:start] + MINIO[end:]
    assert problems(tmp_path, missing) == [
        f"{at(missing, 'objectStore:')}: spec.objectStore.tls: required field is missing"
    ]


def test_storage_and_consumer_names(tmp_path: Path) -> None:
    text = (
        MINIO.replace("size: 100Gi", "size: 100 gigs")
        .replace("name: trainer", "name: pg-backup")
        .replace("      - name: pg-backup\n", "      - name: pg-backup\n        access: admin\n")
    )
    [access] = problems(tmp_path, text)
    assert access.startswith(f"{at(text, 'access: admin')}: spec.objectStore.consumers[0].access:")
    text = MINIO.replace("size: 100Gi", "size: 100 gigs").replace(
        "name: trainer", "name: pg-backup"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'size: 100 gigs')}: spec.objectStore.storage.size: `100 gigs` is not a "
        "storage quantity; use a whole number of Mi, Gi or Ti, e.g. `20Gi`",
        f"{at(text, 'name: pg-backup', 1)}: spec.objectStore.consumers[0].name: `pg-backup` is the "
        "user Shipyard creates for `spec.postgres.backup`; rename this consumer",
    ]
    text = MINIO.replace("name: trainer", "name: ml")
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: ml')}: spec.objectStore.consumers[0].name: `ml` names a MinIO user, "
        "which takes at least 3 characters; use a longer name"
    ]


def test_production_minio_names_its_image(tmp_path: Path) -> None:
    text = MINIO.replace("environment: dev", "environment: prod")
    assert problems(tmp_path, text) == [
        f"{at(text, 'provider: minio')}: spec.objectStore.provider: production needs `image` "
        "set: the default `minio/minio:RELEASE.2025-09-07T16-13-09Z` is the last community image "
        "and predates the CVE-2025-62506 fix; build RELEASE.2025-10-15T17-29-55Z or later and "
        'pin it (docs/minio.md, "Which image")'
    ]
    pinned = text.replace(
        "    provider: minio\n",
        "    provider: minio\n"
        "    image: registry.example/acme/minio:RELEASE.2025-10-15T17-29-55Z\n",
    )
    assert load(tmp_path, pinned).spec.object_store is not None
