"""`spec.gitops`: every problem with FILE:LINE:COL and its field, the component arguments it
becomes, and the rendered platform passing the policy pack."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.gitops_reconciler.args import PulumiBackend, TrafficSource
from components.shared.secret_refs import SecretKeyRef
from shipyard.policy.offline import blueprint_findings
from shipyard.sections.gitops.args import gitops_reconciler_args
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "gitops.yaml"
ROOT = Path(__file__).resolve().parents[3]
IMAGE = "registry.example/acme/shipyard-reconciler:0.1.0"

BASE = f"""\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {{name: shipyard-ops, environment: dev}}
spec:
  cluster: {{kind: local}}
  namespace: ops
  gitops:
    repo: https://github.com/acme/platform.git
    branch: main
    stacks: [dev, prod]
    image: {IMAGE}
    webhookSecret: {{name: github-webhook}}
    gitCredentialsSecret: git-token
    pulumi:
      backendUrl: s3://acme-pulumi-state
      credentialsSecret: pulumi-backend
      passphraseSecret: {{name: pulumi-passphrase}}
    clusterRole: shipyard-apply
    allowedSources:
      - namespaceLabels: {{kubernetes.io/metadata.name: ingress-nginx}}
      - cidr: 192.0.2.0/24
    metricsSources:
      - podLabels: {{app.kubernetes.io/name: prometheus}}
