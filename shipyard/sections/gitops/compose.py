"""The GitOps reconciler in the cluster: leader-elected replicas."""

from __future__ import annotations

from components.gitops_reconciler.component import GitopsReconciler
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.gitops.args import gitops_reconciler_args


def compose_gitops(platform: Platform, composed: ComposedPlatform) -> None:
    spec = platform.spec.gitops
    args = gitops_reconciler_args(platform)
    if spec is None or args is None:
        return
    composed.gitops = GitopsReconciler(spec.name, args, opts=composed.in_namespace())
