"""`shipyard plan` on a real git repository in a temp dir holding a copy of the project's
program, stack configs and blueprints: two revisions, rendered for real under mocks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import git
import pytest
from click.testing import CliRunner, Result

from shipyard.cli.main import cli
from shipyard.graph.mermaid import EDGE_STYLES, MARK_STYLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
PROJECT_FILES = ("Pulumi.yaml", "stacks/__main__.py", "blueprints/dev.yaml", "blueprints/prod.yaml")
PROD_CONFIG = "config:\n  shipyard:blueprint: blueprints/prod.yaml\n"


def commit(repo: git.Repo, message: str, files: dict[str, str]) -> str:
    root = Path(repo.working_tree_dir or ".")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    repo.index.add(list(files))
    return str(repo.index.commit(message).hexsha)


def edit(repo: git.Repo, path: str, old: str, new: str) -> dict[str, str]:
    text = (Path(repo.working_tree_dir or ".") / path).read_text(encoding="utf-8")
    assert old in text
    return {path: text.replace(old, new, 1)}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[git.Repo]:
    """A project repo with `dev` and `prod` stacks on `main`, and a `change` branch checked out."""
    root = tmp_path / "project"
    repository = git.Repo.init(root, initial_branch="main")
    with repository.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    files = {path: (PROJECT_ROOT / path).read_text(encoding="utf-8") for path in PROJECT_FILES}
    files["stacks/Pulumi.dev.yaml"] = (PROJECT_ROOT / "stacks/Pulumi.dev.yaml").read_text()
    files["stacks/Pulumi.prod.yaml"] = PROD_CONFIG
    commit(repository, "base", files)
    repository.git.checkout("-b", "change")
    monkeypatch.chdir(root)
    yield repository
    shutil.rmtree(root, ignore_errors=True)


def plan(*args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", "--base", "main", *args], catch_exceptions=False)


def scale_dev(repo: git.Repo) -> None:
    text = edit(repo, "blueprints/dev.yaml", "      replicas: 1\n", "      replicas: 2\n")
    commit(repo, "scale qwen-small", text)


DEV_COST = (
    "+$0/month at desired size ($0 -> $0); at max size $0 -> $0; not priced: pool `gpu-small`"
)
"""The dev blueprint's pool has no `instanceType`, so nothing in it has a price."""


def sha(repo: git.Repo, revision: str) -> str:
    return str(repo.commit(revision).hexsha)[:7]


def test_text_plan_of_a_replica_change(repo) -> None:
    scale_dev(repo)
    result = plan()
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"shipyard plan: main ({sha(repo, 'main')}) -> HEAD ({sha(repo, 'HEAD')})\n"
        "Affected stacks: dev (not affected: prod)\n"
        "\n"
        "== dev (blueprints/dev.yaml): ok ==\n"
        "  why: blueprints/dev.yaml (blueprint)\n"
        "  blueprint:\n"
        "    - model `qwen-small`: replicas 1 -> 2\n"
        "  resources: 0 to create, 1 to update, 0 to replace, 0 to delete\n"
        "    update  kubernetes:apps/v1:Deployment qwen-small: spec.replicas\n"
        "  policies:\n"
        "    no violations\n"
        f"  cost: {DEV_COST}\n"
    )