"""

SECOND_DEV, BAD_STACK = "dev, 'a/b'", "'a/b'"
at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_base_becomes_reconciler_args(tmp_path: Path) -> None:
    args = gitops_reconciler_args(load(tmp_path, BASE))
    assert args is not None
    assert (args.namespace, args.image, args.repo, args.branch) == (
        "ops",
        IMAGE,
        "https://github.com/acme/platform.git",
        "main",
    )
    assert (args.stacks, args.interval, args.replicas, args.max_parallel) == (
        ("dev", "prod"),
        "15s",
        2,
        1,
    )
    assert (args.drift_interval, args.self_heal, args.policy_pack) == ("6h", False, None)
    assert args.webhook_secret == SecretKeyRef(name="github-webhook", key="secret")
    assert args.git_credentials_secret == "git-token"
    assert args.backend == PulumiBackend(
        url="s3://acme-pulumi-state",
        credentials_secret="pulumi-backend",
        passphrase_secret=SecretKeyRef(name="pulumi-passphrase", key="passphrase"),
    )
    assert (args.cluster_role, args.cluster_role_scope) == ("shipyard-apply", "cluster")
    assert args.allowed_sources == (
        TrafficSource(namespace_labels={"kubernetes.io/metadata.name": "ingress-nginx"}),
        TrafficSource(cidr="192.0.2.0/24"),
    )
    assert args.metrics_sources == (
        TrafficSource(pod_labels={"app.kubernetes.io/name": "prometheus"}),
    )


def test_without_the_section_there_is_no_reconciler(tmp_path: Path) -> None:
    text = BASE.split("  gitops:")[0]
    assert gitops_reconciler_args(load(tmp_path, text)) is None


def test_field_problems_point_at_their_lines(tmp_path: Path) -> None:
    text = (
        BASE.replace("https://github.com/acme/platform.git", "http://github.com/acme/p.git")
        .replace("branch: main", "branch: feature..x")
        .replace("stacks: [dev, prod]", "stacks: [dev, dev, 'a/b']\n    interval: 2s")
        .replace("s3://acme-pulumi-state", "file:///var/state")
        .replace("cidr: 192.0.2.0/24", "cidr: 192.0.2.1/24")
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'repo:')}: spec.gitops.repo: `http://github.com/acme/p.git` is not "
        "encrypted; use an https:// or ssh URL",
        f"{at(text, 'branch:')}: spec.gitops.branch: `feature..x` is not a valid branch name "
        "(no spaces, `..`, `~^:?*[\\`, `@{`, no leading `-` or `/`, no trailing `/`, `.` or "
        "`.lock`)",
        f"{at(text, SECOND_DEV)}: spec.gitops.stacks[1]: stack `dev` is listed twice; remove one",
        f"{at(text, BAD_STACK)}: spec.gitops.stacks[2]: `a/b` is not a stack name; use letters, "
        "digits, `-`, `_` and `.`",
        f"{at(text, 'interval:')}: spec.gitops.interval: `2s` is too short; use at least 5 s",
        f"{at(text, 'backendUrl:')}: spec.gitops.pulumi.backendUrl: `file:///var/state` is a "
        "file backend, which a pod loses when it restarts; use an object store (s3://, gs://,"
        " azblob://) or a Pulumi Cloud URL (https://)",
        f"{at(text, 'cidr:')}: spec.gitops.allowedSources[1].cidr: `192.0.2.1/24` is not a "
        "CIDR block, e.g. `192.0.2.0/24`",
    ]


def test_an_ssh_repository_needs_its_key(tmp_path: Path) -> None:
    text = BASE.replace(
        "https://github.com/acme/platform.git", "git@github.com:acme/platform.git"
    ).replace("    gitCredentialsSecret: git-token\n", "")
    assert problems(tmp_path, text) == [
        f"{at(text, 'repo:')}: spec.gitops.repo: an ssh repository needs "
        "`gitCredentialsSecret` with `ssh-privatekey` and `known_hosts`; or use an https:// URL"
    ]


def test_structural_limits(tmp_path: Path) -> None:
    text = BASE.replace("    branch: main\n", "    branch: main\n    replicas: 0\n").replace(
        IMAGE, "registry.example/acme/shipyard-reconciler"
    )
    found = problems(tmp_path, text)
    assert found[0].startswith(f"{at(text, 'replicas:')}: spec.gitops.replicas: ")
    assert "greater than or equal to 1" in found[0]
    assert found[1].startswith(f"{at(text, 'image:')}: spec.gitops.image: ")
    assert "has no tag" in found[1]


def test_a_source_is_labels_or_a_cidr(tmp_path: Path) -> None:
    text = BASE.replace("- cidr: 192.0.2.0/24", "- {cidr: 192.0.2.0/24, podLabels: {a: b}}")
    assert problems(tmp_path, text) == [
        f"{at(text, '{cidr')}: spec.gitops.allowedSources[1]: a source is either `cidr` or "
        "`podLabels`/`namespaceLabels`; set one"
    ]


def test_a_kubeconfig_context_cannot_be_used_in_the_cluster(tmp_path: Path) -> None:
    text = BASE.replace("{kind: local}", "{kind: local, context: kind-shipyard}")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{FILE}:5:")
    assert "spec.cluster.context: the in-cluster reconciler applies with its service account" in (
        problem
    )


def test_the_rendered_platform_passes_the_policy_pack(tmp_path: Path) -> None:
    blueprint = tmp_path / FILE
    blueprint.write_text(BASE, encoding="utf-8")
    findings = blueprint_findings(blueprint, load(tmp_path, BASE), ROOT)
    assert [f for f in findings if f.mandatory] == []


def test_the_policy_pack_is_never_taken_from_the_repository(tmp_path: Path) -> None:
    text = BASE.replace("    branch: main\n", "    branch: main\n    policyPack: policies\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'policyPack:')}: spec.gitops.policyPack: `policies` is not an absolute "
        "path in the image; a pack in the repository is not used, since a commit could weaken "
        "it. Leave it out to enforce the pack installed with Shipyard"
    ]
    image_pack = BASE.replace("    branch: main\n", "    branch: main\n    policyPack: /opt/p\n")
    args = gitops_reconciler_args(load(tmp_path, image_pack))
    assert args is not None and args.policy_pack == "/opt/p"


def test_a_token_in_the_repo_url_is_refused_without_showing_it(tmp_path: Path) -> None:
    text = BASE.replace(
        "https://github.com/acme/platform.git",
        "https://x-access-token:ghp_s3cr3t@github.com/acme/platform.git",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'repo:')}: spec.gitops.repo: `https://***@github.com/acme/platform.git` "
        "holds credentials, which would show in the Deployment's args, the logs and /status; "
        "remove them and put them in `gitCredentialsSecret`"
    ]


def test_metrics_sources_are_checked_like_the_webhooks(tmp_path: Path) -> None:
    text = BASE.replace("- podLabels: {app.kubernetes.io/name: prometheus}", "- podLabels: {}")
    assert problems(tmp_path, text) == [
        f"{at(text, 'podLabels: {}')}: spec.gitops.metricsSources[0].podLabels: an empty "
        "selector admits everything; name labels"
    ]
