"""Arguments of staged weights: a model's files copied once from Hugging Face into a
bucket or a shared volume by a staging Job, then streamed into vLLM from there.

The Job downloads one pinned revision (a commit), checks every file against the
checksum Hugging Face publishes for it, and writes a manifest last; vLLM loads with the
Run:ai model streamer (`--load-format runai_streamer`), from S3/MinIO or the volume.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from components.shared.args import ComponentArgs, StorageSize, problem_validator
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.secret_refs import SecretKeyRef

# Run:ai streamer threads per file; the streamer's own default is 8 for object storage
# and 16 for a file system (runai-model-streamer docs/src/env-vars.md). vLLM takes it as
# `--model-loader-extra-config '{"concurrency": N}'` (keys distributed, concurrency,
# memory_limit in vllm 0.33 model_loader/runai_streamer_loader.py).
DEFAULT_STREAMER_CONCURRENCY = 16
# What a model directory needs to load with the streamer: safetensors shards, configs
# and tokenizer files. Original checkpoints (`original/*.pth`) double the size and are
# never loaded, so they are left out.
DEFAULT_FILE_PATTERNS = (
    "*.safetensors",
    "*.json",
    "*.model",
    "*.tiktoken",
    "*.txt",
    "*.jinja",
)
DEFAULT_STAGING_DEADLINE_SECONDS = 4 * 3600
DEFAULT_SCRATCH_SIZE = "64Gi"
"""Room for the largest file while it is checked and uploaded (shards are 5 GB)."""
WEIGHTS_MOUNT = "/weights"

_COMMIT = re.compile(r"[0-9a-f]{40}")


def revision_problem(revision: str) -> str | None:
    """Why `revision` is not a full commit hash, or None. A branch or tag can move, and
    then the checksums staged would not be the files served."""
    if _COMMIT.fullmatch(revision):
        return None
    return (
        f"`{revision}` is not a commit: stage a pinned revision, the 40-character hash of "
        "the Hugging Face commit (its page's 'History')"
    )


Revision = Annotated[str, problem_validator(revision_problem)]


class ObjectStoreWeights(ComponentArgs):
    """An S3 bucket (IRSA credentials) or MinIO (credentials and CA from Secrets)."""

    kind: Annotated[Literal["objectStore"], Field(description="`objectStore`.")] = "objectStore"
    bucket: Annotated[str, Field(min_length=3, description="The bucket.")]
    prefix: Annotated[
        str,
        Field(pattern=r"^[^/].*[^/]$", description="Key prefix of the model's files."),
    ]
    endpoint_url: Annotated[
        str | None,
        Field(pattern=r"^https?://", description="An S3-compatible endpoint; none: AWS S3."),
    ] = None
    region: Annotated[str | None, Field(description="AWS region of the bucket.")] = None
    service_account: Annotated[
        Dns1123Label | None,
        Field(description="Service account the bucket's IRSA role trusts (AWS S3)."),
    ] = None
    reader_secret: Annotated[
        Dns1123Label | None,
        Field(description="Secret with `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, read-only."),
    ] = None
    stager_secret: Annotated[
        Dns1123Label | None,
        Field(description="The same for the staging Job, which writes."),
    ] = None
    ca: Annotated[
        SecretKeyRef | None,
        Field(description="The CA certificate a private endpoint's TLS chains to."),
    ] = None


class VolumeWeights(ComponentArgs):
    """A ReadWriteMany volume: the Job writes it once, every replica mounts it read-only."""

    kind: Annotated[Literal["volume"], Field(description="`volume`.")] = "volume"
    size: Annotated[StorageSize, Field(description="PVC size, e.g. `200Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="A ReadWriteMany StorageClass (EFS, say).")
    ] = None


class StagedWeights(ComponentArgs):
    revision: Annotated[Revision, Field(description="The Hugging Face commit to stage.")]
    store: Annotated[
        ObjectStoreWeights | VolumeWeights,
        Field(discriminator="kind", description="Where the files are staged."),
    ]
    concurrency: Annotated[
        int,
        Field(
            ge=1,
            le=256,
            description=f"Streamer threads; default `{DEFAULT_STREAMER_CONCURRENCY}`.",
        ),
    ] = DEFAULT_STREAMER_CONCURRENCY
    files: Annotated[
        tuple[str, ...],
        Field(min_length=1, description="Glob patterns of the files staged."),
    ] = DEFAULT_FILE_PATTERNS
    job_image: Annotated[
        PinnedImage | None,
        Field(
            description="The staging Job's image (Python with huggingface_hub and boto3); "
            "none: the vLLM image, which has both."
        ),
    ] = None
    deadline_seconds: Annotated[
        int,
        Field(
            ge=300,
            description=f"The Job's deadline; default `{DEFAULT_STAGING_DEADLINE_SECONDS}`.",
        ),
    ] = DEFAULT_STAGING_DEADLINE_SECONDS
    scratch_size: Annotated[
        StorageSize,
        Field(description=f"The Job's scratch space; default `{DEFAULT_SCRATCH_SIZE}`."),
    ] = DEFAULT_SCRATCH_SIZE
