"""Staged weights as plain data: the Job (named after its spec and script, restricted, the
token from its Secret), the volume, and what the model server streams from."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import ModelCache
from components.vllm.manifests import render_deployment, render_engine_args
from components.vllm.staging import (
    SCRIPT,
    render_script_config_map,
    render_staging_job,
    render_weights_claim,
    spec_hash,
    weights_location,
)
from components.vllm.weights_args import ObjectStoreWeights, StagedWeights, VolumeWeights
from tests.components.vllm.test_manifests import LLAMA, make_args

REVISION = "0e9e39f249a16976918f6564b8830bc894c89659"
TOKEN = {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}}}
S3 = StagedWeights(
    revision=REVISION,
    store=ObjectStoreWeights(
        bucket="acme-models",
        prefix=f"models/{LLAMA}/{REVISION}",
        region="us-east-1",
        service_account="model-loader",
    ),
)
MINIO = StagedWeights(
    revision=REVISION,
    store=ObjectStoreWeights(
        bucket="models",
        prefix=f"models/{LLAMA}/{REVISION}",
        endpoint_url="https://minio.llm.svc:9000",
        reader_secret="minio-weights-reader-credentials",
        stager_secret="minio-weights-stager-credentials",
        ca=SecretKeyRef(name="minio-tls", key="ca.crt"),
    ),
    concurrency=32,
)
VOLUME = StagedWeights(revision=REVISION, store=VolumeWeights(size="40Gi", storage_class="efs-sc"))


def job(weights: StagedWeights) -> dict[str, Any]:
    return render_staging_job("llama", "llm", LLAMA, weights, "vllm/vllm-openai:v0.33.0", TOKEN)


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_the_job_is_named_after_its_spec_and_script() -> None:
    rendered = job(S3)
    digest = spec_hash(rendered["spec"], SCRIPT.read_text())
    assert rendered["metadata"]["name"] == f"llama-weights-{digest}"
    assert job(S3)["metadata"]["name"] == rendered["metadata"]["name"]
    other = S3.model_copy(update={"revision": "1" * 40})
    assert job(other)["metadata"]["name"] != rendered["metadata"]["name"]
    assert "ttlSecondsAfterFinished" not in rendered["spec"]
    assert rendered["spec"]["activeDeadlineSeconds"] == 4 * 3600
    assert rendered["spec"]["backoffLimit"] == 3


def test_the_job_runs_the_script_restricted_with_the_token_from_its_secret() -> None:
    pod = job(S3)["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == "vllm/vllm-openai:v0.33.0"
    assert container["command"] == ["python3", "/opt/shipyard/stage_weights.py"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == "model-loader"
    env = env_of(container)
    assert env["HF_TOKEN"] == {"secretKeyRef": {"name": "hf-token", "key": "token"}}
    assert env["SHIPYARD_MODEL"] == LLAMA
    assert env["SHIPYARD_REVISION"] == REVISION
    assert env["SHIPYARD_DEST"] == f"s3://acme-models/models/{LLAMA}/{REVISION}"
    assert json.loads(env["SHIPYARD_FILES"])[0] == "*.safetensors"
    assert env["AWS_REGION"] == "us-east-1"
    assert "AWS_ACCESS_KEY_ID" not in env  # IRSA
    assert {v["name"]: v.get("emptyDir") for v in pod["volumes"]}["scratch"] == {
        "sizeLimit": "64Gi"
    }


def test_minio_gives_the_job_write_keys_the_endpoint_and_the_ca() -> None:
    pod = job(MINIO)["spec"]["template"]["spec"]
    env = env_of(pod["containers"][0])
    assert env["AWS_ENDPOINT_URL"] == "https://minio.llm.svc:9000"
    assert env["RUNAI_STREAMER_S3_USE_VIRTUAL_ADDRESSING"] == "0"
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["AWS_CA_BUNDLE"] == "/etc/shipyard/object-store-ca/ca.crt"
    assert env["AWS_ACCESS_KEY_ID"] == {
        "secretKeyRef": {"name": "minio-weights-stager-credentials", "key": "AWS_ACCESS_KEY_ID"}
    }
    assert "serviceAccountName" not in pod
    [ca] = [v for v in pod["volumes"] if v["name"] == "object-store-ca"]
    assert ca["secret"] == {
        "secretName": "minio-tls",
        "items": [{"key": "ca.crt", "path": "ca.crt"}],
    }


def test_a_volume_is_written_by_the_job_and_read_only_by_the_servers() -> None:
    claim = render_weights_claim("llama", "llm", VOLUME)
    assert claim is not None
    assert claim["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "40Gi"}},
        "storageClassName": "efs-sc",
    }
    assert claim["metadata"]["labels"]["shipyard.dev/data"] == "cache"
    assert render_weights_claim("llama", "llm", S3) is None
    mounts = job(VOLUME)["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "weights", "mountPath": "/weights"} in mounts
    pod = render_deployment("llama", make_args(weights=VOLUME))["spec"]["template"]["spec"]
    assert {"name": "weights", "mountPath": "/weights", "readOnly": True} in pod["containers"][0][
        "volumeMounts"
    ]
    assert {
        "name": "weights",
        "persistentVolumeClaim": {"claimName": "llama-weights", "readOnly": True},
    } in pod["volumes"]


def test_the_server_streams_from_where_the_job_staged() -> None:
    rendered = render_engine_args(make_args(weights=MINIO))
    assert rendered[0] == f"s3://models/models/{LLAMA}/{REVISION}"
    assert rendered[-4:] == [
        "--load-format",
        "runai_streamer",
        "--model-loader-extra-config",
        '{"concurrency": 32}',
    ]
    assert render_engine_args(make_args(weights=VOLUME))[0] == (
        f"/weights/meta-llama--Llama-3.1-8B-Instruct/{REVISION}"
    )
    assert weights_location(LLAMA, S3) == f"s3://acme-models/models/{LLAMA}/{REVISION}"


def test_the_server_reads_keys_not_the_token_and_never_calls_hugging_face() -> None:
    args = make_args(weights=MINIO, hf_token_secret=SecretKeyRef(name="hf-token"))
    pod = render_deployment("llama", args)["spec"]["template"]["spec"]
    env = env_of(pod["containers"][0])
    assert env["HF_HUB_OFFLINE"] == "1"
    assert "HF_TOKEN" not in env
    assert env["AWS_SECRET_ACCESS_KEY"] == {
        "secretKeyRef": {
            "name": "minio-weights-reader-credentials",
            "key": "AWS_SECRET_ACCESS_KEY",
        }
    }
    s3_pod = render_deployment("llama", make_args(weights=S3))["spec"]["template"]["spec"]
    assert s3_pod["serviceAccountName"] == "model-loader"
    assert s3_pod["automountServiceAccountToken"] is False


def test_the_script_config_map_holds_the_script() -> None:
    config_map = render_script_config_map("llama", "llm")
    assert config_map["metadata"]["name"] == "llama-weights-script"
    assert config_map["data"] == {"stage_weights.py": SCRIPT.read_text()}


def test_args_refuse_a_moving_revision_and_a_cache_beside_weights() -> None:
    with pytest.raises(ValidationError, match=r"`main` is not a commit: stage a pinned revision"):
        StagedWeights(revision="main", store=VolumeWeights(size="10Gi"))
    with pytest.raises(ValidationError, match=r"`cache` and `weights` both keep the model's files"):
        make_args(weights=VOLUME, cache=ModelCache(size="10Gi"))
