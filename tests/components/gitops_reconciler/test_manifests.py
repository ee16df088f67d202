"""The reconciler's manifests as pure functions: arguments, env, probes, RBAC, network
policy; every object validated against the Kubernetes OpenAPI schema."""

from __future__ import annotations

import kubernetes_validate
import kubernetes_validate.utils
import pytest
from pydantic import ValidationError

from components.gitops_reconciler.args import (
    GitopsReconcilerArgs,
    PulumiBackend,
    TrafficSource,
    branch_problem,
    credentials_problem,
    duration_seconds,
    repo_kind,
)
from components.gitops_reconciler.manifests import (
    render_apply_binding,
    render_args,
    render_deployment,
    render_env,
    render_lease,
    render_network_policy,
    render_pod_disruption_budget,
    render_role,
    render_role_binding,
    render_service,
    render_service_account,
    render_state_config_map,
    webhook_url,
)
from components.shared.secret_refs import SecretKeyRef

KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
IMAGE = "registry.example/acme/shipyard-reconciler:0.1.0"
ARGS = GitopsReconcilerArgs(
    namespace="ops",
    image=IMAGE,
    repo="https://github.com/acme/platform.git",
    branch="main",
    stacks=("dev", "prod"),
    backend=PulumiBackend(
        url="s3://acme-pulumi-state?region=eu-west-1",
        credentials_secret="pulumi-backend",
        passphrase_secret=SecretKeyRef(name="pulumi-passphrase", key="passphrase"),
    ),
    webhook_secret=SecretKeyRef(name="github-webhook", key="secret"),
    git_credentials_secret="git-token",
    policy_pack="/opt/shipyard/policies",
    self_heal=True,
    allowed_sources=(
        TrafficSource(namespace_labels={"kubernetes.io/metadata.name": "ingress-nginx"}),
        TrafficSource(cidr="192.0.2.0/24"),
    ),
    metrics_sources=(TrafficSource(pod_labels={"app.kubernetes.io/name": "prometheus"}),),
    cluster_role="shipyard-apply",
)


def test_args_call_shipyard_reconcile_with_the_lease_and_state() -> None:
    assert render_args("reconciler", ARGS) == [
        "reconcile",
        "--repo=https://github.com/acme/platform.git",
        "--branch=main",
        "--interval=15s",
        "--listen=0.0.0.0:8080",
        "--webhook-listen=0.0.0.0:8081",
        "--workdir=/var/lib/shipyard/work",
        "--max-parallel=1",
        "--drift-interval=6h",
        "--leader-election-lease=ops/reconciler-leader",
        "--state-configmap=ops/reconciler-state",
        "--stacks=dev,prod",
        "--self-heal",
        "--policy-pack=/opt/shipyard/policies",
        "--git-credentials-file=/etc/shipyard/git/.git-credentials",
    ]


def test_secrets_are_references_never_values() -> None:
    env = {item["name"]: item for item in render_env(ARGS)}
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env["PULUMI_BACKEND_URL"]["value"] == "s3://acme-pulumi-state?region=eu-west-1"
    assert env["PULUMI_CONFIG_PASSPHRASE"]["valueFrom"] == {
        "secretKeyRef": {"name": "pulumi-passphrase", "key": "passphrase"}
    }
    assert env["SHIPYARD_WEBHOOK_SECRET"]["valueFrom"] == {
        "secretKeyRef": {"name": "github-webhook", "key": "secret"}
    }
    # The git token is a file only git reads (--git-credentials-file), not an env entry the
    # whole pod, and every apply child, would carry.
    assert not [name for name in env if name.startswith("GIT_")]
    container = render_deployment("reconciler", ARGS)["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": "pulumi-backend"}}]
    assert {"name": "git-credentials", "mountPath": "/etc/shipyard/git", "readOnly": True} in (
        container["volumeMounts"]
    )


