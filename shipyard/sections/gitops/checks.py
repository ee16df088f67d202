"""Checks of `spec.gitops`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from components.gitops_reconciler.args import (
    MIN_DRIFT_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
    backend_problem,
    branch_problem,
    cidr_problem,
    duration_problem,
    policy_pack_problem,
    repo_kind,
    repo_problem,
    stack_problem,
)
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.cluster.model import LocalCluster
from shipyard.sections.gitops.model import AllowedSource


def _source(path: Path, source: AllowedSource) -> Iterator[Finding]:
    selectors = source.pod_labels is not None or source.namespace_labels is not None
    if selectors == (source.cidr is not None):
        yield (path, "a source is either `cidr` or `podLabels`/`namespaceLabels`; set one")
        return
    if source.cidr is not None:
        problem = cidr_problem(source.cidr)
        if problem:
            yield ((*path, "cidr"), problem)
    for field, labels in (
        ("podLabels", source.pod_labels),
        ("namespaceLabels", source.namespace_labels),
    ):
        if labels == {}:
            yield ((*path, field), "an empty selector admits everything; name labels")


def check_gitops(platform: Platform) -> Iterator[Finding]:
    spec = platform.spec.gitops
    if spec is None:
        return
    base: Path = ("spec", "gitops")
    for field, problem in (
        ("repo", repo_problem(spec.repo)),
        ("branch", branch_problem(spec.branch)),
        ("interval", duration_problem(spec.interval, MIN_INTERVAL_SECONDS)),
        ("driftInterval", duration_problem(spec.drift_interval, MIN_DRIFT_INTERVAL_SECONDS)),
        ("policyPack", spec.policy_pack and policy_pack_problem(spec.policy_pack)),
    ):
        if problem:
            yield ((*base, field), problem)
    seen: set[str] = set()
    for index, stack in enumerate(spec.stacks):
        problem = stack_problem(stack)
        if problem:
            yield ((*base, "stacks", index), problem)
        elif stack in seen:
            yield ((*base, "stacks", index), f"stack `{stack}` is listed twice; remove one")
        seen.add(stack)
    if repo_kind(spec.repo) == "ssh" and spec.git_credentials_secret is None:
        yield (
            (*base, "repo"),
            "an ssh repository needs `gitCredentialsSecret` with `ssh-privatekey` and "
            "`known_hosts`; or use an https:// URL",
        )
    problem = backend_problem(spec.pulumi.backend_url)
    if problem:
        yield ((*base, "pulumi", "backendUrl"), problem)
    for field, sources in (
        ("allowedSources", spec.allowed_sources),
        ("metricsSources", spec.metrics_sources),
    ):
        for index, source in enumerate(sources):
            yield from _source((*base, field, index), source)
    cluster = platform.spec.cluster
    if isinstance(cluster, LocalCluster) and (cluster.context or cluster.kubeconfig):
        field = "context" if cluster.context else "kubeconfig"
        yield (
            ("spec", "cluster", field),
            f"the in-cluster reconciler applies with its service account, where `{field}` "
            "does not exist; leave it out (the current context is used elsewhere)",
        )
