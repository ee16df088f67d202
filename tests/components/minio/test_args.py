"""MinIO's rules as `components.minio_args` states them: bucket names, erasure layouts,
and the cross-field checks of the Args."""

from __future__ import annotations

from typing import Any

import pytest

from components.minio.args import (
    MC_IMAGE,
    MINIO_IMAGE,
    Bucket,
    BucketRetention,
    IssuerRef,
    MinioArgs,
    MinioTls,
    ServiceUser,
    bucket_name_problem,
    drive_layout_problem,
    erasure_set_sizes,
)

TLS = MinioTls(issuer=IssuerRef(name="cluster-ca"))


@pytest.mark.parametrize("name", ["abc", "pg-backups", "models.v2", "a" * 63, "1data"])
def test_valid_bucket_names(name: str) -> None:
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", "it must be 3 to 63 characters, got 2"),
        ("a" * 64, "it must be 3 to 63 characters, got 64"),
        ("Models", "use lowercase letters, digits, `.` and `-`"),
        ("my_bucket", "use lowercase letters, digits, `.` and `-`"),
        ("-models", "starting and ending with a letter or digit"),
        ("models.", "starting and ending with a letter or digit"),
        ("my..bucket", "it must not contain `..`"),
        ("my.-bucket", "it must not contain `.-`"),
        ("my-.bucket", "it must not contain `-.`"),
        ("192.168.1.10", "it must not look like an IP address"),
    ],
)
def test_invalid_bucket_names(name: str, message: str) -> None:
    problem = bucket_name_problem(name)
    assert problem is not None and problem.startswith(f"`{name}` is not a valid bucket name")
    assert message in problem


@pytest.mark.parametrize(
    ("servers", "drives", "sizes"),
    [
        (1, 4, [2, 4]),
        (4, 1, [2, 4]),
        (2, 2, [2, 4]),
        (4, 4, [2, 4, 8, 16]),
        (3, 1, [3]),
        (16, 1, [2, 4, 8, 16]),
        (18, 1, [2, 3, 6, 9]),
    ],
)
def test_erasure_set_sizes_follow_minio(servers: int, drives: int, sizes: list[int]) -> None:
    assert erasure_set_sizes(servers, drives) == sizes
    assert drive_layout_problem(servers, drives) is None


def test_one_server_one_drive_is_standalone() -> None:
    assert erasure_set_sizes(1, 1) == []
    assert drive_layout_problem(1, 1) is None


@pytest.mark.parametrize(("servers", "drives"), [(17, 1), (1, 17), (19, 2)])
def test_layouts_minio_refuses(servers: int, drives: int) -> None:
    problem = drive_layout_problem(servers, drives)
    assert problem == (
        f"MinIO cannot split {servers} server(s) x {drives} drive(s) = {servers * drives} "
        "drives into erasure sets of 2 to 16 drives spread evenly over the servers; use e.g. "
        "4 servers x 1 drive or 2 servers x 2 drives"
    )


def test_defaults_are_pinned_images_and_a_distributed_pool() -> None:
    args = MinioArgs(namespace="llm", storage_size="100Gi", tls=TLS)
    assert (args.servers, args.drives_per_server) == (4, 1)
    assert args.image == MINIO_IMAGE == "minio/minio:RELEASE.2025-09-07T16-13-09Z"
    assert args.client_image == MC_IMAGE == "minio/mc:RELEASE.2025-08-13T08-35-41Z"
    assert (args.cpu_request, args.memory_request, args.allow_data_loss) == ("500m", "2Gi", False)


BASE: dict[str, Any] = {
    "namespace": "llm",
    "storage_size": "100Gi",
    "tls": TLS,
    "buckets": (Bucket(name="datasets"),),
}


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"servers": 17}, "MinIO cannot split 17 server"),
        ({"storage_size": "100GB"}, "`100GB` is not a storage quantity"),
        ({"buckets": (Bucket(name="datasets"), Bucket(name="datasets"))}, "names a bucket twice"),
        (
            {"users": (ServiceUser(name="trainer", buckets=("models",), pod_labels={"app": "t"}),)},
            r"user `trainer` names undeclared bucket\(s\) \['models'\]",
        ),
        ({"image": "minio/minio"}, "has no tag"),
        ({"client_image": "minio/mc:latest"}, "uses `latest`"),
    ],
)
def test_args_refuse_what_minio_would(update: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MinioArgs.model_validate({**BASE, **update})


def test_tls_takes_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="exactly one of `issuer` or `secret_name`"):
        MinioTls()
    with pytest.raises(ValueError, match="exactly one of `issuer` or `secret_name`"):
        MinioTls(issuer=IssuerRef(name="ca"), secret_name="minio-tls")


def test_retention_needs_object_lock_and_lock_needs_versioning() -> None:
    with pytest.raises(ValueError, match="`retention` needs `object_lock`"):
        Bucket(name="audit", versioning=True, retention=BucketRetention(days=7))
    with pytest.raises(ValueError, match="`object_lock` needs `versioning`"):
        Bucket(name="audit", object_lock=True)
    with pytest.raises(ValueError, match="less than or equal to 36500"):
        BucketRetention(days=40000)


def test_user_names_are_access_keys_of_three_characters_or_more() -> None:
    with pytest.raises(ValueError, match="at least 3 items after validation"):
        ServiceUser(name="pg", buckets=("datasets",), pod_labels={"app": "pg"})
    with pytest.raises(ValueError, match="user `trainer` needs at least one bucket"):
        ServiceUser(name="trainer", buckets=(), pod_labels={"app": "t"})
    with pytest.raises(ValueError, match="lists a bucket in both"):
        ServiceUser(
            name="trainer", buckets=("a1b",), read_buckets=("a1b",), pod_labels={"app": "t"}
        )
    with pytest.raises(ValueError, match="at least 1 item"):
        ServiceUser(name="trainer", buckets=("datasets",), pod_labels={})
