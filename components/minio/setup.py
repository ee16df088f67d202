"""The bucket-setup Job: buckets, their versioning and retention, and one user per
consumer with a policy limited to its buckets, applied with `mc` (pure).

Jobs are immutable, so the Job is named after a hash of its own spec: any change to
buckets, users or images gives a new name, which Pulumi turns into a replacement (a
new Job runs, the old one is deleted) instead of a failed in-place update. Every step
is idempotent, so a re-run on an existing store changes only what the blueprint changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from components.minio.args import MINIO_USER, Bucket, MinioArgs, ServiceUser
from components.minio.manifests import (
    CERTS_DIR,
    ROOT_PASSWORD_KEY,
    ROOT_USER_KEY,
    SECRET_KEY_KEY,
    SETUP_COMPONENT,
    endpoint_url,
    render_labels,
    root_secret_name,
    tls_volume,
    user_secret_name,
)
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)

Manifest = dict[str, Any]

ALIAS = "store"
HASH_LENGTH = 10
# Enough for a distributed pool to form after the StatefulSet reports ready.
BACKOFF_LIMIT = 6
DEADLINE_SECONDS = 1800
_READ_BUCKET = ["s3:GetBucketLocation", "s3:ListBucket"]
_WRITE_BUCKET = ["s3:ListBucketMultipartUploads"]
_READ_OBJECT = ["s3:GetObject"]
_WRITE_OBJECT = [
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
]


def policy_name(user: ServiceUser) -> str:
    return f"{user.name}-buckets"


def _statements(buckets: tuple[str, ...], write: bool) -> list[Manifest]:
    arns = [f"arn:aws:s3:::{bucket}" for bucket in buckets]
    return [
        {
            "Effect": "Allow",
            "Action": _READ_BUCKET + (_WRITE_BUCKET if write else []),
            "Resource": arns,
        },
        {
            "Effect": "Allow",
            "Action": _READ_OBJECT + (_WRITE_OBJECT if write else []),
            "Resource": [f"{arn}/*" for arn in arns],
        },
    ]


def render_policy(user: ServiceUser) -> Manifest:
    """An IAM policy allowing `user` its buckets and nothing else: `buckets` with its
    `access`, `read_buckets` read only."""
    statements: list[Manifest] = []
    if user.buckets:
        statements += _statements(user.buckets, user.access == "readwrite")
    if user.read_buckets:
        statements += _statements(user.read_buckets, False)
    return {"Version": "2012-10-17", "Statement": statements}


def _secret_env(index: int) -> str:
    return f"USER_{index}_SECRET_KEY"


def _bucket_steps(bucket: Bucket) -> list[str]:
    target = f"{ALIAS}/{bucket.name}"
    lock = " --with-lock" if bucket.object_lock else ""
    steps = [f"mc mb --ignore-existing{lock} {target}"]
    if bucket.versioning:
        steps.append(f"mc version enable {target}")
    if bucket.retention is not None:
        mode = bucket.retention.mode.upper()
        steps.append(f"mc retention set --default {mode} {bucket.retention.days}d {target}")
    return steps


def _user_steps(index: int, user: ServiceUser) -> list[str]:
    policy = json.dumps(render_policy(user), sort_keys=True)
    name = policy_name(user)
    return [
        f"cat > /tmp/{name}.json <<'EOF'\n{policy}\nEOF",
        f"mc admin policy create {ALIAS} {name} /tmp/{name}.json",
        f'mc admin user add {ALIAS} {user.name} "${_secret_env(index)}"',
        # Attaching a policy that is already attached fails; that is the state we want.
        f"out=$(mc admin policy attach {ALIAS} {name} --user {user.name} 2>&1) || "
        f'case "$out" in *"already in effect"*) ;; *) echo "$out" >&2; exit 1 ;; esac',
    ]


def setup_script(name: str, args: MinioArgs) -> str:
    """The shell script the Job runs; secrets arrive as environment variables only."""
    lines = [
        "set -eu",
        'mkdir -p "$MC_CONFIG_DIR/certs/CAs"',
        f'cp {CERTS_DIR}/CAs/* "$MC_CONFIG_DIR/certs/CAs/"',
        f'until mc alias set {ALIAS} {endpoint_url(name, args.namespace)} "${ROOT_USER_KEY}" '
        f'"${ROOT_PASSWORD_KEY}"; do sleep 5; done',
        f"mc ready {ALIAS}",
    ]
    for bucket in args.buckets:
        lines += _bucket_steps(bucket)
    for index, user in enumerate(args.users):
        lines += _user_steps(index, user)
    return "\n".join(lines) + "\n"


def _env(name: str, args: MinioArgs) -> list[Manifest]:
    def ref(secret: str, key: str) -> Manifest:
        return {"valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}

    env = [{"name": "MC_CONFIG_DIR", "value": "/tmp/.mc"}]
    env += [
        {"name": key, **ref(root_secret_name(name), key)}
        for key in (ROOT_USER_KEY, ROOT_PASSWORD_KEY)
    ]
    env += [
        {"name": _secret_env(index), **ref(user_secret_name(name, user.name), SECRET_KEY_KEY)}
        for index, user in enumerate(args.users)
    ]
    return env


def _job_spec(name: str, args: MinioArgs) -> Manifest:
    labels = render_labels(name, SETUP_COMPONENT)
    container = {
        "name": "mc",
        "image": args.client_image,
        "command": ["/bin/sh", "-c", setup_script(name, args)],
        "env": _env(name, args),
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"memory": "256Mi"},
        },
        "securityContext": restricted_container_security_context(MINIO_USER),
        "volumeMounts": [
            {"name": "certs", "mountPath": CERTS_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    return {
        "backoffLimit": BACKOFF_LIMIT,
        "activeDeadlineSeconds": DEADLINE_SECONDS,
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "restartPolicy": "Never",
                "automountServiceAccountToken": False,
                "securityContext": restricted_pod_security_context(MINIO_USER),
                "containers": [container],
                "volumes": [tls_volume(name, args), {"name": "tmp", "emptyDir": {}}],
            },
        },
    }


def spec_hash(spec: Manifest) -> str:
    """A short, stable digest of the Job's spec (keys sorted)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def render_setup_job(name: str, args: MinioArgs) -> Manifest:
    """The Job, named `<name>-setup-<hash of its spec>`. No `ttlSecondsAfterFinished`:
    a Job that deletes itself would be re-created by the next `pulumi up`."""
    spec = _job_spec(name, args)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{name}-setup-{spec_hash(spec)}",
            "namespace": args.namespace,
            "labels": render_labels(name, SETUP_COMPONENT),
        },
        "spec": spec,
    }
