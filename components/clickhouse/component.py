"""`ClickHouse`: analytics for the gateway's logs, run by the Altinity clickhouse-operator.

Usable on its own from a hand-written Pulumi program:

    from components.clickhouse import ClickHouse, ClickHouseArgs, ClickHouseUser, KeeperArgs

    ClickHouse("analytics", ClickHouseArgs(
        namespace="llm",
        replicas=2,
        keeper=KeeperArgs(replicas=3),
        storage_size="100Gi",
        users=(ClickHouseUser(name="gateway"),),
        consumer_pod_labels=({"app.kubernetes.io/name": "litellm"},),
    ))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.clickhouse.args import (
    ADMIN_USER,
    CHOP_CHART,
    HTTP_PORT,
    ClickHouseArgs,
    ClickHouseUser,
    KeeperArgs,
)
from components.clickhouse.bootstrap import render_schema_config_map, render_schema_job
from components.clickhouse.manifests import (
    HTTP_HEADERS_KEY,
    credentials_secret_name,
    keeper_name,
    render_installation,
    render_keeper,
    render_keeper_network_policy,
    render_labels,
    render_network_policy,
    render_operator_values,
    service_host,
)
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem
from components.shared.network_policies import render_deny_ingress

__all__ = ["ClickHouse", "ClickHouseArgs", "ClickHouseUser", "KeeperArgs"]

TYPE_TOKEN = "shipyard:data:ClickHouse"
PASSWORD_LENGTH = 32


def _http_headers(user: str, password: str) -> str:
    """ClickHouse's HTTP authentication headers as `Name=value,Name=value`."""
    return f"X-ClickHouse-User={user},X-ClickHouse-Key={password}"


def _headers_output(user: str, password: pulumi.Output[str]) -> pulumi.Output[str]:
    headers: pulumi.Output[str] = password.apply(lambda value: _http_headers(user, value))
    return pulumi.Output.secret(headers)


class ClickHouse(pulumi.ComponentResource):
    """The operator (optional), a ClickHouseKeeperInstallation (with `keeper`), the
    ClickHouseInstallation, a credentials Secret per user, the logs schema's ConfigMap and
    bootstrap Job, and NetworkPolicies. The installations are protected unless
    `allow_data_loss`."""

    installation_name: pulumi.Output[str]
    """The ClickHouseInstallation's name."""
    host: pulumi.Output[str]
    """The in-cluster host name of the Service in front of every ClickHouse host."""
    http_port: pulumi.Output[int]
    """ClickHouse's HTTP port."""
    database: pulumi.Output[str]
    """The logs database."""
    secret_names: pulumi.Output[dict[str, str]]
    """User name -> its credentials Secret (`username`, `password`, `http-headers`)."""
    schema_job_name: pulumi.Output[str]
    """The Job that created the logs schema."""

    def __init__(
        self,
        name: str,
        args: ClickHouseArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        credentials: GivenSecrets | None = None,
    ) -> None:
        """`credentials` brings values for generated secrets by resource name
        (`<name>-<user>-password`, `<name>-operator-password`)."""
        # The operator names the Service `clickhouse-<name>` and pods `chi-<name>-...`.
        require_component_name("ClickHouse", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protect = not args.allow_data_loss

        crd_deps: list[pulumi.Resource] = []
        if args.install_operator:
            values = render_operator_values()
            values["secret"]["password"] = generated_secret(
                f"{name}-operator-password", PASSWORD_LENGTH, child, credentials
            )
            crd_deps.append(
                k8s.helm.v3.Release(
                    f"{name}-clickhouse-operator",
                    name=f"{name}-clickhouse-operator",
                    chart=CHOP_CHART,
                    version=args.chart_version,
                    repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=args.chart_repository),
                    namespace=args.operator_ns,
                    values=values,
                    # The CRDs come with the release; the operator must run before any CR.
                    skip_await=False,
                    opts=child,
                )
            )

        secrets: dict[str, k8s.core.v1.Secret] = {}
        for user in ["default", ADMIN_USER, *(u.name for u in args.users)]:
            password = generated_secret(
                f"{name}-{user.replace('_', '-')}-password", PASSWORD_LENGTH, child, credentials
            )
            secret_name = credentials_secret_name(name, user)
            secrets[user] = k8s.core.v1.Secret(
                secret_name,
                metadata={
                    "name": secret_name,
                    "namespace": args.namespace,
                    "labels": render_labels(name),
                },
                type="kubernetes.io/basic-auth",
                string_data={
                    "username": user,
                    "password": password,
                    HTTP_HEADERS_KEY: _headers_output(user, password),
                },
                opts=child,
            )

        installation_deps: list[pulumi.Resource] = [*crd_deps, *secrets.values()]
        if args.keeper is not None:
            installation_deps.append(
                create_object(
                    keeper_name(name),
                    render_keeper(name, args, args.keeper),
                    pulumi.ResourceOptions(parent=self, depends_on=crd_deps, protect=protect),
                )
            )
            create_object(keeper_name(name), render_keeper_network_policy(name, args), child)
        installation = create_object(
            name,
            render_installation(name, args),
            pulumi.ResourceOptions(parent=self, depends_on=installation_deps, protect=protect),
        )
        create_object(name, render_network_policy(name, args), child)

        schema = render_schema_config_map(name, args)
        config_map = create_object(schema["metadata"]["name"], schema, child)
        job_manifest = render_schema_job(name, args)
        create_object(
            f"{name}-schema",
            render_deny_ingress(
                f"{name}-schema",
                args.namespace,
                job_manifest["metadata"]["labels"],
                job_manifest["spec"]["template"]["metadata"]["labels"],
            ),
            child,
        )
        job = k8s.batch.v1.Job(
            f"{name}-schema",
            metadata=job_manifest["metadata"],
            spec=job_manifest["spec"],
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[installation, config_map, secrets[ADMIN_USER]],
                delete_before_replace=True,
            ),
        )

        self.installation_name = installation.id.apply(lambda _: name)
        self.host = installation.id.apply(lambda _: service_host(name, args.namespace))
        self.http_port = pulumi.Output.from_input(HTTP_PORT)
        self.database = pulumi.Output.from_input(args.database)
        names = {user: credentials_secret_name(name, user) for user in secrets}
        self.secret_names = pulumi.Output.all(*secrets.values()).apply(lambda _: names)
        self.schema_job_name = job.metadata.apply(lambda meta: meta.name or "")
        # The passwords stay in their Secrets: never a registered output.
        self.register_outputs(
            {
                "installation_name": self.installation_name,
                "host": self.host,
                "http_port": self.http_port,
                "database": self.database,
                "secret_names": self.secret_names,
                "schema_job_name": self.schema_job_name,
            }
        )
