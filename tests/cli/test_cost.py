"""`shipyard cost`: exit codes, the table and the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint

from .conftest import Invoke

PROD = Path(__file__).resolve().parents[2] / "blueprints" / "prod.yaml"


def test_table_has_every_pool_and_the_total(invoke: Invoke) -> None:
    result = invoke(["cost", "blueprints/prod.yaml"])
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
    platform = load_blueprint(PROD)
    assert [pool["name"] for pool in data["pools"]] == [p.name for p in platform.spec.node_pools]
    # Hand-worked: pools system 2 x 0.4032, gpu-a10g 4 x 1.006 and gpu-burst 2 x 2.24208
    # (raised from their declared desired to what the models start with: qwen-32b's
    # prefill and decode servers), gpu-h100 1 x 55.04, x 730 h; caches 500 GiB (one per
    # qwen-32b role) and node disks (2 x 100 + 4 x 200 + 500 + 2 x 100)
    # GiB at 0.08; data volumes 1090 GiB (Postgres 300, Kafka 330, ClickHouse 400, Keeper 30,
    # the cache 30) at 0.08; llama-70b's staged weights in S3 (70.6e9 parameters x 2 bytes)
    # at 0.023; control plane 0.10 x 730; one NAT gateway 0.045 x 730 + 500 GB x 0.045.
    desired = (
        (2 * 0.4032 + 4 * 1.006 + 55.04 + 2 * 2.24208) * 730
        + (500 + 1700 + 1090) * 0.08
        + 70.6e9 * 2 / 1024**3 * 0.023
        + 0.10 * 730
        + 0.045 * 730
        + 500 * 0.045
    )
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


def test_against_head_1_on_a_temp_repo(invoke: Invoke, tmp_path: Path) -> None:
    import git

    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "test").set_value("user", "email", "test@example.com")
    blueprint = tmp_path / "blueprints" / "prod.yaml"
    blueprint.parent.mkdir()
    text = PROD.read_text(encoding="utf-8")
    blueprint.write_text(text, encoding="utf-8")
    repo.index.add([str(blueprint)])
    repo.index.commit("prod")
    system = (
        "    - name: system\n"
        "      instanceType: m7i.2xlarge\n"
        "      size: {min: 2, max: 4, desired: 2}"
    )
    assert system in text
    blueprint.write_text(text.replace(system, system.replace("desired: 2", "desired: 3")))
    repo.index.add([str(blueprint)])
    repo.index.commit("one more system node")

    result = invoke(["cost", str(blueprint), "--against", "HEAD~1", "--output", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    one_node = 0.4032 * 730 + 100 * 0.08  # an m7i.2xlarge month and its 100 GiB gp3 root volume
    assert data["against"]["revision"] == "HEAD~1"
    assert data["difference"]["desired"] == pytest.approx(one_node)
    assert data["difference"]["min"] == pytest.approx(0.0)
    assert data["difference"]["max"] == pytest.approx(0.0)

    text_result = invoke(["cost", str(blueprint), "--against", "HEAD~1"])
    assert text_result.exit_code == 0, text_result.output
    assert f"change since HEAD~1: min +0.00, desired +{one_node:,.2f}, max +0.00 USD/month" in (
        text_result.stdout
    )


def test_against_an_unknown_revision_is_a_user_error(invoke: Invoke, tmp_path: Path) -> None:
    import git

    git.Repo.init(tmp_path)
    blueprint = tmp_path / "prod.yaml"
    blueprint.write_text(PROD.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke(["cost", str(blueprint), "--against", "HEAD~1"])
    assert result.exit_code == 2  # a usage error: no such revision in an empty repository
    assert result.stderr == "error: `--against`: unknown revision `HEAD~1`\n"


def test_over_budget_prints_the_breakdown_then_fails(invoke: Invoke, tmp_path: Path) -> None:
    over = tmp_path / "over.yaml"
    text = PROD.read_text()
    assert "monthlyUsd: 50000" in text
    over.write_text(text.replace("monthlyUsd: 50000", "monthlyUsd: 1000"))
    desired = load_blueprint(PROD)
    result = invoke(["cost", str(over)])
    assert result.exit_code == 1
    # The table that explains the overrun is still printed.
    assert "pool gpu-a10g" in result.stdout and "total" in result.stdout
    assert f"{over}: spec.budget.monthlyUsd: the estimate at desired sizes is $" in result.stderr
    assert "over the budget of $1,000.00" in result.stderr
    assert "Traceback" not in result.output
    assert desired.spec.budget is not None and desired.spec.budget.monthly_usd == 50000


def _repo_with(tmp_path: Path, files: dict[str, str]) -> Path:
    import git

    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "test").set_value("user", "email", "test@example.com")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
        repo.index.add([str(tmp_path / name)])
    repo.index.commit("first")
    return tmp_path


def test_against_an_unknown_revision_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    root = _repo_with(tmp_path, {"blueprints/prod.yaml": PROD.read_text(encoding="utf-8")})
    result = invoke(["cost", str(root / "blueprints/prod.yaml"), "--against", "no-such-rev"])
    assert result.exit_code == 2
    assert result.stderr == "error: `--against`: unknown revision `no-such-rev`\n"


def test_a_new_blueprints_change_is_its_whole_cost(invoke: Invoke, tmp_path: Path) -> None:
    root = _repo_with(tmp_path, {"README": "x\n"})
    blueprint = root / "blueprints" / "prod.yaml"
    blueprint.parent.mkdir()
    blueprint.write_text(PROD.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke(["cost", str(blueprint), "--against", "HEAD", "--output", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["difference"] == {
        key: pytest.approx(data["total"][key]) for key in ("min", "desired", "max")
    }
    assert data["total"]["desired"] > 0
