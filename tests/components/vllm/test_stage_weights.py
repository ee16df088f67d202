"""The staging Job's script, run for real: the pinned `huggingface_hub` (vLLM 0.33's, 2.4.0)
and `boto3` in their own virtualenv, downloading from a Hub stand-in on 127.0.0.1
(tests/components/vllm/hub_standin.py) into an S3 bucket served by moto on 127.0.0.1, or
into a directory.

It stages only the files the patterns name, checks each against its published checksum,
writes the manifest last, stops at once on a second run, and refuses a corrupted file, a
revision that resolves elsewhere and a model without safetensors. The virtualenv is
installed once per machine into `~/.cache/shipyard/weights-test/` (about 1.5 minutes).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.vllm.staging import SCRIPT
from components.vllm.weights_args import DEFAULT_FILE_PATTERNS
from tests.components.vllm.hub_standin import Repo, hub

REQUIREMENTS = ("huggingface-hub==2.4.0", "boto3==1.44.5", "moto[server]==5.2.5")
CACHE = Path.home() / ".cache" / "shipyard" / "weights-test"
REVISION = "0e9e39f249a16976918f6564b8830bc894c89659"
MODEL = "acme/tiny-llm"
BUCKET = "models"
PREFIX = f"models/{MODEL}/{REVISION}"


def _install() -> Path:
    key = hashlib.sha256(" ".join(REQUIREMENTS).encode()).hexdigest()[:10]
    venv = CACHE / f"venv-{key}"
    python = venv / "bin" / "python"
    if (venv / ".installed").exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    result = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", *REQUIREMENTS],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"installing {REQUIREMENTS} failed:\n{result.stderr[-4000:]}")
    (venv / ".installed").touch()
    return python


@pytest.fixture(scope="module")
def python() -> Path:
    return _install()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def s3(python: Path) -> Iterator[str]:
    """moto's S3 on 127.0.0.1; yields the endpoint URL."""
    port = _free_port()
    server = subprocess.Popen(
        [str(python.parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _env(endpoint: str, s3_url: str | None, home: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "HF_HOME": str(home / "hf"),
        "HF_ENDPOINT": endpoint,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "SHIPYARD_MODEL": MODEL,
        "SHIPYARD_REVISION": REVISION,
        "SHIPYARD_FILES": json.dumps(list(DEFAULT_FILE_PATTERNS)),
        "SHIPYARD_SCRATCH": str(home / "scratch"),
    }
    if s3_url is not None:
        env |= {
            "AWS_ENDPOINT_URL": s3_url,
            "AWS_ACCESS_KEY_ID": "stager",
            "AWS_SECRET_ACCESS_KEY": "stager-secret",
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    return env


def _run(python: Path, env: dict[str, str], dest: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), str(SCRIPT)],
        env={**env, "SHIPYARD_DEST": dest},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _bucket(python: Path, s3_url: str, code: str) -> str:
    """Run boto3 `code` (with `s3` a client) against the bucket; its stdout."""
    program = (
        "import boto3, json, sys\n"
        f"s3 = boto3.client('s3', endpoint_url={s3_url!r}, region_name='us-east-1', "
        "aws_access_key_id='t', aws_secret_access_key='t')\n" + code
    )
    result = subprocess.run([str(python), "-c", program], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _repo(**changes: object) -> Repo:
    files = {
        "config.json": b'{"architectures": ["LlamaForCausalLM"]}\n',
        "tokenizer.json": b'{"version": "1.0"}\n',
        "model-00001-of-00002.safetensors": os.urandom(300_000),
        "model-00002-of-00002.safetensors": os.urandom(200_000),
        "README.md": b"# tiny\n",
        "original/consolidated.00.pth": b"\0" * 1000,
    }
    repo = Repo(MODEL, REVISION, files)
    for key, value in changes.items():
        setattr(repo, key, value)
    return repo


STAGED = {
    "config.json",
    "tokenizer.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
}


def test_stages_into_a_bucket_once_and_verified(python: Path, s3: str, tmp_path: Path) -> None:
    bucket = f"{BUCKET}-once"
    _bucket(python, s3, f"s3.create_bucket(Bucket={bucket!r})")
    repo = _repo()
    with hub(repo) as endpoint:
        env = _env(endpoint, s3, tmp_path)
        first = _run(python, env, f"s3://{bucket}/{PREFIX}")
        assert first.returncode == 0, first.stderr
        assert first.stdout.splitlines()[-1] == (
            f"staged {MODEL}@{REVISION} into s3://{bucket}/{PREFIX}: 4 files, "
            f"{sum(len(repo.files[n]) for n in STAGED)} bytes, verified"
        )
        listed = json.loads(
            _bucket(
                python,
                s3,
                f"print(json.dumps([o['Key'] for o in s3.list_objects_v2(Bucket={bucket!r})"
                "['Contents']]))",
            )
        )
        assert set(listed) == {f"{PREFIX}/{name}" for name in STAGED | {"SHA256SUMS"}} | {
            f"{PREFIX}/.shipyard-staged.json"
        }
        # Every object is byte for byte the published file.
        for name in STAGED:
            body = _bucket(
                python,
                s3,
                f"sys.stdout.write(s3.get_object(Bucket={bucket!r}, Key='{PREFIX}/{name}')"
                "['Body'].read().hex())",
            )
            assert bytes.fromhex(body) == repo.files[name], name
        marker = json.loads(
            _bucket(
                python,
                s3,
                f"sys.stdout.write(s3.get_object(Bucket={bucket!r}, "
                f"Key='{PREFIX}/.shipyard-staged.json')['Body'].read().decode())",
            )
        )
        assert marker["revision"] == REVISION and marker["model"] == MODEL
        assert marker["files"] == {
            name: hashlib.sha256(repo.files[name]).hexdigest() for name in STAGED
        }
        # A second run (the Job replaced, say) finds the manifest and asks the Hub nothing.
        asked = len(repo.requests)
        second = _run(python, env, f"s3://{bucket}/{PREFIX}")
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == (
            f"{MODEL}@{REVISION} is already staged in s3://{bucket}/{PREFIX} (4 files)"
        )
        assert len(repo.requests) == asked
    # The scratch space held one file at a time and is empty again.
    scratch = tmp_path / "scratch"
    assert not [p for p in scratch.rglob("*") if p.is_file() and ".cache" not in p.parts]


def test_a_corrupted_file_is_refused_and_nothing_is_marked_staged(
    python: Path, s3: str, tmp_path: Path
) -> None:
    bucket = f"{BUCKET}-corrupt"
    _bucket(python, s3, f"s3.create_bucket(Bucket={bucket!r})")
    repo = _repo()
    repo.served = {"model-00002-of-00002.safetensors": b"tampered" * 100}
    with hub(repo) as endpoint:
        result = _run(python, _env(endpoint, s3, tmp_path), f"s3://{bucket}/{PREFIX}")
    assert result.returncode == 1
    published = hashlib.sha256(repo.files["model-00002-of-00002.safetensors"]).hexdigest()
    assert result.stderr.strip() == (
        "staging failed: model-00002-of-00002.safetensors: SHA-256 "
        f"{hashlib.sha256(b'tampered' * 100).hexdigest()} does not match the published "
        f"{published}"
    )
    keys = _bucket(
        python,
        s3,
        f"print(json.dumps([o['Key'] for o in s3.list_objects_v2(Bucket={bucket!r})"
        ".get('Contents', [])]))",
    )
    assert f"{PREFIX}/.shipyard-staged.json" not in json.loads(keys)


def test_a_git_file_is_checked_against_its_blob_id(python: Path, tmp_path: Path) -> None:
    repo = _repo()
    repo.served = {"config.json": b'{"architectures": ["Evil"]}\n'}
    with hub(repo) as endpoint:
        result = _run(python, _env(endpoint, None, tmp_path), str(tmp_path / "weights"))
    assert result.returncode == 1
    assert "staging failed: config.json: git blob id" in result.stderr
    assert not (tmp_path / "weights" / ".shipyard-staged.json").exists()
    assert not (tmp_path / "weights" / "config.json").exists()


def test_stages_into_a_directory(python: Path, tmp_path: Path) -> None:
    repo = _repo()
    dest = tmp_path / "weights" / "acme--tiny-llm" / REVISION
    with hub(repo) as endpoint:
        result = _run(python, _env(endpoint, None, tmp_path), str(dest))
    assert result.returncode == 0, result.stderr
    for name in STAGED:
        assert (dest / name).read_bytes() == repo.files[name]
    assert not (dest / "README.md").exists()
    assert not (dest / "original").exists()
    sums = (dest / "SHA256SUMS").read_text().splitlines()
    assert f"{hashlib.sha256(repo.files['config.json']).hexdigest()}  config.json" in sums
    assert json.loads((dest / ".shipyard-staged.json").read_text())["patterns"] == list(
        DEFAULT_FILE_PATTERNS
    )


def test_a_revision_that_resolves_elsewhere_is_refused(python: Path, tmp_path: Path) -> None:
    repo = _repo(resolves_to="1" * 40)
    with hub(repo) as endpoint:
        result = _run(python, _env(endpoint, None, tmp_path), str(tmp_path / "w"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"staging failed: revision {REVISION} of {MODEL} resolves to {'1' * 40}"
    )


def test_a_model_without_safetensors_is_refused(python: Path, tmp_path: Path) -> None:
    repo = _repo()
    repo.files = {k: v for k, v in repo.files.items() if not k.endswith(".safetensors")}
    with hub(repo) as endpoint:
        result = _run(python, _env(endpoint, None, tmp_path), str(tmp_path / "w"))
    assert result.returncode == 1
    assert "has no .safetensors file" in result.stderr


def test_a_missing_setting_is_one_line(python: Path, tmp_path: Path) -> None:
    env = _env("http://127.0.0.1:9", None, tmp_path)
    del env["SHIPYARD_REVISION"]
    result = _run(python, env, str(tmp_path / "w"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "staging failed: the environment variable 'SHIPYARD_REVISION' is not set"
    )
