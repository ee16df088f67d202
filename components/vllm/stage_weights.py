"""Stage one Hugging Face model revision into a bucket or a directory, once, verified.

The staging Job (`components/vllm/staging.py`) runs this file with the vLLM image's
Python, which has huggingface_hub and boto3. Configuration comes from the environment:

    SHIPYARD_MODEL     the repository, e.g. `meta-llama/Llama-3.1-8B-Instruct`
    SHIPYARD_REVISION  the commit to stage (40 hex characters)
    SHIPYARD_FILES     a JSON list of glob patterns of the files to stage
    SHIPYARD_DEST      `s3://<bucket>/<prefix>` or a directory on a mounted volume
    SHIPYARD_SCRATCH   a directory that holds one file at a time (bucket destinations)
    HF_TOKEN, HF_ENDPOINT, AWS_*   read by huggingface_hub and boto3 themselves

Every file is checked against the checksum Hugging Face publishes for it (the SHA-256 of
an LFS file, the git blob id of any other) before it is kept. A manifest
(`.shipyard-staged.json`, with each file's SHA-256, and `SHA256SUMS`) is written last,
so a destination holding it is complete: a later run finds it and stops without
contacting Hugging Face. Exit 0 when staged, 1 with one line on stderr otherwise.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = ".shipyard-staged.json"
SUMS = "SHA256SUMS"
CHUNK = 8 * 1024 * 1024


class StagingError(Exception):
    """A problem the Job reports in one line and exits 1 for."""


@dataclass(frozen=True)
class RepoFile:
    name: str
    size: int
    sha256: str | None
    """Of an LFS file, as Hugging Face publishes it."""
    blob_id: str | None
    """The git blob id (SHA-1) of a file kept in git itself."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def git_blob_id(path: Path) -> str:
    """`git hash-object`: SHA-1 of `blob <size>\\0` and the content."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode(), usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def wanted(siblings: list[Any], patterns: list[str]) -> list[RepoFile]:
    """The repository's files matching `patterns`, with their published checksums."""
    files = []
    for sibling in siblings:
        name = sibling.rfilename
        if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
            continue
        lfs = sibling.lfs
        files.append(
            RepoFile(
                name=name,
                size=int(lfs.size if lfs else sibling.size or 0),
                sha256=lfs.sha256 if lfs else None,
                blob_id=None if lfs else sibling.blob_id,
            )
        )
    return sorted(files, key=lambda f: f.name)


def verify(path: Path, expected: RepoFile) -> str:
    """The file's SHA-256 once it matches what Hugging Face published; else an error."""
    actual = file_sha256(path)
    if expected.sha256 is not None and actual != expected.sha256:
        raise StagingError(
            f"{expected.name}: SHA-256 {actual} does not match the published {expected.sha256}"
        )
    if expected.sha256 is None:
        if expected.blob_id is None:
            raise StagingError(f"{expected.name}: Hugging Face published no checksum for it")
        blob = git_blob_id(path)
        if blob != expected.blob_id:
            raise StagingError(
                f"{expected.name}: git blob id {blob} does not match the published "
                f"{expected.blob_id}"
            )
    return actual


class Bucket:
    def __init__(self, url: str) -> None:
        import boto3  # type: ignore[import-not-found]  # in the vLLM image

        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client("s3")

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def marker(self) -> dict[str, Any] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(MARKER))["Body"]
        except self.client.exceptions.NoSuchKey:
            return None
        loaded: dict[str, Any] = json.loads(body.read())
        return loaded

    def put(self, name: str, path: Path) -> None:
        # S3 checks each part against the SHA-256 boto3 sends with it.
        self.client.upload_file(
            str(path), self.bucket, self.key(name), ExtraArgs={"ChecksumAlgorithm": "SHA256"}
        )

    def put_text(self, name: str, text: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.key(name), Body=text.encode(), ChecksumAlgorithm="SHA256"
        )


class Directory:
    def __init__(self, path: str) -> None:
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)

    def marker(self) -> dict[str, Any] | None:
        path = self.root / MARKER
        if not path.exists():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    def put_text(self, name: str, text: str) -> None:
        partial = self.root / f"{name}.partial"
        partial.write_text(text)
        partial.replace(self.root / name)


def stage(model: str, revision: str, patterns: list[str], dest: str, scratch: Path) -> str:
    """Stage the files and return what happened, in one line."""
    from huggingface_hub import HfApi, hf_hub_download  # type: ignore[import-not-found]

    target: Bucket | Directory = Bucket(dest) if dest.startswith("s3://") else Directory(dest)
    marker = target.marker()
    expected_marker = {"model": model, "revision": revision, "patterns": patterns}
    if marker is not None and {k: marker.get(k) for k in expected_marker} == expected_marker:
        return f"{model}@{revision} is already staged in {dest} ({len(marker['files'])} files)"
    api = HfApi(token=os.environ.get("HF_TOKEN") or None)
    info = api.model_info(model, revision=revision, files_metadata=True)
    if info.sha != revision:
        raise StagingError(f"revision {revision} of {model} resolves to {info.sha}")
    files = wanted(list(info.siblings or []), patterns)
    if not any(f.name.endswith(".safetensors") for f in files):
        raise StagingError(
            f"{model}@{revision} has no .safetensors file matching {patterns}; the streamer "
            "loads only safetensors"
        )
    sums: dict[str, str] = {}
    for repo_file in files:
        local_dir = target.root if isinstance(target, Directory) else scratch
        local = Path(hf_hub_download(model, repo_file.name, revision=revision, local_dir=local_dir))
        try:
            sums[repo_file.name] = verify(local, repo_file)
        except StagingError:
            local.unlink()
            raise
        if isinstance(target, Bucket):
            target.put(repo_file.name, local)
            local.unlink()
        print(f"staged {repo_file.name} ({repo_file.size} bytes, sha256 {sums[repo_file.name]})")
    target.put_text(SUMS, "".join(f"{digest}  {name}\n" for name, digest in sums.items()))
    target.put_text(MARKER, json.dumps({**expected_marker, "files": sums}, sort_keys=True))
    total = sum(f.size for f in files)
    return f"staged {model}@{revision} into {dest}: {len(files)} files, {total} bytes, verified"


def main() -> int:
    env = os.environ
    try:
        message = stage(
            env["SHIPYARD_MODEL"],
            env["SHIPYARD_REVISION"],
            list(json.loads(env["SHIPYARD_FILES"])),
            env["SHIPYARD_DEST"],
            Path(env.get("SHIPYARD_SCRATCH", "/scratch")),
        )
    except StagingError as error:
        print(f"staging failed: {error}", file=sys.stderr)
        return 1
    except KeyError as missing:
        print(f"staging failed: the environment variable {missing} is not set", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
