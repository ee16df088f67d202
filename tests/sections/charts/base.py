"""A blueprint with the test chart (`fixtures/echo`, written for these tests) and a helper
that loads it from a temporary directory, for the charts tests."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ECHO = FIXTURES / "echo"
ROOT = Path(__file__).resolve().parents[3]
FILE = "charts.yaml"

BASE = f"""\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {{name: escape, environment: test}}
spec:
  cluster: {{kind: local}}
  namespace: escape
  charts:
    - name: echo
      path: {ECHO}
      version: 0.3.1
      values:
        replicaCount: 2
        existingSecret: echo-api
      credentials:
        - name: api
          keys: [token]
"""


@functools.cache
def helm_path() -> Path:
    """The Helm CLI from `scripts/helm` (built once, cached); failing to get it fails the
    test that asked: these tests are never skipped."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "helm")], capture_output=True, text=True, timeout=3000
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/helm failed:\n{result.stderr}", pytrace=False)
    return Path(result.stdout.strip().splitlines()[-1])
