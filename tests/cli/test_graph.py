"""`shipyard graph BLUEPRINT`: Mermaid source, JSON and SVG/PNG, to stdout or a file; exit 1
on an invalid blueprint, 2 when the Mermaid CLI is missing; `--help` loads no Pulumi SDK."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.graph.build import build_graph
from shipyard.graph.mermaid import to_mermaid
from shipyard.graph.svg import MMDC_ENV
from tests.conftest import DEV_BLUEPRINT, PROD_BLUEPRINT, PROJECT_ROOT
from tests.graph.mermaid_cli import mmdc

from .conftest import Invoke


def test_mermaid_is_the_default(invoke: Invoke) -> None:
    result = invoke(["graph", "blueprints/prod.yaml"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == to_mermaid(build_graph(load_blueprint(PROD_BLUEPRINT)))
    assert result.stdout.startswith('---\ntitle: "shipyard-prod (prod)"\n---\nflowchart TB\n')
    assert result.stderr == ""


def test_json_is_sorted_and_stable(invoke: Invoke) -> None:
    first = invoke(["graph", "blueprints/dev.yaml", "--format", "json"])
    second = invoke(["graph", "blueprints/dev.yaml", "--format", "json"])
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert first.stdout == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert data == build_graph(load_blueprint(DEV_BLUEPRINT)).to_json()
    assert [node["id"] for node in data["nodes"]] == [
        "gateway/ai-gateway",
        "model/qwen-small",
        "ray/ray",
        "nodePool/gpu-small",
    ]


def test_out_writes_the_file(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "dev.mmd"
    result = invoke(["graph", "blueprints/dev.yaml", "--out", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    assert out.read_text() == to_mermaid(build_graph(load_blueprint(DEV_BLUEPRINT)))


def test_an_invalid_blueprint_exits_1_at_its_line(invoke: Invoke, write_blueprint) -> None:
    text = DEV_BLUEPRINT.read_text().replace("      replicas: 1\n", "      replica: 1\n")
    path = write_blueprint(text, "broken.yaml")
    line = text.splitlines().index("      replica: 1") + 1
    result = invoke(["graph", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"broken.yaml:{line}:7: spec.models[0].replica: unknown field `replica`" in result.stderr


def test_svg_without_the_mermaid_cli_says_how_to_get_it(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MMDC_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = invoke(["graph", "blueprints/dev.yaml", "--format", "svg"])
    assert result.exit_code == 2
    assert "error: rendering needs the Mermaid CLI: run `scripts/mermaid`" in result.stderr


def test_png_by_the_real_mermaid_cli(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MMDC_ENV, mmdc())
    png = tmp_path / "prod.png"
    result = invoke(["graph", "blueprints/prod.yaml", "--format", "png", "--out", str(png)])
    assert result.exit_code == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    assert width > 2000 and height > 900  # prod at its natural size


def test_help_loads_no_pulumi_sdk() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from shipyard.cli.main import cli\n"
        "result = CliRunner().invoke(cli, ['graph', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert '--format [mermaid|svg|png|json]' in result.output, result.output\n"
        "print(sorted(m for m in sys.modules if m.startswith('pulumi')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
