"""scripts/verify-sha256, which the Dockerfile runs on the Pulumi CLI tarball before
unpacking it (security review, issue 22, Low 4): a real file, real hashes."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "verify-sha256"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=30, check=False
    )


def test_the_right_hash_passes_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "pulumi.tar.gz"
    tarball.write_bytes(b"pulumi cli")
    digest = hashlib.sha256(b"pulumi cli").hexdigest()
    assert run(str(tarball), digest).returncode == 0
    assert run(str(tarball), digest.upper()).returncode == 0
    wrong = run(str(tarball), "0" * 64)
    assert wrong.returncode == 1
    assert f"has SHA-256 {digest}, expected {'0' * 64}; refusing it." in wrong.stderr


def test_a_missing_or_malformed_hash_is_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "pulumi.tar.gz"
    tarball.write_bytes(b"x")
    for given in ("", "abc", "g" * 64):
        result = run(str(tarball), given)
        assert result.returncode == 2
        assert "must be 64 hex digits" in result.stderr


def test_the_dockerfile_verifies_before_unpacking_and_requires_the_hash() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG PULUMI_SHA256$", text, re.M)  # no default: must be given
    verify = text.index('verify-sha256 /tmp/pulumi.tar.gz "${PULUMI_SHA256}"')
    assert verify < text.index("tar -xzf /tmp/pulumi.tar.gz")
    assert "| tar" not in text  # never unpack a download straight from the pipe
