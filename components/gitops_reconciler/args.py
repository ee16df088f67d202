"""Arguments of the in-cluster GitOps reconciler (`shipyard reconcile` as a Deployment)."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, model_validator

from components.shared.args import ComponentArgs
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.secret_refs import SecretKeyRef

RECONCILER_PORT = 8080
"""Health, readiness, metrics and status: reached inside the cluster only."""
WEBHOOK_PORT = 8081
"""`/webhook` alone: the one port the Service exposes."""
# A fixed non-root user; the image must not need root (see docs/gitops-in-cluster.md).
RUN_AS_USER = 10001
DEFAULT_REPLICAS = 2
DEFAULT_INTERVAL = "15s"
MIN_INTERVAL_SECONDS = 5
DEFAULT_DRIFT_INTERVAL = "6h"
MIN_DRIFT_INTERVAL_SECONDS = 60
DEFAULT_MAX_PARALLEL = 1
# `pulumi up` runs the engine, the language host and providers: memory is the limit.
DEFAULT_CPU_REQUEST = "500m"
DEFAULT_MEMORY_REQUEST = "2Gi"
# Time for an apply to notice SIGTERM and stop; an apply cut short is recovered later.
TERMINATION_GRACE_SECONDS = 120
ClusterRoleScope = Literal["cluster", "namespace"]
DEFAULT_CLUSTER_ROLE_SCOPE: ClusterRoleScope = "cluster"

_DURATION = re.compile(r"([1-9][0-9]*)(s|m|h)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
# https://, git@host:path, ssh://
_HTTPS_REPO = re.compile(r"^https://[^\s/@]+(@[^\s/]+)?/\S+$")
_SSH_REPO = re.compile(r"^(ssh://[^\s/]+/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$")
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
BACKEND_SCHEMES = ("s3://", "gs://", "azblob://", "https://")


def duration_seconds(text: str) -> int | None:
    """`15s`, `5m`, `6h` in seconds; None for anything else."""
    match = _DURATION.fullmatch(text)
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else None


def duration_problem(text: str, minimum: int) -> str | None:
    seconds = duration_seconds(text)
    if seconds is None:
        return f"`{text}` is not a duration; use a whole number and s, m or h, e.g. `15s`"
    if seconds < minimum:
        return f"`{text}` is too short; use at least {minimum} s"
    return None


def repo_kind(url: str) -> Literal["https", "ssh"] | None:
    if _HTTPS_REPO.match(url):
        return "https"
    if _SSH_REPO.match(url):
        return "ssh"
    return None


def credentials_problem(url: str) -> str | None:
    """Why `url` holds a secret, shown masked; None when it holds none. An http(s) URL may
    carry no user information at all (a token is often given as the user); an ssh URL
    may name its user (`ssh://git@host/path`), never a password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    userinfo, at, host = parts.netloc.rpartition("@")
    secret = (parts.scheme in ("http", "https") and at) or (
        parts.scheme == "ssh" and ":" in userinfo
    )
    if not secret:
        return None
    masked = parts._replace(netloc=f"***@{host}").geturl()
    return f"`{masked}` holds credentials"


def repo_problem(url: str) -> str | None:
    problem = credentials_problem(url)
    if problem:
        return (
            f"{problem}, which would show in the Deployment's args, the logs and /status; "
            "remove them and put them in `gitCredentialsSecret`"
        )
    if repo_kind(url) is not None:
        return None
    if url.startswith(("http://", "git://")):
        return f"`{url}` is not encrypted; use an https:// or ssh URL"
    return (
        f"`{url}` is not a git URL Shipyard takes; use https://host/path, "
        "git@host:path or ssh://host/path"
    )