def test_markdown_plan_is_one_marked_comment(repo) -> None:
    scale_dev(repo)
    result = plan("--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "<!-- shipyard-plan -->\n"
        "## Shipyard plan\n"
        "\n"
        f"`main` ({sha(repo, 'main')}) → `HEAD` ({sha(repo, 'HEAD')})\n"
        "\n"
        "| stack | result | create | update | replace | delete |\n"
        "| --- | --- | ---: | ---: | ---: | ---: |\n"
        "| `dev` | ok | 0 | 1 | 0 | 0 |\n"
        "\n"
        "Not affected: `prod`\n"
        "\n"
        "### `dev`: ok\n"
        "\n"
        "Blueprint: `blueprints/dev.yaml`\n"
        "\n"
        "**Blueprint changes**\n"
        "\n"
        "- model `qwen-small`: replicas 1 -> 2\n"
        "\n"
        "**Resources**: 0 to create, 1 to update, 0 to replace, 0 to delete\n"
        "\n"
        "| action | resource | changed fields |\n"
        "| --- | --- | --- |\n"
        "| update | `kubernetes:apps/v1:Deployment` `qwen-small` | `spec.replicas` |\n"
        "\n"
        "**Policies**\n"
        "\n"
        "- no violations\n"
        "\n"
        f"**Cost**: {DEV_COST}\n"
        "\n"
        "<details><summary>Diagram: 1 node modified, 1 edge modified</summary>\n"
        "\n"
        "```mermaid\n"
        "flowchart TB\n"
        '  subgraph layer_serving["Serving"]\n'
        '    gateway_ai_gateway{{"<b>ai-gateway</b><br/>LiteLLM x1"}}\n'
        '    model_qwen_small("<b>qwen-small</b><br/>Qwen/Qwen2.5-0.5B-Instruct")\n'
        '    ray_ray("<b>ray</b><br/>RayCluster · Ray 2.52.0")\n'
        "  end\n"
        '  subgraph layer_compute["Compute"]\n'
        '    nodePool_gpu_small["<b>gpu-small</b><br/>1x nvidia-a10g<br/>1-3 nodes"]\n'
        "  end\n"
        '  gateway_ai_gateway -->|"default"| model_qwen_small\n'
        '  model_qwen_small -->|"1 x 1 GPU → 2 x 1 GPU"| nodePool_gpu_small\n'
        '  ray_ray -->|"gpu x0-1 x 1 GPU"| nodePool_gpu_small\n'
        f"  classDef added {MARK_STYLES['added']}\n"
        f"  classDef modified {MARK_STYLES['modified']}\n"
        f"  classDef removed {MARK_STYLES['removed']}\n"
        '  subgraph legend["Changes"]\n'
        '    legend_added["added"]:::added\n'
        '    legend_modified["modified"]:::modified\n'
        '    legend_removed["removed"]:::removed\n'
        "  end\n"
        "  class model_qwen_small modified\n"
        f"  linkStyle 1 {EDGE_STYLES['modified']}\n"
        "```\n"
        "\n"
        "The head revision's blueprint, as `shipyard graph` draws it; green is added, amber "
        "modified, red and dashed removed.\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary>Why this stack is affected</summary>\n"
        "\n"
        "- `blueprints/dev.yaml (blueprint)`\n"
        "\n"
        "</details>\n"
    )


