"""The object store in the picture: an S3 bucket, or MinIO holding its buckets; apps and
MinIO consumers reach buckets with `read` or `readWrite`."""

from __future__ import annotations

from pathlib import Path

from shipyard.sections.object_store.graph import object_store_graph
from tests.graph.everything import edges, everything, nodes, replace_text
from tests.sections.apps.base import BASE


def test_minio_buckets_in_the_store_group(tmp_path: Path) -> None:
    part = object_store_graph(everything(tmp_path))
    [group] = part.groups
    assert (group.id, group.label, group.layer, group.details) == (
        "minio/minio",
        "MinIO minio",
        "data",
        ("1 server",),
    )
    assert nodes(part) == {
        "bucket/raw-logs": ("raw-logs", "data", ("versioned",), "trapezoid", "minio/minio"),
        "bucket/backups": ("backups", "data", (), "trapezoid", "minio/minio"),
        "minioUser/loader": ("loader", "apps", ("MinIO user",), "stadium", None),
    }
    assert edges(part) == {
        ("app/backend", "bucket/raw-logs", "bucket"): "readWrite",
        ("minioUser/loader", "bucket/raw-logs", "bucket"): "read",
    }


def test_an_s3_bucket(tmp_path: Path) -> None:
    s3 = """\
  objectStore:
    provider: s3
    bucket: acme-models
"""
    start = BASE.index("  objectStore:")
    end = BASE.index("  analytics:")
    text = BASE[:start] + s3 + BASE[end:]
    text = replace_text(text, "  cluster: {kind: local}\n", EKS_CLUSTER)
    text = replace_text(text, "{name: raw-logs, access: read}", "{name: acme-models, access: read}")
    part = object_store_graph(everything(tmp_path, text))
    assert part.groups == []
    assert nodes(part) == {
        "bucket/acme-models": ("acme-models", "data", ("S3 · aws:kms",), "trapezoid", None)
    }
    assert edges(part) == {("app/backend", "bucket/acme-models", "bucket"): "read"}


EKS_CLUSTER = """\
  cluster:
    kind: eks
    region: us-east-1
    kubernetesVersion: "1.33"
    vpc:
      cidr: 10.40.0.0/16
      availabilityZones: [us-east-1a, us-east-1b]
"""