def branch_problem(branch: str) -> str | None:
    """Why `branch` is not a valid branch name (git check-ref-format's rules), or None."""
    bad = (
        not branch
        or branch == "@"
        or branch.startswith(("/", "-"))
        or branch.endswith(("/", ".", ".lock"))
        or any(part.startswith(".") for part in branch.split("/"))
        or any(text in branch for text in ("..", "//", "@{"))
        or any(ord(char) < 0o40 or char in " ~^:?*[\\\x7f" for char in branch)
    )
    if bad:
        return (
            f"`{branch}` is not a valid branch name (no spaces, `..`, `~^:?*[\\`, `@{{`, "
            "no leading `-` or `/`, no trailing `/`, `.` or `.lock`)"
        )
    return None


def stack_problem(stack: str) -> str | None:
    if _STACK_NAME.fullmatch(stack):
        return None
    return f"`{stack}` is not a stack name; use letters, digits, `-`, `_` and `.`"


def backend_problem(url: str) -> str | None:
    if url.startswith(BACKEND_SCHEMES):
        return None
    if url.startswith("file://"):
        return (
            f"`{url}` is a file backend, which a pod loses when it restarts; use an object "
            "store (s3://, gs://, azblob://) or a Pulumi Cloud URL (https://)"
        )
    return f"`{url}` is not a Pulumi backend URL; use s3://, gs://, azblob:// or https://"


def policy_pack_problem(path: str) -> str | None:
    if path.startswith("/"):
        return None
    return (
        f"`{path}` is not an absolute path in the image; a pack in the repository is not "
        "used, since a commit could weaken it. Leave it out to enforce the pack installed "
        "with Shipyard"
    )


def cidr_problem(cidr: str) -> str | None:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        return f"`{cidr}` is not a CIDR block, e.g. `192.0.2.0/24`"
    return None


def _check(problem: str | None) -> None:
    if problem:
        raise ValueError(problem)


class TrafficSource(ComponentArgs):
    """Who may reach a port: pods (by labels, in this namespace or namespaces with given
    labels) or an IP block."""

    pod_labels: Annotated[Labels | None, Field(description="Labels of the admitted pods.")] = None
    namespace_labels: Annotated[
        Labels | None,
        Field(description="Labels of their namespaces; none means this namespace."),
    ] = None
    cidr: Annotated[str | None, Field(description="An IP block, e.g. `192.0.2.0/24`.")] = None

    @model_validator(mode="after")
    def _one_kind(self) -> TrafficSource:
        selectors = self.pod_labels is not None or self.namespace_labels is not None
        if selectors == (self.cidr is not None):
            raise ValueError("a source is either `cidr` or pod/namespace labels")
        if self.cidr is not None:
            _check(cidr_problem(self.cidr))
        if self.pod_labels == {} or self.namespace_labels == {}:
            raise ValueError("an empty label selector admits everything; name labels")
        return self


class PulumiBackend(ComponentArgs):
    """Where the stacks' state lives, and the secrets to use it."""

    url: Annotated[str, Field(description="`s3://`, `gs://`, `azblob://` or `https://` URL.")]
    credentials_secret: Annotated[
        Dns1123Label | None,
        Field(
            description="Secret whose keys become environment variables (e.g. "
            "`AWS_ACCESS_KEY_ID`, `PULUMI_ACCESS_TOKEN`); none relies on the pod's identity."
        ),
    ] = None
    passphrase_secret: Annotated[
        SecretKeyRef | None,
        Field(description="`PULUMI_CONFIG_PASSPHRASE` for passphrase secrets providers."),
    ] = None

    @model_validator(mode="after")
    def _url(self) -> PulumiBackend:
        _check(backend_problem(self.url))
        return self