def test_a_stateful_replacement_is_flagged_in_json_and_markdown(repo) -> None:
    old, new = "size: 100Gi, storageClass: efs-sc", "size: 100Gi, storageClass: gp3"
    commit(repo, "move the llama-8b cache", edit(repo, "blueprints/prod.yaml", old, new))
    result = plan("--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["changedPaths"] == ["blueprints/prod.yaml"]
    assert document["unaffected"] == ["dev"]
    [prod] = document["stacks"]
    assert (prod["stack"], prod["status"], prod["failed"]) == ("prod", "ok", False)
    assert prod["summary"] == ["model `llama-8b`: cache.storageClass efs-sc -> gp3"]
    assert prod["counts"] == {"create": 0, "update": 0, "replace": 1, "delete": 0}
    [change] = prod["changes"]
    urn = change.pop("urn")
    assert urn.endswith(
        "::shipyard:serving:VllmService$kubernetes:core/v1:PersistentVolumeClaim::llama-8b"
    )
    assert change == {
        "action": "replace",
        "type": "kubernetes:core/v1:PersistentVolumeClaim",
        "name": "llama-8b",
        "fields": ["spec.storageClassName"],
        "replaceFields": ["spec.storageClassName"],
        "stateful": True,
        "destroysData": True,
    }
    assert prod["cost"].startswith("+$0/month at desired size")
    markdown = plan("--format", "markdown").stdout
    assert (
        "> [!CAUTION]\n"
        "> **Stateful resources are replaced or deleted:**\n"
        "> - `prod`: replaces kubernetes:core/v1:PersistentVolumeClaim llama-8b "
        "(forced by spec.storageClassName): its data is lost\n"
    ) in markdown
    assert (
        "| **replace** (stateful) | `kubernetes:core/v1:PersistentVolumeClaim` `llama-8b` | "
        "`spec.storageClassName` (forces replacement) |\n"
    ) in markdown


def test_an_invalid_head_blueprint_shows_file_line_and_exits_1(repo) -> None:
    typo = edit(
        repo, "blueprints/dev.yaml", "      maxModelLen: 8192\n", "      maxModelLenn: 8192\n"
    )
    commit(repo, "typo", typo)
    line = typo["blueprints/dev.yaml"].splitlines().index("      maxModelLenn: 8192") + 1
    result = plan()
    assert result.exit_code == 1
    assert (
        "== dev (blueprints/dev.yaml): INVALID blueprint ==\n"
        "  why: blueprints/dev.yaml (blueprint)\n"
        "  errors:\n"
        f"    blueprints/dev.yaml:{line}:7: spec.models[0].maxModelLenn: unknown field "
        "`maxModelLenn`; did you mean `maxModelLen`?\n"
    ) in result.stdout
    assert result.stderr == "plan failed for: dev\n"


def test_changes_outside_every_stack_plan_nothing(repo) -> None:
    commit(repo, "docs", {"README.md": "# notes\n"})
    result = plan()
    assert result.exit_code == 0
    assert result.stdout.endswith("No stack is affected by these changes.\n")


def test_an_unknown_base_is_a_usage_error(repo) -> None:
    result = CliRunner().invoke(cli, ["plan", "--base", "nope"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "unknown revision `nope`" in result.stderr


def test_json_plan_names_what_the_change_does_to_the_picture(repo) -> None:
    scale_dev(repo)
    result = plan("--format", "json")
    assert result.exit_code == 0, result.output
    [dev] = json.loads(result.stdout)["stacks"]
    assert dev["graphChanges"] == {
        "nodes": {"model/qwen-small": "modified"},
        "edges": [
            {
                "source": "model/qwen-small",
                "target": "nodePool/gpu-small",
                "kind": "runsOn",
                "mark": "modified",
            }
        ],
    }


def test_staging_a_models_weights_notes_its_cold_start(repo) -> None:
    """Moving qwen-32b from a Hugging Face download to staged weights in the bucket: the
    plan names the new Job and estimates the cold start from the weights' size and the
    pool's bandwidth (30 GiB streamed at 20 Gbps x 0.754 on g6e.2xlarge)."""
    old = "      cache: {size: 200Gi, storageClass: gp3, accessMode: ReadWriteOnce}\n"
    new = (
        "      weights:\n        type: bucket\n        bucket: acme-shipyard-prod-models\n"
        "        revision: 0123456789abcdef0123456789abcdef01234567\n"
    )
    commit(repo, "stage qwen-32b", edit(repo, "blueprints/prod.yaml", old, new))
    result = plan("--format", "json")
    assert result.exit_code == 0, result.output
    [prod] = json.loads(result.stdout)["stacks"]
    assert prod["status"] == "ok", prod
    assert (
        "model `qwen-32b`: cold start at least 17 s for 30 GiB of weights streamed from the "
        "bucket (Run:ai streamer) at 15.1 Gbps (g6e.2xlarge)"
    ) in prod["notes"]
    created = {(c["type"], c["action"]) for c in prod["changes"]}
    assert ("kubernetes:batch/v1:Job", "create") in created
    assert ("kubernetes:core/v1:PersistentVolumeClaim", "delete") in created