def test_an_ssh_repository_uses_the_mounted_key_and_known_hosts() -> None:
    args = ARGS.model_copy(update={"repo": "git@github.com:acme/platform.git"})
    env = {item["name"]: item.get("value") for item in render_env(args)}
    assert env["GIT_SSH_COMMAND"] == (
        "ssh -i /etc/shipyard/git/ssh-privatekey -o IdentitiesOnly=yes "
        "-o UserKnownHostsFile=/etc/shipyard/git/known_hosts -o StrictHostKeyChecking=yes"
    )
    assert "GIT_CONFIG_COUNT" not in env
    assert not [a for a in render_args("reconciler", args) if a.startswith("--git-credentials")]


def test_the_deployment() -> None:
    deployment = render_deployment("reconciler", ARGS)
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    [container] = pod["containers"]
    assert spec["replicas"] == 2
    assert pod["serviceAccountName"] == "reconciler"
    assert pod["automountServiceAccountToken"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["image"] == IMAGE
    assert container["command"] == ["shipyard"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "2Gi"},
        "limits": {"memory": "2Gi"},
    }
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {v["name"]: v.get("secret") for v in pod["volumes"]}["git-credentials"] == {
        "secretName": "git-token",
        "defaultMode": 0o440,
    }
    assert spec["template"]["metadata"]["annotations"]["prometheus.io/port"] == "8080"


def test_the_role_reaches_only_its_lease_and_state() -> None:
    assert render_role("reconciler", ARGS)["rules"] == [
        {
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "resourceNames": ["reconciler-leader"],
            "verbs": ["get", "update"],
        },
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "resourceNames": ["reconciler-state"],
            "verbs": ["get", "patch"],
        },
    ]
    binding = render_role_binding("reconciler", ARGS)
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "reconciler", "namespace": "ops"}
    ]


def test_the_cluster_role_is_bound_only_when_named() -> None:
    cluster = render_apply_binding("reconciler", ARGS)
    assert cluster is not None
    assert (cluster["kind"], cluster["metadata"]["name"]) == (
        "ClusterRoleBinding",
        "ops-reconciler-apply",
    )
    assert cluster["roleRef"]["name"] == "shipyard-apply"
    scoped = render_apply_binding(
        "reconciler", ARGS.model_copy(update={"cluster_role_scope": "namespace"})
    )
    assert scoped is not None
    assert (scoped["kind"], scoped["metadata"]["namespace"]) == ("RoleBinding", "ops")
    assert render_apply_binding("reconciler", ARGS.model_copy(update={"cluster_role": None})) is (
        None
    )


def test_only_declared_sources_reach_each_port() -> None:
    policy = render_network_policy("reconciler", ARGS)["spec"]
    assert policy["policyTypes"] == ["Ingress"]
    assert policy["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                    }
                },
                {"ipBlock": {"cidr": "192.0.2.0/24"}},
            ],
            "ports": [{"port": 8081, "protocol": "TCP"}],
        },
        {
            "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}],
            "ports": [{"port": 8080, "protocol": "TCP"}],
        },
    ]
    closed = render_network_policy(
        "reconciler", ARGS.model_copy(update={"allowed_sources": (), "metrics_sources": ()})
    )
    assert closed["spec"]["ingress"] == []


def test_the_service_exposes_the_webhook_port_alone() -> None:
    service = render_service("reconciler", ARGS)
    assert service["spec"]["ports"] == [
        {"name": "webhook", "port": 8081, "targetPort": "webhook", "protocol": "TCP"}
    ]
    [container] = render_deployment("reconciler", ARGS)["spec"]["template"]["spec"]["containers"]
    assert container["ports"] == [
        {"name": "http", "containerPort": 8080, "protocol": "TCP"},
        {"name": "webhook", "containerPort": 8081, "protocol": "TCP"},
    ]
    assert webhook_url("reconciler", "ops") == (
        "http://reconciler.ops.svc.cluster.local:8081/webhook"
    )


def test_one_replica_does_not_block_drains() -> None:
    assert render_pod_disruption_budget("reconciler", ARGS)["spec"]["minAvailable"] == 1
    single = ARGS.model_copy(update={"replicas": 1})
    assert render_pod_disruption_budget("reconciler", single)["spec"]["maxUnavailable"] == 1


