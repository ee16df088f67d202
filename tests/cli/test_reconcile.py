"""`shipyard reconcile`: options, durations, usage errors, and one `--once` pass over a real
git remote with the applier replaced by a recording one (the engine is tested in e2e)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import git
import pytest
from click.testing import CliRunner

from components.gitops_reconciler.args import GitopsReconcilerArgs, PulumiBackend
from components.gitops_reconciler.manifests import render_args
from shipyard.cli.main import cli
from shipyard.cli.reconcile import parse_duration
from shipyard.gitops import applier as applier_module
from shipyard.gitops.reconciler import ApplyFailure, ApplyRequest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_TEXT = (PROJECT_ROOT / "blueprints" / "dev.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15s", timedelta(seconds=15)),
        ("1m30s", timedelta(seconds=90)),
        ("6h", timedelta(hours=6)),
        ("500ms", timedelta(milliseconds=500)),
        ("0", timedelta(0)),
        ("1d", timedelta(days=1)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_a_bad_duration_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        cli, ["reconcile", "--repo", "x", "--branch", "main", "--interval", "soon"]
    )
    assert result.exit_code == 2
    assert "`soon` is not a duration such as 15s, 5m or 6h" in result.output


def test_every_option_reading_the_environment_says_so() -> None:
    result = CliRunner().invoke(cli, ["reconcile", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for env in (
        "env SHIPYARD_LISTEN",
        "env SHIPYARD_WEBHOOK_LISTEN",
        "env SHIPYARD_GIT_CREDENTIALS_FILE",
        "env SHIPYARD_PASS_ENV",
        "env SHIPYARD_LEADER_LEASE",
        "env SHIPYARD_STATE_CONFIGMAP",
        "env POD_NAME",
    ):
        assert env in text
    assert (
        "--webhook-secret-env TEXT The environment variable holding the GitHub webhook secret"
        in text
    )
    assert "[default: SHIPYARD_WEBHOOK_SECRET]" in text
    assert "[default: 127.0.0.1:8080]" in text  # this machine only, unless told
    assert "PULUMI_CONFIG_PASSPHRASE_FILE" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--listen", "nowhere"], "`--listen`: `nowhere` is not HOST:PORT"),
        (
            ["--webhook-listen", ":8081"],
            "`--webhook-listen`: `:8081` names no host; use 127.0.0.1:8081 for this machine "
            "only, or 0.0.0.0:8081 for every interface (in a cluster)",
        ),
        (
            ["--leader-election-lease", "just-a-name"],
            "`--leader-election-lease` must be NAMESPACE/NAME, not `just-a-name`",
        ),
        (
            ["--state-configmap", "ns/a/b"],
            "`--state-configmap` must be NAMESPACE/NAME, not `ns/a/b`",
        ),
        (["--interval", "0"], "`--interval` must be positive"),
    ],
)
def test_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["reconcile", "--repo", "x", "--branch", "main", "--workdir", str(tmp_path), *args]
    )
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    "repo",
    [
        "https://x-access-token:ghp_s3cr3t@github.com/acme/p.git",
        "https://ghp_s3cr3t@github.com/a/p",
    ],
)
def test_a_repo_url_with_credentials_is_refused_without_echoing_them(repo: str) -> None:
    result = CliRunner().invoke(cli, ["reconcile", "--repo", repo, "--branch", "main"])
    assert result.exit_code == 2
    assert "ghp_s3cr3t" not in result.output
    assert "`--repo`: `https://***@github.com/" in result.stderr
    assert "remove them and put them in a --git-credentials-file" in " ".join(result.stderr.split())


def test_the_in_cluster_deployments_arguments_parse(tmp_path: Path) -> None:
    """What `spec.gitops` runs in its container is a command line this CLI accepts."""
    args = GitopsReconcilerArgs(
        namespace="ops",
        image="registry.example/acme/shipyard-reconciler:0.1.0",
        repo="https://github.com/acme/platform.git",
        branch="main",
        stacks=("dev", "prod"),
        self_heal=True,
        policy_pack=str(tmp_path),  # a directory in the image
        backend=PulumiBackend(url="s3://acme-pulumi-state", credentials_secret="pulumi-backend"),
    )
    rendered = render_args("reconciler", args)
    assert rendered[0] == "reconcile"
    group = cli.get_command(click.Context(cli), "reconcile")
    assert group is not None
    context = group.make_context("reconcile", rendered[1:])
    assert context.params["state_configmap"] == "ops/reconciler-state"
    assert context.params["leader_election_lease"] == "ops/reconciler-leader"
    assert context.params["stacks"] == "dev,prod"
    assert context.params["self_heal"] is True
    assert context.params["interval"] == timedelta(seconds=15)
    assert context.params["policy_pack"] == tmp_path


class RecordingApplier:
    applied: list[ApplyRequest] = []
    fail: bool = False

    cleaned: int = 0

    options: dict[str, object] = {}

    def __init__(self, repository: Path, workdir: Path, **options: object) -> None:
        RecordingApplier.options = options

    def clean_abandoned(self) -> tuple[list[str], list[str]]:
        RecordingApplier.cleaned += 1
        return ["123: pulumi-resource-kubernetes 127.0.0.1:40000"], ["dev-abc1234-x"]

    def apply(self, request: ApplyRequest) -> None:
        RecordingApplier.applied.append(request)
        if RecordingApplier.fail:
            raise ApplyFailure("permanent", "policy `pinned-images` violated")

    def check_drift(self, request: ApplyRequest) -> bool:
        return False


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    clone = git.Repo.clone_from(str(bare), tmp_path / "clone")
    root = Path(str(clone.working_tree_dir))
    files = {
        "Pulumi.yaml": "name: shipyard\nruntime: python\n",
        "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
        "stacks/Pulumi.prod.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
        "blueprints/dev.yaml": DEV_TEXT,
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
        clone.index.add([path])
    actor = git.Actor("Test", "test@example.com")
    clone.index.commit("initial", author=actor, committer=actor)
    clone.remote("origin").push("main").raise_if_error()
    return bare


def once(remote: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [
            *("reconcile", "--repo", str(remote), "--branch", "main", "--once"),
            *("--state-dir", str(tmp_path / "state"), "--workdir", str(tmp_path / "work")),
            *extra,
        ],
    )
    return result.exit_code, result.stderr


def test_once_applies_the_selected_stacks_and_exits(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(applier_module, "AutomationApplier", RecordingApplier)
    RecordingApplier.applied, RecordingApplier.fail, RecordingApplier.cleaned = [], False, 0
    monkeypatch.setenv("SHIPYARD_WEBHOOK_SECRET", "hook")
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "do")
    code, stderr = once(remote, tmp_path, "--stacks", "dev", "--pass-env", "DIGITALOCEAN_TOKEN")
    assert code == 0, stderr
    env = RecordingApplier.options["env"]
    assert isinstance(env, dict)
    assert env["DIGITALOCEAN_TOKEN"] == "do" and "SHIPYARD_WEBHOOK_SECRET" not in env
    assert RecordingApplier.cleaned == 1  # before any apply
    assert (
        "ended 1 process(es) and removed 1 checkout(s) of applies an earlier run left behind"
        in stderr
    )
    assert [r.stack for r in RecordingApplier.applied] == ["dev"]
    assert '"reason": "NewCommit"' in stderr and '"stack": "dev"' in stderr
    assert (tmp_path / "state" / "dev.json").is_file()
    assert not (tmp_path / "state" / "prod.json").exists()


def test_once_exits_1_when_a_stack_is_stalled(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(applier_module, "AutomationApplier", RecordingApplier)
    RecordingApplier.applied, RecordingApplier.fail = [], True
    code, stderr = once(remote, tmp_path)
    assert code == 1
    assert sorted(r.stack for r in RecordingApplier.applied) == ["dev", "prod"]
    assert "stalled: dev, prod (see the JSON log)" in stderr


def test_a_policy_pack_without_its_file_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["reconcile", "--repo", "x", "--branch", "main", "--policy-pack", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert f"`--policy-pack`: {tmp_path} has no PulumiPolicy.yaml" in result.stderr


def test_once_exits_1_when_the_branch_cannot_be_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(applier_module, "AutomationApplier", RecordingApplier)
    RecordingApplier.applied, RecordingApplier.fail = [], False
    code, stderr = once(tmp_path / "no-such-repo.git", tmp_path)
    assert code == 1
    assert "error: could not fetch: fetching main from" in stderr
    assert RecordingApplier.applied == []
