"""Blueprint `spec.gitops` turned into `GitopsReconcilerArgs` (pure)."""

from __future__ import annotations

from components.gitops_reconciler import args as gr
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.platform import Platform
from shipyard.sections.gitops.model import AllowedSource


def gitops_reconciler_args(platform: Platform) -> gr.GitopsReconcilerArgs | None:
    """The reconciler's arguments, or None without `spec.gitops`. It runs in the
    platform's namespace."""
    spec = platform.spec.gitops
    if spec is None:
        return None
    backend = spec.pulumi
    passphrase = backend.passphrase_secret
    return gr.GitopsReconcilerArgs(
        namespace=platform.namespace,
        image=spec.image,
        repo=spec.repo,
        branch=spec.branch,
        stacks=tuple(spec.stacks),
        interval=spec.interval,
        replicas=spec.replicas,
        max_parallel=spec.max_parallel,
        drift_interval=spec.drift_interval,
        self_heal=spec.self_heal,
        policy_pack=spec.policy_pack,
        webhook_secret=(
            SecretKeyRef(name=spec.webhook_secret.name, key=spec.webhook_secret.key)
            if spec.webhook_secret is not None
            else None
        ),
        git_credentials_secret=spec.git_credentials_secret,
        backend=gr.PulumiBackend(
            url=backend.backend_url,
            credentials_secret=backend.credentials_secret,
            passphrase_secret=(
                SecretKeyRef(name=passphrase.name, key=passphrase.key)
                if passphrase is not None
                else None
            ),
        ),
        cpu_request=spec.resources.cpu,
        memory_request=spec.resources.memory,
        cluster_role=spec.cluster_role,
        cluster_role_scope=spec.cluster_role_scope,
        allowed_sources=_sources(spec.allowed_sources),
        metrics_sources=_sources(spec.metrics_sources),
    )


def _sources(sources: list[AllowedSource]) -> tuple[gr.TrafficSource, ...]:
    return tuple(
        gr.TrafficSource(
            pod_labels=dict(source.pod_labels) if source.pod_labels is not None else None,
            namespace_labels=(
                dict(source.namespace_labels) if source.namespace_labels is not None else None
            ),
            cidr=source.cidr,
        )
        for source in sources
    )