def test_every_object_matches_the_kubernetes_schema() -> None:
    manifests = [
        render_deployment("reconciler", ARGS),
        render_service_account("reconciler", ARGS),
        render_role("reconciler", ARGS),
        render_role_binding("reconciler", ARGS),
        render_apply_binding("reconciler", ARGS),
        render_lease("reconciler", ARGS),
        render_state_config_map("reconciler", ARGS),
        render_service("reconciler", ARGS),
        render_pod_disruption_budget("reconciler", ARGS),
        render_network_policy("reconciler", ARGS),
    ]
    for manifest in manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"repo": "http://github.com/acme/x.git"}, "is not encrypted"),
        ({"repo": "github.com/acme/x"}, "is not a git URL"),
        (
            {"repo": "https://x-access-token:ghp_s3cr3t@github.com/acme/x.git"},
            r"`https://\*\*\*@github.com/acme/x.git` holds credentials, which would show in",
        ),
        ({"repo": "https://ghp_s3cr3t@github.com/acme/x.git"}, "holds credentials"),
        ({"repo": "ssh://git:pw@github.com/acme/x.git"}, "holds credentials"),
        ({"repo": "ssh://git@github.com/acme/x.git", "git_credentials_secret": None}, "ssh"),
        ({"branch": "feature..x"}, "is not a valid branch name"),
        ({"stacks": ("dev", "dev")}, "names a stack twice"),
        ({"stacks": ("dev/x",)}, "is not a stack name"),
        ({"interval": "2s"}, "`2s` is too short; use at least 5 s"),
        ({"drift_interval": "6 hours"}, "is not a duration"),
    ],
)
def test_invalid_args_are_refused(update: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GitopsReconcilerArgs.model_validate({**ARGS.model_dump(), **update})


def test_sources_and_backends_are_checked() -> None:
    with pytest.raises(ValidationError, match="either `cidr` or pod/namespace labels"):
        TrafficSource(cidr="10.0.0.0/8", pod_labels={"a": "b"})
    with pytest.raises(ValidationError, match="is not a CIDR block"):
        TrafficSource(cidr="10.0.0.1/8")
    with pytest.raises(ValidationError, match="a file backend, which a pod loses"):
        PulumiBackend(url="file:///state")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            "https://x-access-token:ghp_abc@github.com/a/b.git",
            "`https://***@github.com/a/b.git` holds credentials",
        ),
        (
            "https://ghp_abc@github.com/a/b.git",
            "`https://***@github.com/a/b.git` holds credentials",
        ),
        ("ssh://git:pw@host/repo.git", "`ssh://***@host/repo.git` holds credentials"),
        ("ssh://git@host/repo.git", None),
        ("git@github.com:acme/platform.git", None),
        ("https://github.com/acme/platform.git", None),
        ("/srv/git/platform.git", None),
    ],
)
def test_urls_with_credentials_are_refused_without_showing_them(
    url: str, problem: str | None
) -> None:
    assert credentials_problem(url) == problem


def test_a_token_in_the_repo_url_is_never_shown() -> None:
    with pytest.raises(ValidationError) as refused:
        GitopsReconcilerArgs.model_validate(
            {**ARGS.model_dump(), "repo": "https://bot:ghp_s3cr3t@github.com/acme/x.git"}
        )
    assert "ghp_s3cr3t" not in str(refused.value)
    assert credentials_problem("ssh://git@github.com/acme/x.git") is None
    assert credentials_problem("git@github.com:acme/x.git") is None


def test_the_small_parsers() -> None:
    assert [duration_seconds(t) for t in ("15s", "5m", "6h", "1d", "0s")] == [
        15,
        300,
        21600,
        None,
        None,
    ]
    assert repo_kind("git@github.com:acme/platform.git") == "ssh"
    assert repo_kind("ssh://git@github.com/acme/platform.git") == "ssh"
    assert repo_kind("https://github.com/acme/platform.git") == "https"
    good = ["main", "release/1.2", "feature-x", "v1.0"]
    bad = ["", "@", "-x", "/main", "main/", "a.lock", "a..b", "a b", "a~1", "x@{1}", ".hidden"]
    assert [branch_problem(b) for b in good] == [None] * len(good)
    assert all(branch_problem(b) for b in bad)
