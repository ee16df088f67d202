"""Staged weights as manifests (pure): the script ConfigMap, the staging Job, the shared
volume, and what the model server's pod needs to stream from where the Job wrote.

The Job is named after a hash of its spec, like MinIO's setup Job: Jobs are immutable,
so a new revision (or any other change) is a new Job, which Pulumi creates before
replacing the old one, and the model server waits for it (`depends_on`). The script
stops at once when the destination already holds the revision's manifest, so a
replaced Job or a re-run costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from components.shared.labels import recommended_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.vllm.weights_args import (
    WEIGHTS_MOUNT,
    ObjectStoreWeights,
    StagedWeights,
    VolumeWeights,
)

Manifest = dict[str, Any]

SCRIPT = Path(__file__).with_name("stage_weights.py")
SCRIPT_KEY = "stage_weights.py"
SCRIPT_MOUNT = "/opt/shipyard"
SCRATCH_MOUNT = "/scratch"
CA_MOUNT = "/etc/shipyard/object-store-ca"
STAGER_COMPONENT = "weights-stager"
HASH_LENGTH = 10
BACKOFF_LIMIT = 3
# The Job's user: the vLLM image runs as any UID (components/vllm/manifests.py).
RUN_AS_USER = 1000
JOB_RESOURCES = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "4Gi"}}


def script_text() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def stager_labels(name: str) -> dict[str, str]:
    return recommended_labels("vllm", name, STAGER_COMPONENT)


def script_config_map_name(name: str) -> str:
    return f"{name}-weights-script"


def weights_claim_name(name: str) -> str:
    return f"{name}-weights"


def weights_dir(model: str, revision: str) -> str:
    """Where a volume holds the revision: `/weights/<org>--<repo>/<revision>`."""
    return f"{WEIGHTS_MOUNT}/{model.replace('/', '--')}/{revision}"


def weights_location(model: str, weights: StagedWeights) -> str:
    """What vLLM serves from: `s3://bucket/prefix`, or the revision's directory."""
    store = weights.store
    if isinstance(store, ObjectStoreWeights):
        return f"s3://{store.bucket}/{store.prefix}"
    return weights_dir(model, weights.revision)


def streamer_args(weights: StagedWeights) -> list[str]:
    """The engine flags that load with the Run:ai model streamer."""
    extra = json.dumps({"concurrency": weights.concurrency}, sort_keys=True)
    return ["--load-format", "runai_streamer", "--model-loader-extra-config", extra]


def _secret_env(env: str, secret: str, key: str) -> Manifest:
    return {"name": env, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def object_store_env(store: ObjectStoreWeights, secret: str | None) -> list[Manifest]:
    """The AWS SDK settings both boto3 and the streamer read (runai-model-streamer
    docs/src/env-vars.md): endpoint, path-style addressing and CA for MinIO; region for
    S3; keys from `secret` when not IRSA."""
    env: list[Manifest] = []
    if store.region is not None:
        env.append({"name": "AWS_REGION", "value": store.region})
    if store.endpoint_url is not None:
        env += [
            {"name": "AWS_ENDPOINT_URL", "value": store.endpoint_url},
            # No instance metadata to ask for credentials, and MinIO's bucket names are
            # paths, not host names.
            {"name": "AWS_EC2_METADATA_DISABLED", "value": "true"},
            {"name": "RUNAI_STREAMER_S3_USE_VIRTUAL_ADDRESSING", "value": "0"},
        ]
    if store.ca is not None:
        env.append({"name": "AWS_CA_BUNDLE", "value": f"{CA_MOUNT}/{store.ca.key}"})
    if secret is not None:
        env += [
            _secret_env(key, secret, key) for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        ]
    return env


def ca_volume(store: ObjectStoreWeights) -> Manifest | None:
    if store.ca is None:
        return None
    return {
        "name": "object-store-ca",
        "secret": {
            "secretName": store.ca.name,
            "items": [{"key": store.ca.key, "path": store.ca.key}],
        },
    }


def render_script_config_map(name: str, namespace: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": script_config_map_name(name),
            "namespace": namespace,
            "labels": stager_labels(name),
        },
        "data": {SCRIPT_KEY: script_text()},
    }


def render_weights_claim(name: str, namespace: str, weights: StagedWeights) -> Manifest | None:
    """The ReadWriteMany volume of `volume` weights; None for a bucket."""
    store = weights.store
    if not isinstance(store, VolumeWeights):
        return None
    spec: Manifest = {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": store.size}},
    }
    if store.storage_class is not None:
        spec["storageClassName"] = store.storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": weights_claim_name(name),
            "namespace": namespace,
            # Re-downloadable, so not protected (docs/policies.md, `shipyard.dev/data`).
            "labels": {**recommended_labels("vllm", name, "weights"), "shipyard.dev/data": "cache"},
        },
        "spec": spec,
    }


