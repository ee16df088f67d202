"""A model's `weights` in a blueprint: the checks at FILE:LINE:COL, the component's
`StagedWeights` for S3, MinIO and a volume, the MinIO users, the cold-start estimate and
what the staged weights cost."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.cost import estimate_platform
from shipyard.sections.models.args import vllm_args
from shipyard.sections.models.cold_start import cold_start, cold_start_notes
from shipyard.sections.object_store.args import minio_args
from tests.blueprint.located import line_column, load_problems, load_text, located_at

ROOT = Path(__file__).resolve().parents[3]
FILE = "weights.yaml"
REVISION = "6f6073b423013f6a7d4d9f39144961bfbfbc386b"
EKS = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: eks, region: us-east-1, kubernetesVersion: "1.33"}
  namespace: llm
  nodePools:
    - name: h100
      instanceType: p5.48xlarge
      size: {min: 1, max: 2}
  objectStore:
    provider: s3
    bucket: acme-models
    consumers: [{name: model-loader}]
  models:
    - name: llama-70b
      model: meta-llama/Llama-3.3-70B-Instruct
      nodePool: h100
      tensorParallelSize: 4
      maxModelLen: 32768
      dtype: bfloat16
      weights:
        type: bucket
        bucket: acme-models
        revision: 6f6073b423013f6a7d4d9f39144961bfbfbc386b
"""
MINIO = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: local}
  namespace: llm
  nodePools:
    - name: gpu
      gpu: {type: nvidia-l4, count: 1}
      size: {min: 1, max: 2}
  objectStore:
    provider: minio
    storage: {size: 100Gi}
    tls: {certManagerIssuer: {name: ca}}
    buckets: [{name: models}]
  models:
    - name: small
      model: Qwen/Qwen2.5-0.5B-Instruct
      nodePool: gpu
      maxModelLen: 8192
      weights: {type: bucket, bucket: models, revision: 7ae557604adf67be50417f59c2c2f167def9a775}
