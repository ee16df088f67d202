"""package/ with the built CLI and Python language host: what `pulumi package` can and
cannot do with them.

CLI 3.259 hands SDK generation to the language host of the target language
(`GeneratePackage`), and starts a source plugin through its runtime's host
(`RunPlugin`). The Python host buildable here (v3.68.0, docs/e2e.md) predates
`GeneratePackage`, and no Node.js, Go or YAML host is built, so no SDK can be generated
and no non-Python program can consume the package with this toolchain. The test pins
those refusals, exactly, so that a newer host makes it fail and get replaced by the real
round trip (generate an SDK, run a YAML program creating `shipyard:index:KubeRayOperator`).
The schema itself is covered by tests/package/test_shipyard_package.py.

The plugin is never started here: with the old host, `pulumi package get-schema package`
creates a virtualenv inside the plugin directory (the host ignores the `virtualenv`
option), upgrades pip there from PyPI, and then asks for the aws and random provider
plugins, which it tries to download from outside the registries this workplace reaches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from netns_guard import off_loopback, traced

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]


def schema_file(tmp_path: Path) -> Path:
    """The package schema, inferred by the SDK's analyzer from package/ (as the host does)."""
    code = (
        "import json, sys; sys.path.insert(0, 'package');"
        "from pulumi.provider.experimental.component import ComponentProvider;"
        "from shipyard_package import KubeRayOperator;"
        "print(ComponentProvider([KubeRayOperator], 'shipyard', None, '0.1.0').schema)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    path = tmp_path / "schema.json"
    path.write_text(out.stdout)
    assert "shipyard:index:KubeRayOperator" in json.loads(out.stdout)["resources"]
    return path


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("python", "error: method GeneratePackage not implemented"),
        ("nodejs", "no language plugin 'pulumi-language-nodejs' found"),
        ("go", "no language plugin 'pulumi-language-go' found"),
    ],
)
def test_sdk_generation_needs_a_newer_language_host(
    language: str, refusal: str, tmp_path: Path, toolchain_bin: Path, pulumi_home: Path
) -> None:
    schema = schema_file(tmp_path)
    trace = tmp_path / "gen-sdk.strace"
    env = {
        "PATH": f"{toolchain_bin}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_HOME": str(pulumi_home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "HOME": str(tmp_path),
    }
    command = ["pulumi", "package", "gen-sdk", str(schema), "--language", language]
    result = subprocess.run(
        traced([*command, "--out", str(tmp_path / "sdk")], trace),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert refusal in result.stdout + result.stderr
    assert not (tmp_path / "sdk").exists() or not any((tmp_path / "sdk").rglob("*.ts"))
    off_loopback("pulumi package gen-sdk", trace, lambda connect: False, connects_expected=False)
