"""`affected_stacks`: which stacks a set of changed paths affects (a table), and
`GitFacts` + `affected_at` on a real git repository."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from shipyard.gitops.affected import Stack, affected_between, affected_stacks, discover_stacks
from shipyard.gitops.git_facts import GitFacts, GitFactsError
from shipyard.gitops.revisions import affected_at

STACKS = {
    "dev": Stack("dev", "stacks/Pulumi.dev.yaml", "blueprints/dev.yaml"),
    "staging": Stack("staging", "stacks/Pulumi.staging.yaml", "blueprints/prod.yaml"),
    "prod": Stack("prod", "stacks/Pulumi.prod.yaml", "blueprints/prod.yaml"),
    "edge": Stack("edge", "stacks/Pulumi.edge.yaml", "./blueprints/edge.yaml"),
}
EVERY = ["dev", "staging", "prod", "edge"]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["blueprints/dev.yaml"], ["dev"]),
        (["blueprints/prod.yaml"], ["staging", "prod"]),
        (["blueprints/edge.yaml"], ["edge"]),
        (["stacks/Pulumi.prod.yaml"], ["prod"]),
        (["stacks/Pulumi.unknown.yaml"], []),
        (["components/vllm/component.py"], EVERY),
        (["shipyard/compose.py"], EVERY),
        (["stacks/__main__.py"], EVERY),
        (["policies/PulumiPolicy.yaml"], EVERY),
        (["Pulumi.yaml"], EVERY),
        (["pyproject.toml"], EVERY),
        (["docs/gitops.md", "README.md", "tests/test_render.py"], []),
        ([".github/workflows/pr.yml", "blueprints/schema.json", "Makefile"], []),
        (["blueprints/unused.yaml"], []),
        (["README.md", "blueprints/dev.yaml", "stacks/Pulumi.edge.yaml"], ["dev", "edge"]),
    ],
)
def test_affected_stacks(changed: list[str], expected: list[str]) -> None:
    assert [item.stack.name for item in affected_stacks(changed, STACKS)] == expected


def test_reasons_name_each_path_and_why() -> None:
    [dev] = affected_stacks(
        ["stacks/Pulumi.dev.yaml", "blueprints/dev.yaml"], {"dev": STACKS["dev"]}
    )
    assert dev.reasons == (
        "blueprints/dev.yaml (blueprint)",
        "stacks/Pulumi.dev.yaml (stack config)",
    )


def test_a_moved_blueprint_affects_the_stack_by_old_and_new_file() -> None:
    base = {"dev": STACKS["dev"]}
    head = {"dev": Stack("dev", "stacks/Pulumi.dev.yaml", "blueprints/dev2.yaml")}
    [dev] = affected_between(["blueprints/dev.yaml", "blueprints/dev2.yaml"], base, head)
    assert dev.stack.blueprint == "blueprints/dev2.yaml"
    assert dev.reasons == ("blueprints/dev.yaml (blueprint)", "blueprints/dev2.yaml (blueprint)")


def test_discover_stacks_reads_the_blueprint_key() -> None:
    stacks = discover_stacks(
        {
            "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
            "stacks/Pulumi.qa.yaml": "config:\n  shipyard:blueprint:\n    value: bp/qa.yaml\n",
            "stacks/Pulumi.bare.yaml": "config: {}\n",
            "stacks/__main__.py": "",
        }
    )
    assert {name: s.blueprint for name, s in stacks.items()} == {
        "dev": "blueprints/dev.yaml",
        "qa": "bp/qa.yaml",
        "bare": None,
    }


def commit(repo: git.Repo, files: dict[str, str | None]) -> str:
    root = Path(repo.working_tree_dir or ".")
    for path, text in files.items():
        if text is None:
            repo.index.remove([path], working_tree=True)
            continue
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        repo.index.add([path])
    return str(repo.index.commit("change").hexsha)


def test_git_facts_in_a_project_below_the_repository_root(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    dev = "config:\n  shipyard:blueprint: blueprints/dev.yaml\n"
    prod = "config:\n  shipyard:blueprint: blueprints/prod.yaml\n"
    base = commit(
        repo,
        {
            "infra/Pulumi.yaml": "name: shipyard\n",
            "infra/stacks/Pulumi.dev.yaml": dev,
            "infra/stacks/Pulumi.prod.yaml": prod,
            "infra/blueprints/dev.yaml": "a: 1\n",
            "infra/blueprints/prod.yaml": "a: 1\n",
            "blueprints/dev.yaml": "outside the project\n",
        },
    )
    repo.git.checkout("-b", "change")
    commit(repo, {"infra/blueprints/prod.yaml": None, "blueprints/dev.yaml": "still outside\n"})
    head = commit(repo, {"infra/stacks/Pulumi.prod.yaml": None})
    facts = GitFacts(tmp_path / "infra")
    base_revision, head_revision = facts.resolve("main"), facts.resolve("change")
    assert base_revision.sha == base and head_revision.sha == head
    assert facts.merge_base(base_revision, head_revision).sha == base
    assert facts.changed_paths(base_revision, head_revision) == [
        "blueprints/prod.yaml",
        "stacks/Pulumi.prod.yaml",
    ]
    assert facts.read(base_revision, "blueprints/prod.yaml") == b"a: 1\n"
    assert facts.read(head_revision, "blueprints/prod.yaml") is None
    found, base_stacks, head_stacks, _ = affected_at(facts, base_revision, head_revision)
    assert [item.stack.name for item in found] == ["prod"]
    assert sorted(base_stacks) == ["dev", "prod"] and sorted(head_stacks) == ["dev"]
    with pytest.raises(GitFactsError, match="unknown revision `nope`; fetch it first"):
        facts.resolve("nope")


def test_a_directory_outside_git_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GitFactsError, match="is not inside a git repository"):
        GitFacts(tmp_path)