class GitopsReconcilerArgs(ComponentArgs):
    """`shipyard reconcile` with leader election, its RBAC, Service, PDB, NetworkPolicy."""

    # A refused `repo` may hold a token: errors name the problem, never echo the input.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    namespace: Annotated[Dns1123Label, Field(description="Namespace to run in.")]
    image: Annotated[
        PinnedImage,
        Field(description="The reconciler image (Shipyard, the Pulumi CLI, git); required."),
    ]
    repo: Annotated[str, Field(description="Git URL: https://, git@host:path or ssh://.")]
    branch: Annotated[str, Field(description="The branch to apply.")]
    stacks: Annotated[
        tuple[str, ...], Field(description="Stacks to reconcile; none means every stack.")
    ] = ()
    interval: Annotated[
        str, Field(description=f"Poll interval, at least 5s; default `{DEFAULT_INTERVAL}`.")
    ] = DEFAULT_INTERVAL
    replicas: Annotated[
        int, Field(ge=1, description=f"Replicas, one leads; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    max_parallel: Annotated[
        int,
        Field(ge=1, description=f"Stacks applied at once; default `{DEFAULT_MAX_PARALLEL}`."),
    ] = DEFAULT_MAX_PARALLEL
    drift_interval: Annotated[
        str,
        Field(description=f"Drift check interval; default `{DEFAULT_DRIFT_INTERVAL}`."),
    ] = DEFAULT_DRIFT_INTERVAL
    self_heal: Annotated[
        bool, Field(description="Re-apply a stack when drift is found; default false.")
    ] = False
    policy_pack: Annotated[
        str | None,
        Field(
            description="An absolute policy pack directory in the image, enforced instead "
            "of the pack installed with Shipyard; never the repository's."
        ),
    ] = None
    webhook_secret: Annotated[
        SecretKeyRef | None,
        Field(description="GitHub webhook secret; none leaves webhooks unaccepted."),
    ] = None
    git_credentials_secret: Annotated[
        Dns1123Label | None,
        Field(
            description="Secret with `.git-credentials` (https) or `ssh-privatekey` and "
            "`known_hosts` (ssh); none for a public https repository."
        ),
    ] = None
    backend: Annotated[PulumiBackend, Field(description="The Pulumi state backend.")]
    cpu_request: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`."),
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_MEMORY_REQUEST
    cluster_role: Annotated[
        str | None,
        Field(
            min_length=1,
            description="An existing ClusterRole to bind for what the stacks manage; none "
            "binds nothing (bind one yourself).",
        ),
    ] = None
    cluster_role_scope: Annotated[
        ClusterRoleScope,
        Field(
            description="Bind `cluster_role` cluster-wide (`cluster`) or in `namespace` only "
            f"(`namespace`); default `{DEFAULT_CLUSTER_ROLE_SCOPE}`."
        ),
    ] = DEFAULT_CLUSTER_ROLE_SCOPE
    allowed_sources: Annotated[
        tuple[TrafficSource, ...],
        Field(description="Sources admitted to the webhook port; none admits none."),
    ] = ()
    metrics_sources: Annotated[
        tuple[TrafficSource, ...],
        Field(
            description="Sources admitted to the metrics, health and status port (Prometheus); "
            "none admits none."
        ),
    ] = ()

    @model_validator(mode="after")
    def _consistent(self) -> GitopsReconcilerArgs:
        _check(repo_problem(self.repo))
        _check(branch_problem(self.branch))
        for stack in self.stacks:
            _check(stack_problem(stack))
        if len(set(self.stacks)) != len(self.stacks):
            raise ValueError("`stacks` names a stack twice")
        _check(duration_problem(self.interval, MIN_INTERVAL_SECONDS))
        _check(duration_problem(self.drift_interval, MIN_DRIFT_INTERVAL_SECONDS))
        if self.policy_pack is not None:
            _check(policy_pack_problem(self.policy_pack))
        if repo_kind(self.repo) == "ssh" and self.git_credentials_secret is None:
            raise ValueError("an ssh `repo` needs `git_credentials_secret` with the key")
        return self

    @property
    def git_auth(self) -> Literal["https", "ssh"] | None:
        """How the credentials Secret is used, from the repository URL; None without it."""
        return repo_kind(self.repo) if self.git_credentials_secret is not None else None