"""

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_s3_weights_stream_through_the_irsa_service_account(tmp_path: Path) -> None:
    platform = load(tmp_path, EKS)
    weights = vllm_args(platform, platform.spec.models[0]).weights
    assert weights is not None
    store = weights.store
    assert (weights.revision, weights.concurrency) == (REVISION, 16)
    assert store.model_dump() == {
        "kind": "objectStore",
        "bucket": "acme-models",
        "prefix": f"models/meta-llama/Llama-3.3-70B-Instruct/{REVISION}",
        "endpoint_url": None,
        "region": "us-east-1",
        "service_account": "model-loader",
        "reader_secret": None,
        "stager_secret": None,
        "ca": None,
    }


def test_minio_weights_get_their_own_users_and_the_stores_ca(tmp_path: Path) -> None:
    platform = load(tmp_path, MINIO)
    weights = vllm_args(platform, platform.spec.models[0]).weights
    assert weights is not None
    assert weights.store.model_dump() == {
        "kind": "objectStore",
        "bucket": "models",
        "prefix": "models/Qwen/Qwen2.5-0.5B-Instruct/7ae557604adf67be50417f59c2c2f167def9a775",
        "endpoint_url": "https://minio.llm.svc:9000",
        "region": None,
        "service_account": None,
        "reader_secret": "minio-weights-reader-credentials",
        "stager_secret": "minio-weights-stager-credentials",
        "ca": {"name": "minio-tls", "key": "ca.crt"},
    }
    store = minio_args(platform)
    assert store is not None
    users = {u.name: (u.access, u.buckets, u.pod_labels) for u in store.users}
    assert users == {
        "weights-stager": (
            "readwrite",
            ("models",),
            {
                "app.kubernetes.io/name": "vllm",
                "app.kubernetes.io/component": "weights-stager",
                "app.kubernetes.io/managed-by": "shipyard",
            },
        ),
        "weights-reader": (
            "readonly",
            ("models",),
            {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/component": "model-server"},
        ),
    }


def test_the_bucket_must_be_declared(tmp_path: Path) -> None:
    text = EKS.replace("        bucket: acme-models\n", "        bucket: acme-model\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: acme-model', 1)}: spec.models[0].weights.bucket: no bucket "
        "`acme-model` is declared (did you mean `acme-models`?); declared buckets: acme-models"
    ]


def test_s3_needs_the_service_account_among_the_consumers(tmp_path: Path) -> None:
    text = EKS.replace("    consumers: [{name: model-loader}]\n", "    consumers: [{name: ray}]\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'weights:')}: spec.models[0].weights.serviceAccount: the bucket's IRSA role "
        "does not trust `model-loader`: add it to `spec.objectStore.consumers`, or name one of ray"
    ]


def test_bucket_weights_need_an_object_store(tmp_path: Path) -> None:
    text = MINIO.replace(
        "  objectStore:\n    provider: minio\n    storage: {size: 100Gi}\n"
        "    tls: {certManagerIssuer: {name: ca}}\n    buckets: [{name: models}]\n",
        "",
    )
    [problem] = problems(tmp_path, text)
    assert problem.endswith(
        "spec.models[0].weights.bucket: bucket weights need `spec.objectStore`; declare it, "
        "or use `type: volume`"
    )


def test_a_revision_is_a_commit(tmp_path: Path) -> None:
    text = EKS.replace(f"revision: {REVISION}", "revision: main")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'revision: main')}: spec.models[0].weights.revision:")
    assert "`main` is not a commit: stage a pinned revision" in problem


def test_a_volume_must_hold_the_weights_and_replaces_the_cache(tmp_path: Path) -> None:
    volume = (
        "      weights: {type: volume, revision: 6f6073b423013f6a7d4d9f39144961bfbfbc386b, "
        "size: 100Gi}\n      cache: {size: 10Gi}\n"
    )
    text = EKS.split("      weights:\n")[0] + volume
    line, column = line_column(text, "size: 100Gi")
    assert problems(tmp_path, text) == [
        f"{FILE}:{line}:{column}: spec.models[0].weights.size: `100Gi` cannot hold "
        "`meta-llama/Llama-3.3-70B-Instruct`: its weights are about 132 GiB; use at least 145Gi",
        f"{at(text, 'cache:')}: spec.models[0].cache: `cache` and `weights` both keep the "
        "model's files; drop `cache` (staged weights are read from where they are staged)",
    ]


def test_minio_users_are_reserved(tmp_path: Path) -> None:
    text = MINIO.replace(
        "    buckets: [{name: models}]\n",
        "    buckets: [{name: models}]\n    consumers:\n      - name: weights-reader\n"
        "        podLabels: {app: x}\n        buckets: [models]\n",
    )
    [problem] = problems(tmp_path, text)
    assert "`weights-reader` is the MinIO user Shipyard creates for staged weights" in problem


def test_cold_start_follows_the_source_and_the_pool(tmp_path: Path) -> None:
    platform = load(tmp_path, EKS)
    [model] = platform.spec.models
    streamed = cold_start(platform, model)
    assert streamed is not None
    # 70.6e9 parameters x 2 bytes; one 100 Gbps card x the streamer's 0.754 of it.
    assert round(streamed.gib, 1) == 131.5
    assert round(streamed.gbps, 1) == 75.4
    assert round(streamed.seconds, 1) == 15.0
    downloaded = cold_start(platform, model.model_copy(update={"weights": None}))
    assert downloaded is not None
    # Through the internet gateway: half the card for 192 vCPUs.
    assert (downloaded.source, downloaded.gbps) == ("huggingface", 50.0)
    assert downloaded.seconds > streamed.seconds
    [note] = cold_start_notes(None, platform)
    assert note == (
        "model `llama-70b`: cold start at least 15 s for 132 GiB of weights streamed from "
        "the bucket (Run:ai streamer) at 75.4 Gbps (p5.48xlarge)"
    )
    assert cold_start_notes(platform, platform) == []


def test_a_local_pool_has_no_estimate(tmp_path: Path) -> None:
    platform = load(tmp_path, MINIO)
    assert cold_start(platform, platform.spec.models[0]) is None


def test_prod_prices_the_staged_weights() -> None:
    estimate = estimate_platform(load_blueprint(ROOT / "blueprints" / "prod.yaml"))
    items = {item.name: item for item in estimate.items}
    s3 = items["staged weights (S3)"]
    assert s3.detail == "132 GiB at $0.023/GB-month"
    assert round(s3.monthly.desired, 2) == round(70.6e9 * 2 / 1024**3 * 0.023, 2)
    assert "staged weights (volumes)" not in items


def test_weights_volumes_are_priced_as_gp3(tmp_path: Path) -> None:
    text = EKS.split("      weights:\n")[0] + (
        "      weights: {type: volume, revision: 6f6073b423013f6a7d4d9f39144961bfbfbc386b, "
        "size: 150Gi}\n"
    )
    items = {item.name: item for item in estimate_platform(load(tmp_path, text)).items}
    volumes = items["staged weights (volumes)"]
    assert volumes.detail == "1 PVC(s), 150 GiB at $0.08/GB-month"
    assert volumes.monthly.desired == pytest.approx(150 * 0.08)
    assert "staged weights (S3)" not in items
