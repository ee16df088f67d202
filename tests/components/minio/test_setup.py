"""The bucket-setup Job (pure): its name follows its spec, its script, its policies and
the Secret references it uses instead of values."""

from __future__ import annotations

import json

from components.minio.args import (
    Bucket,
    BucketRetention,
    IssuerRef,
    MinioArgs,
    MinioTls,
    ServiceUser,
)
from components.minio.setup import render_policy, render_setup_job, setup_script, spec_hash

TRAINER = ServiceUser(name="trainer", buckets=("datasets",), pod_labels={"app": "trainer"})
READER = ServiceUser(
    name="reader", buckets=("datasets", "audit"), access="readonly", pod_labels={"app": "r"}
)
ARGS = MinioArgs(
    namespace="llm",
    storage_size="10Gi",
    tls=MinioTls(issuer=IssuerRef(name="ca")),
    buckets=(
        Bucket(name="datasets", versioning=True),
        Bucket(
            name="audit",
            versioning=True,
            object_lock=True,
            retention=BucketRetention(mode="governance", days=30),
        ),
    ),
    users=(TRAINER, READER),
)


def test_the_job_is_named_after_its_spec() -> None:
    job = render_setup_job("minio", ARGS)
    assert job["metadata"]["name"] == f"minio-setup-{spec_hash(job['spec'])}"
    assert len(spec_hash(job["spec"])) == 10
    # Same args, same name: a no-op update leaves the Job alone.
    assert render_setup_job("minio", ARGS)["metadata"]["name"] == job["metadata"]["name"]
    # A new bucket, user or image is a new Job (Jobs are immutable), never an update.
    for update in (
        {"buckets": (*ARGS.buckets, Bucket(name="models"))},
        {"users": (TRAINER,)},
        {"client_image": "minio/mc:RELEASE.2025-07-21T05-28-08Z"},
    ):
        changed = render_setup_job("minio", ARGS.model_copy(update=update))
        assert changed["metadata"]["name"] != job["metadata"]["name"]
    assert "ttlSecondsAfterFinished" not in job["spec"]
    assert job["spec"]["backoffLimit"] == 6


def test_the_job_runs_mc_pinned_non_root_with_secret_references() -> None:
    job = render_setup_job("minio", ARGS)
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == (
        "bucket-setup"
    )
    [container] = pod["containers"]
    assert container["image"] == "minio/mc:RELEASE.2025-08-13T08-35-41Z"
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    env = {e["name"]: e.get("valueFrom", e.get("value")) for e in container["env"]}
    assert env == {
        "MC_CONFIG_DIR": "/tmp/.mc",
        "MINIO_ROOT_USER": {
            "secretKeyRef": {"name": "minio-root-credentials", "key": "MINIO_ROOT_USER"}
        },
        "MINIO_ROOT_PASSWORD": {
            "secretKeyRef": {"name": "minio-root-credentials", "key": "MINIO_ROOT_PASSWORD"}
        },
        "USER_0_SECRET_KEY": {
            "secretKeyRef": {"name": "minio-trainer-credentials", "key": "AWS_SECRET_ACCESS_KEY"}
        },
        "USER_1_SECRET_KEY": {
            "secretKeyRef": {"name": "minio-reader-credentials", "key": "AWS_SECRET_ACCESS_KEY"}
        },
    }


def test_the_script_creates_buckets_and_users_idempotently() -> None:
    lines = setup_script("minio", ARGS).splitlines()
    assert lines[:5] == [
        "set -eu",
        'mkdir -p "$MC_CONFIG_DIR/certs/CAs"',
        'cp /etc/minio/certs/CAs/* "$MC_CONFIG_DIR/certs/CAs/"',
        'until mc alias set store https://minio.llm.svc:9000 "$MINIO_ROOT_USER" '
        '"$MINIO_ROOT_PASSWORD"; do sleep 5; done',
        "mc ready store",
    ]
    for line in (
        "mc mb --ignore-existing store/datasets",
        "mc version enable store/datasets",
        "mc mb --ignore-existing --with-lock store/audit",
        "mc retention set --default GOVERNANCE 30d store/audit",
        "mc admin policy create store trainer-buckets /tmp/trainer-buckets.json",
        'mc admin user add store trainer "$USER_0_SECRET_KEY"',
        'mc admin user add store reader "$USER_1_SECRET_KEY"',
    ):
        assert line in lines
    attach = next(line for line in lines if line.startswith("out=$(mc admin policy attach"))
    assert "store trainer-buckets --user trainer" in attach
    assert '*"already in effect"*) ;;' in attach


def test_policies_allow_only_the_users_buckets() -> None:
    assert render_policy(TRAINER) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "s3:GetBucketLocation",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                ],
                "Resource": ["arn:aws:s3:::datasets"],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                "Resource": ["arn:aws:s3:::datasets/*"],
            },
        ],
    }
    readonly = render_policy(READER)["Statement"]
    assert readonly[1] == {
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": ["arn:aws:s3:::datasets/*", "arn:aws:s3:::audit/*"],
    }
    script = setup_script("minio", ARGS)
    assert json.dumps(render_policy(READER), sort_keys=True) in script
