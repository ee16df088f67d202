"""`shipyard affected`: the stacks a change affects, in promotion order, on a real git repo."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from click.testing import CliRunner, Result

from shipyard.cli.main import cli
from shipyard.gitops.git_facts import NULL_SHA

STACKS = {
    "Pulumi.yaml": "name: shipyard\nruntime: python\n",
    "stacks/Pulumi.prod.yaml": "config:\n  shipyard:blueprint: blueprints/prod.yaml\n",
    "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
    "stacks/Pulumi.staging.yaml": "config:\n  shipyard:blueprint: blueprints/prod.yaml\n",
    "blueprints/dev.yaml": "kind: Platform\n",
    "blueprints/prod.yaml": "kind: Platform\n",
}


def commit(repo: git.Repo, files: dict[str, str]) -> str:
    root = Path(repo.working_tree_dir or ".")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    repo.index.add(list(files))
    return str(repo.index.commit("change").hexsha)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> git.Repo:
    repository = git.Repo.init(tmp_path, initial_branch="main")
    with repository.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    commit(repository, STACKS)
    monkeypatch.chdir(tmp_path)
    return repository


def affected(*args: str) -> Result:
    return CliRunner().invoke(cli, ["affected", *args], catch_exceptions=False)


def test_json_lists_stacks_in_promotion_order_with_reasons(repo) -> None:
    base = repo.head.commit.hexsha
    head = commit(repo, {"blueprints/prod.yaml": "kind: Platform\n# bigger\n"})
    result = affected("--base", base, "--head", head, "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["stacks"] == ["staging", "prod"]
    assert document["details"][0] == {
        "stack": "staging",
        "config": "stacks/Pulumi.staging.yaml",
        "blueprint": "blueprints/prod.yaml",
        "reasons": ["blueprints/prod.yaml (blueprint)"],
    }
    assert (document["base"], document["head"]) == (base, head)


def test_text_names_each_stack_and_why(repo) -> None:
    base = repo.head.commit.hexsha
    commit(
        repo, {"stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n#\n"}
    )
    result = affected("--base", base)
    assert result.stdout == "dev\n  stacks/Pulumi.dev.yaml (stack config)\n"


def test_all_and_the_null_base_give_every_stack(repo) -> None:
    for args in (["--all"], ["--base", NULL_SHA]):
        result = affected(*args, "--format", "json")
        assert json.loads(result.stdout)["stacks"] == ["dev", "staging", "prod"]


def test_docs_only_affect_nothing(repo) -> None:
    base = repo.head.commit.hexsha
    commit(repo, {"docs/gitops.md": "# GitOps\n"})
    assert affected("--base", base).stdout == "no stack is affected\n"


def test_usage_errors_exit_2(repo) -> None:
    assert affected().exit_code == 2
    result = affected("--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown revision `no-such-branch`" in result.stderr
