"""`AppService` under Pulumi mocks: its children, a protected StatefulSet, the autoscaler
left in charge of replicas, and the ServiceAccount's IRSA annotation."""

from __future__ import annotations

from typing import Any

import pulumi

from components.app.args import AppPort, AppServiceArgs, Autoscaling, VolumeClaim
from components.app.component import TYPE_TOKEN, AppService
from tests.components.pulumi_recorder import Recorder

ARGS = AppServiceArgs(
    namespace="llm",
    image="registry.example.com/acme/api:1.0.0",
    ports=(AppPort(name="http", port=8080),),
    replicas=2,
)
ROLE = "arn:aws:iam::123456789012:role/api"


def deploy(args: AppServiceArgs, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        app = AppService("api", args, service_account_annotations=annotations)

        def keep(values: list[Any]) -> None:
            outputs.update(zip(("workload", "account", "host"), values, strict=True))

        return pulumi.Output.all(app.workload_name, app.service_account_name, app.host).apply(keep)

    program()
    return outputs


def test_a_deployment_with_its_companions(monitor: Recorder) -> None:
    outputs = deploy(ARGS, {"eks.amazonaws.com/role-arn": ROLE})
    assert outputs == {"workload": "api", "account": "api", "host": "api.llm.svc.cluster.local"}
    types = sorted(r.type for r in monitor.recorded)
    assert types == sorted(
        [
            TYPE_TOKEN,
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Service",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        ]
    )
    account = monitor.one("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE}
    assert account.inputs["automountServiceAccountToken"] is False
    deployment = monitor.one("kubernetes:apps/v1:Deployment")
    assert deployment.parent is not None and TYPE_TOKEN in deployment.parent
    assert deployment.protect is False


def test_a_stateful_set_with_claims_is_protected(monitor: Recorder) -> None:
    args = ARGS.model_copy(
        update={
            "workload": "statefulSet",
            "volume_claims": (VolumeClaim(name="data", mount_path="/data", size="10Gi"),),
        }
    )
    deploy(args)
    assert monitor.one("kubernetes:apps/v1:StatefulSet").protect is True
    assert len(monitor.of_type("kubernetes:core/v1:Service")) == 2


def test_the_autoscaler_owns_the_replicas(monitor: Recorder) -> None:
    scaled = ARGS.model_copy(
        update={"autoscaling": Autoscaling(min_replicas=2, max_replicas=5, cpu_utilization=60)}
    )
    deploy(scaled)
    assert monitor.one("kubernetes:apps/v1:Deployment").ignore_changes == ("spec.replicas",)
    hpa = monitor.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert hpa.inputs["spec"]["maxReplicas"] == 5