def _job_spec(
    name: str, model: str, weights: StagedWeights, image: str, hf_token: Manifest | None
) -> Manifest:
    store = weights.store
    env: list[Manifest] = [
        {"name": "HOME", "value": "/tmp"},
        {"name": "HF_HOME", "value": f"{SCRATCH_MOUNT}/huggingface"},
        {"name": "SHIPYARD_MODEL", "value": model},
        {"name": "SHIPYARD_REVISION", "value": weights.revision},
        {"name": "SHIPYARD_FILES", "value": json.dumps(list(weights.files))},
        {"name": "SHIPYARD_DEST", "value": weights_location(model, weights)},
        {"name": "SHIPYARD_SCRATCH", "value": SCRATCH_MOUNT},
    ]
    if hf_token is not None:
        env.append(hf_token)
    mounts: list[Manifest] = [
        {"name": "script", "mountPath": SCRIPT_MOUNT, "readOnly": True},
        {"name": "scratch", "mountPath": SCRATCH_MOUNT},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    volumes: list[Manifest] = [
        {"name": "script", "configMap": {"name": script_config_map_name(name)}},
        {"name": "scratch", "emptyDir": {"sizeLimit": weights.scratch_size}},
        {"name": "tmp", "emptyDir": {}},
    ]
    service_account = None
    if isinstance(store, ObjectStoreWeights):
        env += object_store_env(store, store.stager_secret)
        ca = ca_volume(store)
        if ca is not None:
            volumes.append(ca)
            mounts.append({"name": ca["name"], "mountPath": CA_MOUNT, "readOnly": True})
        service_account = store.service_account
    else:
        volumes.append(
            {"name": "weights", "persistentVolumeClaim": {"claimName": weights_claim_name(name)}}
        )
        mounts.append({"name": "weights", "mountPath": WEIGHTS_MOUNT})
    pod: Manifest = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "securityContext": restricted_pod_security_context(RUN_AS_USER),
        "containers": [
            {
                "name": "stage",
                "image": image,
                "command": ["python3", f"{SCRIPT_MOUNT}/{SCRIPT_KEY}"],
                "env": env,
                "resources": JOB_RESOURCES,
                "securityContext": restricted_container_security_context(RUN_AS_USER),
                "volumeMounts": mounts,
            }
        ],
        "volumes": volumes,
    }
    if service_account is not None:
        pod["serviceAccountName"] = service_account
    return {
        "backoffLimit": BACKOFF_LIMIT,
        "activeDeadlineSeconds": weights.deadline_seconds,
        "template": {"metadata": {"labels": stager_labels(name)}, "spec": pod},
    }


def spec_hash(spec: Manifest, script: str) -> str:
    """A short digest of the Job's spec and the script it runs (keys sorted)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":")) + script
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def render_staging_job(
    name: str,
    namespace: str,
    model: str,
    weights: StagedWeights,
    image: str,
    hf_token: Manifest | None,
) -> Manifest:
    """The Job, `<name>-weights-<hash of spec and script>`; no `ttlSecondsAfterFinished`,
    or the next `pulumi up` would create it again."""
    spec = _job_spec(name, model, weights, weights.job_image or image, hf_token)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{name}-weights-{spec_hash(spec, script_text())}",
            "namespace": namespace,
            "labels": stager_labels(name),
        },
        "spec": spec,
    }


def server_env(weights: StagedWeights) -> list[Manifest]:
    """What the model server adds: no Hugging Face at all (the files are staged), and the
    object store's settings with the read-only keys."""
    env: list[Manifest] = [{"name": "HF_HUB_OFFLINE", "value": "1"}]
    store = weights.store
    if isinstance(store, ObjectStoreWeights):
        env += object_store_env(store, store.reader_secret)
    return env


def server_volumes(name: str, weights: StagedWeights) -> tuple[list[Manifest], list[Manifest]]:
    """`(volumes, volume mounts)` of the model server: the weights volume read-only, or
    the object store's CA."""
    store = weights.store
    if isinstance(store, VolumeWeights):
        return (
            [
                {
                    "name": "weights",
                    "persistentVolumeClaim": {
                        "claimName": weights_claim_name(name),
                        "readOnly": True,
                    },
                }
            ],
            [{"name": "weights", "mountPath": WEIGHTS_MOUNT, "readOnly": True}],
        )
    ca = ca_volume(store)
    if ca is None:
        return [], []
    return [ca], [{"name": ca["name"], "mountPath": CA_MOUNT, "readOnly": True}]


def server_service_account(weights: StagedWeights) -> str | None:
    store = weights.store
    return store.service_account if isinstance(store, ObjectStoreWeights) else None
