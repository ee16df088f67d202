"""`GitopsReconciler` under Pulumi mocks: children, ordering, ignored fields, outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.gitops_reconciler.component import (
    TYPE_TOKEN,
    GitopsReconciler,
    GitopsReconcilerArgs,
    PulumiBackend,
)
from tests.components.pulumi_recorder import Recorder

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
LEASE = "kubernetes:coordination.k8s.io/v1:Lease"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SERVICE = "kubernetes:core/v1:Service"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

ARGS = GitopsReconcilerArgs(
    namespace="ops",
    image="registry.example/acme/shipyard-reconciler:0.1.0",
    repo="https://github.com/acme/platform.git",
    branch="main",
    backend=PulumiBackend(url="s3://acme-pulumi-state"),
)


def deploy(args: GitopsReconcilerArgs) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        reconciler = GitopsReconciler("reconciler", args)
        names = ["service", "webhook", "account", "lease", "state", "port"]

        def keep(values: list[Any]) -> None:
            outputs.update(zip(names, values, strict=True))

        return pulumi.Output.all(
            reconciler.service_name,
            reconciler.webhook_url,
            reconciler.service_account_name,
            reconciler.lease_name,
            reconciler.state_config_map_name,
            reconciler.port,
        ).apply(keep)

    program()
    return outputs


def test_children_and_outputs(monitor: Recorder) -> None:
    outputs = deploy(ARGS)
    component = monitor.one(TYPE_TOKEN)
    assert sorted(r.type for r in monitor.recorded if r.parent == component.urn) == sorted(
        [
            DEPLOYMENT,
            SERVICE_ACCOUNT,
            ROLE,
            ROLE_BINDING,
            LEASE,
            CONFIG_MAP,
            SERVICE,
            PDB,
            NETWORK_POLICY,
        ]
    )
    assert outputs == {
        "service": "reconciler",
        "webhook": "http://reconciler.ops.svc.cluster.local:8081/webhook",
        "account": "reconciler",
        "lease": "reconciler-leader",
        "state": "reconciler-state",
        "port": 8081,  # the Service's: /webhook alone
    }


def test_the_replicas_own_the_lease_spec_and_the_state_data(monitor: Recorder) -> None:
    deploy(ARGS)
    lease, state = monitor.one(LEASE), monitor.one(CONFIG_MAP)
    assert lease.ignore_changes == ("spec",) and "spec" not in lease.inputs
    assert lease.inputs["metadata"]["name"] == "reconciler-leader"
    assert state.ignore_changes == ("data",) and "data" not in state.inputs
    assert state.inputs["metadata"]["name"] == "reconciler-state"


def test_the_deployment_waits_for_its_identity_and_objects(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"cluster_role": "shipyard-apply"}))
    deployment = monitor.one(DEPLOYMENT)
    for kind in (SERVICE_ACCOUNT, ROLE, LEASE, CONFIG_MAP, CLUSTER_ROLE_BINDING):
        assert monitor.one(kind).urn in deployment.dependencies
    binding = monitor.one(CLUSTER_ROLE_BINDING).manifest()
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "shipyard-apply",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "reconciler", "namespace": "ops"}
    ]
    role = monitor.one(ROLE).manifest()
    assert [rule["resourceNames"] for rule in role["rules"]] == [
        ["reconciler-leader"],
        ["reconciler-state"],
    ]


def test_no_cluster_role_is_bound_by_default(monitor: Recorder) -> None:
    deploy(ARGS)
    assert monitor.of_type(CLUSTER_ROLE_BINDING) == []
    assert len(monitor.of_type(ROLE_BINDING)) == 1


def test_a_name_that_cannot_name_a_service_is_refused() -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid GitopsReconciler name"):
        GitopsReconciler("1reconciler", ARGS)
