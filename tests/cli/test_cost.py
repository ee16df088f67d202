"""`shipyard cost`: exit codes, the table and the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Invoke


def test_table_has_every_pool_and_the_total(invoke: Invoke) -> None:
    result = invoke(["cost", "blueprints/prod-eks.yaml"])
    assert result.exit_code == 0, result.output
    for needle in (
        "pool system",
        "pool gpu-a10g",
        "pool gpu-h100",
        "EKS control plane",
        "NAT",
        "total",
    ):
        assert needle in result.stdout
    assert "$1,468.76" in result.stdout  # gpu-a10g: 2 x 1.006 x 730
    assert "assumes 500 GB a month through NAT" in result.stdout


def test_json_totals(invoke: Invoke) -> None:
    result = invoke(["cost", "blueprints/prod.yaml", "--output", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [pool["name"] for pool in data["pools"]] == ["system", "gpu-a10g", "gpu-h100"]
    desired = (2 * 0.4032 + 2 * 1.006 + 55.04) * 730 + 500 * 0.08
    assert data["total"]["desired"] == pytest.approx(desired)
    assert data["region"] == "us-east-1"


def test_format_is_an_alias_and_against_a_revision(invoke: Invoke) -> None:
    result = invoke(["cost", "blueprints/prod.yaml", "--format", "json", "--against", "HEAD"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["against"]["revision"] == "HEAD"
    assert set(data["difference"]) == {"min", "desired", "max"}


def test_invalid_blueprint_exits_1(invoke: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: shipyard.dev/v1alpha1\nkind: Platform\n", encoding="utf-8")
    result = invoke(["cost", str(bad)])
    assert result.exit_code == 1
    assert "is invalid" in result.stderr
