"""`GitopsReconciler`: `shipyard reconcile` running in the cluster, several replicas with
leader election on a Lease, its state in a ConfigMap.

Usable on its own from a hand-written Pulumi program:

    from components.gitops_reconciler import GitopsReconciler, GitopsReconcilerArgs, PulumiBackend

    GitopsReconciler("reconciler", GitopsReconcilerArgs(
        namespace="ops",
        image="registry.example/acme/shipyard-reconciler:0.1.0",
        repo="https://github.com/acme/platform.git",
        branch="main",
        backend=PulumiBackend(url="s3://acme-pulumi-state"),
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.gitops_reconciler.args import (
    WEBHOOK_PORT,
    GitopsReconcilerArgs,
    PulumiBackend,
    TrafficSource,
)
from components.gitops_reconciler.manifests import (
    lease_name,
    render_apply_binding,
    render_deployment,
    render_lease,
    render_network_policy,
    render_pod_disruption_budget,
    render_role,
    render_role_binding,
    render_service,
    render_service_account,
    render_state_config_map,
    state_config_map_name,
    webhook_url,
)
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = ["GitopsReconciler", "GitopsReconcilerArgs", "PulumiBackend", "TrafficSource"]

TYPE_TOKEN = "shipyard:gitops:GitopsReconciler"
# Kinds `create_object` does not know, with the top-level fields they carry.
_OWN_KINDS: Mapping[tuple[str, str], tuple[Callable[..., pulumi.CustomResource], tuple[str, ...]]]
_OWN_KINDS = {
    ("v1", "ServiceAccount"): (k8s.core.v1.ServiceAccount, ()),
    ("rbac.authorization.k8s.io/v1", "Role"): (k8s.rbac.v1.Role, ("rules",)),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): (
        k8s.rbac.v1.RoleBinding,
        ("roleRef", "subjects"),
    ),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): (
        k8s.rbac.v1.ClusterRoleBinding,
        ("roleRef", "subjects"),
    ),
    ("coordination.k8s.io/v1", "Lease"): (k8s.coordination.v1.Lease, ("spec",)),
}
_SNAKE = {"roleRef": "role_ref"}


def _create(name: str, manifest: Mapping[str, Any], opts: pulumi.ResourceOptions) -> Any:
    own = _OWN_KINDS.get((manifest["apiVersion"], manifest["kind"]))
    if own is None:
        return create_object(name, manifest, opts)
    cls, fields = own
    body = {_SNAKE.get(key, key): manifest[key] for key in fields if key in manifest}
    return cls(name, metadata=manifest["metadata"], **body, opts=opts)


class GitopsReconciler(pulumi.ComponentResource):
    """A Deployment of `shipyard reconcile` (leader-elected replicas), its ServiceAccount,
    a Role for its Lease and state ConfigMap (both created here), an optional binding of
    the user's ClusterRole, a Service, a PDB and a NetworkPolicy."""

    service_name: pulumi.Output[str]
    """The ClusterIP Service in front of the webhook port (and nothing else)."""
    webhook_url: pulumi.Output[str]
    """The in-cluster URL GitHub webhooks are relayed to."""
    service_account_name: pulumi.Output[str]
    """The ServiceAccount the reconciler runs as; bind what the stacks need to it."""
    lease_name: pulumi.Output[str]
    """The Lease the replicas elect a leader with."""
    state_config_map_name: pulumi.Output[str]
    """The ConfigMap holding the per-stack reconcile state."""
    port: pulumi.Output[int]
    """The Service's port: `/webhook` alone (health and metrics are on the pods' `http`)."""

    def __init__(
        self, name: str, args: GitopsReconcilerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        require_component_name("GitopsReconciler", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        account = _create(name, render_service_account(name, args), child)
        role = _create(name, render_role(name, args), child)
        binding = _create(name, render_role_binding(name, args), child)
        # The replicas write the Lease's spec and the ConfigMap's data; Pulumi owns neither.
        lease = _create(
            lease_name(name),
            render_lease(name, args),
            pulumi.ResourceOptions(parent=self, ignore_changes=["spec"]),
        )
        state = _create(
            state_config_map_name(name),
            render_state_config_map(name, args),
            # Deleting the state only costs one re-apply per stack; keeping it avoids that.
            pulumi.ResourceOptions(parent=self, ignore_changes=["data"], retain_on_delete=True),
        )
        needs: list[pulumi.Resource] = [account, role, binding, lease, state]
        apply_binding = render_apply_binding(name, args)
        if apply_binding is not None:
            needs.append(_create(f"{name}-apply", apply_binding, child))
        _create(
            name,
            render_deployment(name, args),
            pulumi.ResourceOptions(parent=self, depends_on=needs),
        )
        service = _create(name, render_service(name, args), child)
        _create(name, render_pod_disruption_budget(name, args), child)
        _create(name, render_network_policy(name, args), child)

        self.service_name = service.id.apply(lambda _: name)
        self.webhook_url = service.id.apply(lambda _: webhook_url(name, args.namespace))
        self.service_account_name = account.id.apply(lambda _: name)
        self.lease_name = lease.id.apply(lambda _: lease_name(name))
        self.state_config_map_name = state.id.apply(lambda _: state_config_map_name(name))
        self.port = pulumi.Output.from_input(WEBHOOK_PORT)
        self.register_outputs(
            {
                "service_name": self.service_name,
                "webhook_url": self.webhook_url,
                "service_account_name": self.service_account_name,
                "lease_name": self.lease_name,
                "state_config_map_name": self.state_config_map_name,
                "port": self.port,
            }
        )
