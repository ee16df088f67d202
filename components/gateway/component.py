"""`AiGateway`: one OpenAI-compatible endpoint (the LiteLLM proxy) in front of the models.

Usable on its own from a hand-written Pulumi program:

    from components.gateway import AiGateway, GatewayArgs, GatewayBackend

    AiGateway("gateway", GatewayArgs(
        namespace="llm",
        backends=(GatewayBackend(
            served_name="llama-8b",
            api_base="http://llama-8b.llm.svc.cluster.local:8000/v1",
            pod_labels={"app.kubernetes.io/instance": "llama-8b"},
            port=8000,
        ),),
    ))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.gateway.args import (
    MASTER_KEY_SECRET_KEY,
    CertManagerIssuer,
    EgressPeer,
    Exposure,
    GatewayArgs,
    GatewayBackend,
    GatewayTls,
    Limits,
    ParentRef,
    RequestLogs,
    UsageLogging,
    VirtualKeys,
)
from components.gateway.coordination import CacheConnection, ResponseCache
from components.gateway.hosted import HostedBackend
from components.gateway.key_job import render_key_sync
from components.gateway.keys import (
    APP_BASE_URL_SECRET_KEY,
    APP_KEY_LENGTH,
    APP_KEY_PREFIX,
    APP_KEY_SECRET_KEY,
    AppKey,
    app_key_secret_name,
)
from components.gateway.manifests import (
    master_key_secret_name,
    public_url,
    render_config_map,
    render_deployment,
    render_http_route,
    render_ingress,
    render_labels,
    render_network_policy,
    render_pod_disruption_budget,
    render_service,
    render_service_account,
    service_url,
)
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = [
    "AiGateway",
    "AppKey",
    "CacheConnection",
    "CertManagerIssuer",
    "EgressPeer",
    "Exposure",
    "GatewayArgs",
    "GatewayBackend",
    "GatewayTls",
    "HostedBackend",
    "Limits",
    "ParentRef",
    "RequestLogs",
    "ResponseCache",
    "UsageLogging",
    "VirtualKeys",
]

IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"

TYPE_TOKEN = "shipyard:serving:AiGateway"
MASTER_KEY_LENGTH = 48
# LiteLLM requires the master key to start with `sk-`.
MASTER_KEY_PREFIX = "sk-"


class AiGateway(pulumi.ComponentResource):
    """The LiteLLM proxy: ConfigMap, generated master key Secret, Deployment, Service,
    PDB, NetworkPolicy, and an Ingress or HTTPRoute when exposed."""

    service_name: pulumi.Output[str]
    """Name of the ClusterIP Service in front of the proxy."""
    url: pulumi.Output[str]
    """In-cluster base URL of the OpenAI-compatible API, ending in `/v1`."""
    public_url: pulumi.Output[str | None]
    """The external base URL, or None when the gateway is not exposed."""
    master_key_secret_name: pulumi.Output[str | None]
    """The Secret holding the master key (key `master-key`), or None without authentication."""
    master_key: pulumi.Output[str | None]
    """The generated master key, a Pulumi secret; None without authentication."""
    app_key_secret_names: pulumi.Output[dict[str, str]]
    """App -> the Secret with its own key (`api-key`) and the gateway's URL (`base-url`)."""

    def __init__(
        self,
        name: str,
        args: GatewayArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        master_key: pulumi.Input[str] | None = None,
        request_logs_role_arn: pulumi.Input[str | None] | None = None,
        credentials: GivenSecrets | None = None,
    ) -> None:
        """`master_key` brings your own key (it must start with `sk-`), e.g. from a
        secret manager or `pulumi config set --secret`; without it one is generated.
        `request_logs_role_arn` is the IAM role (IRSA) the service account writes request
        logs with, e.g. `S3Bucket.role_arn`. `credentials` replaces generated app keys by
        resource name (`<name>-<app>-key`)."""
        require_component_name("AiGateway", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        secret_name: str | None = None
        key: pulumi.Output[str] | None = None
        secret_deps: list[pulumi.Resource] = []
        if args.authentication and master_key is not None:
            key = pulumi.Output.secret(master_key)
        elif args.authentication:
            password = random.RandomPassword(
                f"{name}-master-key", length=MASTER_KEY_LENGTH, special=False, opts=child
            )
            # `result` is always set by the provider; only offline mocks leave it empty.
            key = pulumi.Output.secret(
                password.result.apply(lambda value: MASTER_KEY_PREFIX + (value or ""))
            )
        if key is not None:
            secret_name = master_key_secret_name(name)
            secret = k8s.core.v1.Secret(
                secret_name,
                metadata={
                    "name": secret_name,
                    "namespace": args.namespace,
                    "labels": render_labels(name),
                },
                type="Opaque",
                string_data={MASTER_KEY_SECRET_KEY: key},
                opts=child,
            )
            secret_deps.append(secret)

        account = render_service_account(name, args)
        if args.request_logs is not None and request_logs_role_arn is not None:
            account["metadata"]["annotations"] = {IRSA_ROLE_ANNOTATION: request_logs_role_arn}
        service_account = k8s.core.v1.ServiceAccount(
            name,
            metadata=account["metadata"],
            automount_service_account_token=False,
            opts=child,
        )
        app_secrets = self._app_keys(name, args, credentials)

        config = render_config_map(name, args)
        config_map = create_object(config["metadata"]["name"], config, child)
        deployment = create_object(
            name,
            render_deployment(name, args),
            pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(depends_on=[config_map, service_account, *secret_deps]),
            ),
        )
        service = create_object(name, render_service(name, args), child)
        create_object(name, render_pod_disruption_budget(name, args), child)
        create_object(name, render_network_policy(name, args), child)
        for exposure in (render_ingress(name, args), render_http_route(name, args)):
            if exposure is not None:
                create_object(name, exposure, child)
        key_sync = render_key_sync(name, args)
        if key_sync is not None:
            script, job = key_sync
            script_map = create_object(script["metadata"]["name"], script, child)
            k8s.batch.v1.Job(
                f"{name}-keys",
                metadata=job["metadata"],
                spec=job["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[script_map, deployment, service, *secret_deps, *app_secrets],
                ),
            )

        self.service_name = service.id.apply(lambda _: name)
        self.url = pulumi.Output.from_input(service_url(name, args.namespace))
        self.public_url = pulumi.Output.from_input(public_url(args))
        self.master_key_secret_name = pulumi.Output.from_input(secret_name)
        self.master_key = key if key is not None else pulumi.Output.from_input(None)
        self.app_key_secret_names = pulumi.Output.from_input(
            {key.app: app_key_secret_name(name, key.app) for key in args.app_keys}
        )
        # `master_key` stays off the registered outputs on purpose: the engine
        # stored a component's secret outputs in plain text in the state (found by
        # tests/e2e/test_dev_blueprint.py). Read it from the Secret it names.
        self.register_outputs(
            {
                "service_name": self.service_name,
                "url": self.url,
                "public_url": self.public_url,
                "master_key_secret_name": self.master_key_secret_name,
                "app_key_secret_names": self.app_key_secret_names,
            }
        )

    def _app_keys(
        self, name: str, args: GatewayArgs, given: GivenSecrets | None
    ) -> list[pulumi.Resource]:
        """One generated key per app, in its own Secret with the gateway's URL."""
        child = pulumi.ResourceOptions(parent=self)
        secrets: list[pulumi.Resource] = []
        for app_key in args.app_keys:
            secret_name = app_key_secret_name(name, app_key.app)
            value = generated_secret(secret_name, APP_KEY_LENGTH, child, given)
            secrets.append(
                k8s.core.v1.Secret(
                    secret_name,
                    metadata={
                        "name": secret_name,
                        "namespace": args.namespace,
                        "labels": render_labels(name),
                    },
                    type="Opaque",
                    string_data={
                        APP_KEY_SECRET_KEY: value.apply(lambda v: APP_KEY_PREFIX + v),
                        APP_BASE_URL_SECRET_KEY: service_url(name, args.namespace),
                    },
                    opts=child,
                )
            )
        return secrets
