"""`spec.gitops`: the pull-based reconciler running in the cluster (`shipyard reconcile`
as a Deployment, leader-elected replicas, its state in a ConfigMap).

Rules that need a friendly message (URLs, branch and stack names, durations, the backend,
traffic sources) are checked in `gitops_checks`, so they come out with FILE:LINE and a fix.
Whether `stacks/Pulumi.<stack>.yaml` exists is the reconciler's business at run time.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from components.gitops_reconciler.args import (
    DEFAULT_CLUSTER_ROLE_SCOPE,
    DEFAULT_CPU_REQUEST,
    DEFAULT_DRIFT_INTERVAL,
    DEFAULT_INTERVAL,
    DEFAULT_MAX_PARALLEL,
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_REPLICAS,
    MIN_INTERVAL_SECONDS,
    ClusterRoleScope,
)
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel

DEFAULT_NAME = "shipyard-reconciler"
DEFAULT_WEBHOOK_SECRET_KEY = "secret"
DEFAULT_PASSPHRASE_KEY = "passphrase"


class WebhookSecretRef(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Name of an existing Secret.")]
    key: Annotated[
        str, Field(min_length=1, description=f"Key; default `{DEFAULT_WEBHOOK_SECRET_KEY}`.")
    ] = DEFAULT_WEBHOOK_SECRET_KEY


class PassphraseSecretRef(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Name of an existing Secret.")]
    key: Annotated[
        str, Field(min_length=1, description=f"Key; default `{DEFAULT_PASSPHRASE_KEY}`.")
    ] = DEFAULT_PASSPHRASE_KEY


class PulumiBackendSpec(BlueprintModel):
    """Where the stacks' Pulumi state lives; it must outlive the pods."""

    backend_url: Annotated[
        str,
        Field(description="`s3://`, `gs://`, `azblob://` or `https://` (Pulumi Cloud)."),
    ]
    credentials_secret: Annotated[
        Dns1123Label | None,
        Field(
            description="Secret whose keys become environment variables (e.g. "
            "`AWS_ACCESS_KEY_ID`, `PULUMI_ACCESS_TOKEN`); none uses the pod's identity."
        ),
    ] = None
    passphrase_secret: Annotated[
        PassphraseSecretRef | None,
        Field(description="`PULUMI_CONFIG_PASSPHRASE`, for stacks with passphrase secrets."),
    ] = None


class GitopsResources(BlueprintModel):
    cpu: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`."),
    ] = DEFAULT_CPU_REQUEST
    memory: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_MEMORY_REQUEST


class AllowedSource(BlueprintModel):
    """Admitted to a port: pods by labels (in this namespace, or in namespaces with
    `namespaceLabels`), or an IP block."""

    pod_labels: Annotated[Labels | None, Field(description="Labels of the admitted pods.")] = None
    namespace_labels: Annotated[
        Labels | None,
        Field(description="Labels of their namespaces, e.g. the ingress controller's."),
    ] = None
    cidr: Annotated[str | None, Field(description="An IP block, e.g. `192.0.2.0/24`.")] = None


class GitopsSpec(BlueprintModel):
    """`shipyard reconcile` in the cluster: polls (and takes webhooks for) `branch` of
    `repo` and applies the stacks. Secrets are named, never given."""

    name: Annotated[
        ServiceName,
        Field(description=f"Names the Deployment and its objects; default `{DEFAULT_NAME}`."),
    ] = DEFAULT_NAME
    repo: Annotated[
        str, Field(description="Git URL: `https://host/path`, `git@host:path` or `ssh://`.")
    ]
    branch: Annotated[str, Field(description="The branch to apply, e.g. `main`.")]
    stacks: Annotated[
        list[str],
        Field(description="Stacks to reconcile (`stacks/Pulumi.<stack>.yaml`); none: all."),
    ] = []
    interval: Annotated[
        str,
        Field(
            description=f"Poll interval, at least {MIN_INTERVAL_SECONDS}s; default "
            f"`{DEFAULT_INTERVAL}`."
        ),
    ] = DEFAULT_INTERVAL
    image: Annotated[
        PinnedImage,
        Field(description="The reconciler image, pinned (Shipyard publishes none)."),
    ]
    replicas: Annotated[
        int,
        Field(ge=1, description=f"Replicas; one leads; default `{DEFAULT_REPLICAS}`."),
    ] = DEFAULT_REPLICAS
    max_parallel: Annotated[
        int,
        Field(ge=1, description=f"Stacks applied at once; default `{DEFAULT_MAX_PARALLEL}`."),
    ] = DEFAULT_MAX_PARALLEL
    drift_interval: Annotated[
        str, Field(description=f"Drift check interval; default `{DEFAULT_DRIFT_INTERVAL}`.")
    ] = DEFAULT_DRIFT_INTERVAL
    self_heal: Annotated[
        bool, Field(description="Re-apply a stack when drift is found; default false.")
    ] = False
    policy_pack: Annotated[
        str | None,
        Field(
            description="An absolute policy pack directory in the image, enforced instead of "
            "the pack installed with Shipyard; a pack in the repository is never used."
        ),
    ] = None
    webhook_secret: Annotated[
        WebhookSecretRef | None,
        Field(description="The GitHub webhook secret; none: polling only."),
    ] = None
    git_credentials_secret: Annotated[
        Dns1123Label | None,
        Field(
            description="Secret with `.git-credentials` (https) or `ssh-privatekey` and "
            "`known_hosts` (ssh); required for ssh."
        ),
    ] = None
    pulumi: Annotated[PulumiBackendSpec, Field(description="The Pulumi state backend.")]
    resources: Annotated[GitopsResources, Field(description="Each replica's CPU and memory.")] = (
        GitopsResources()
    )
    cluster_role: Annotated[
        str | None,
        Field(
            min_length=1,
            description="An existing ClusterRole to bind for what the stacks manage; none "
            "binds nothing (never cluster-admin by default).",
        ),
    ] = None
    cluster_role_scope: Annotated[
        ClusterRoleScope,
        Field(
            description="Bind `clusterRole` cluster-wide or in the namespace; default "
            f"`{DEFAULT_CLUSTER_ROLE_SCOPE}`."
        ),
    ] = DEFAULT_CLUSTER_ROLE_SCOPE
    allowed_sources: Annotated[
        list[AllowedSource],
        Field(description="Who may reach the webhook port (8081); none: nobody."),
    ] = []
    metrics_sources: Annotated[
        list[AllowedSource],
        Field(
            description="Who may reach the metrics, health and status port (8080), e.g. "
            "Prometheus; none: nobody."
        ),
    ] = []
