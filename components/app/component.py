"""`AppService`: one of the platform's own workloads, safe by default.

Usable on its own from a hand-written Pulumi program:

    from components.app import AppService, AppServiceArgs, AppPort, AppBinding, BindingValue

    AppService("backend", AppServiceArgs(
        namespace="llm",
        image="registry.example.com/portkey/backend:1.0.0",
        ports=(AppPort(name="http", port=8787),),
        replicas=2,
        bindings=(AppBinding(name="postgres", type="postgresql", provider="cloudnative-pg",
                             env_prefix="POSTGRES", values=(...), egress=(...)),),
    ))
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.app.args import (
    AppBinding,
    AppExposure,
    AppPort,
    AppResources,
    AppServiceArgs,
    Autoscaling,
    BindingValue,
    EnvVar,
    ExternalEgress,
    KafkaLagTrigger,
    NetworkPeer,
    Probe,
    Probes,
    PrometheusTrigger,
    VolumeClaim,
)
from components.app.manifests import (
    render_bindings_config_map,
    render_pod_disruption_budget,
    render_service_account,
    render_services,
    render_workload,
    service_account_name,
    service_host,
)
from components.app.network import render_http_route, render_ingress, render_network_policy
from components.app.scaling import render_hpa, render_scaled_object, render_trigger_authentication
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = [
    "AppBinding",
    "AppExposure",
    "AppPort",
    "AppResources",
    "AppService",
    "AppServiceArgs",
    "Autoscaling",
    "BindingValue",
    "EnvVar",
    "ExternalEgress",
    "KafkaLagTrigger",
    "NetworkPeer",
    "Probe",
    "Probes",
    "PrometheusTrigger",
    "VolumeClaim",
]

TYPE_TOKEN = "shipyard:apps:AppService"


class AppService(pulumi.ComponentResource):
    """The app's ServiceAccount, bindings ConfigMap, workload, Services, PDB, autoscaler,
    NetworkPolicy and exposure. A StatefulSet with volume claims is protected unless
    `allow_data_loss`."""

    workload_name: pulumi.Output[str]
    """The Deployment, StatefulSet, Job or CronJob's name."""
    service_account_name: pulumi.Output[str]
    """The ServiceAccount the pods run as."""
    host: pulumi.Output[str | None]
    """The Service's in-cluster host name; None without ports."""

    def __init__(
        self,
        name: str,
        args: AppServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        service_account_annotations: Mapping[str, pulumi.Input[str]] | None = None,
    ) -> None:
        """`service_account_annotations` go on the ServiceAccount, e.g. an IRSA role ARN
        (`eks.amazonaws.com/role-arn`) that is only known once the role exists."""
        require_component_name("AppService", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        account = render_service_account(name, args)
        if service_account_annotations:
            account["metadata"]["annotations"] = dict(service_account_annotations)
        before_pods: list[pulumi.Resource] = [create_object(name, account, child)]
        config = render_bindings_config_map(name, args)
        if config is not None:
            before_pods.append(create_object(config["metadata"]["name"], config, child))

        workload = render_workload(name, args)
        keep = (
            args.workload == "statefulSet" and bool(args.volume_claims) and not args.allow_data_loss
        )
        created = create_object(
            name,
            workload,
            pulumi.ResourceOptions(
                parent=self,
                depends_on=before_pods,
                protect=keep,
                retain_on_delete=keep,
                # The autoscaler owns the replica count once it runs.
                ignore_changes=["spec.replicas"] if args.autoscaling else None,
            ),
        )
        after = pulumi.ResourceOptions(parent=self, depends_on=[created])
        for service in render_services(name, args):
            create_object(service["metadata"]["name"], service, child)
        for manifest in (
            render_pod_disruption_budget(name, args),
            render_hpa(name, args),
            render_trigger_authentication(name, args),
        ):
            if manifest is not None:
                create_object(manifest["metadata"]["name"], manifest, after)
        scaled = render_scaled_object(name, args)
        if scaled is not None:
            create_object(name, scaled, after)
        create_object(name, render_network_policy(name, args), child)
        for exposure in (render_ingress(name, args), render_http_route(name, args)):
            if exposure is not None:
                create_object(name, exposure, child)

        workload_name: str = workload["metadata"]["name"]
        self.workload_name = created.id.apply(lambda _: workload_name)
        self.service_account_name = pulumi.Output.from_input(service_account_name(name))
        self.host = pulumi.Output.from_input(
            service_host(name, args.namespace) if render_services(name, args) else None
        )
        self.register_outputs(
            {
                "workload_name": self.workload_name,
                "service_account_name": self.service_account_name,
                "host": self.host,
            }
        )
