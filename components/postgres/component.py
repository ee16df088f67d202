"""`Postgres`: PostgreSQL with pgvector, run by the CloudNativePG operator.

Usable on its own from a hand-written Pulumi program:

    from components.postgres import Postgres, PostgresArgs, VectorStore

    Postgres("pg", PostgresArgs(
        namespace="llm",
        storage_size="50Gi",
        vector_stores=(VectorStore(table="documents", dimension=1024),),
        consumer_pod_labels=({"app.kubernetes.io/name": "litellm"},),
    ))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.postgres.args import (
    CNPG_CHART,
    POSTGRES_PORT,
    AppRole,
    PostgresArgs,
    PostgresBackup,
    VectorStore,
)
from components.postgres.manifests import (
    URI_KEY,
    app_role_secret_name,
    connection_uri,
    credentials_secret_name,
    read_write_host,
    render_app_databases,
    render_bootstrap_config_map,
    render_cluster,
    render_database,
    render_labels,
    render_network_policy,
    render_operator_values,
    render_scheduled_backup,
)
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = ["AppRole", "Postgres", "PostgresArgs", "PostgresBackup", "VectorStore"]

TYPE_TOKEN = "shipyard:data:Postgres"
PASSWORD_LENGTH = 32
# The annotation that gives the instances' service account an IAM role (IRSA).
IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


class Postgres(pulumi.ComponentResource):
    """The CloudNativePG operator (optional), a `Cluster`, its `Database` with `vector`,
    the owner's credentials Secret, the vector stores' bootstrap SQL, a `ScheduledBackup`
    with backups, and a NetworkPolicy. The Cluster is protected unless `allow_data_loss`."""

    cluster_name: pulumi.Output[str]
    """The CloudNativePG Cluster's name."""
    host: pulumi.Output[str]
    """The read-write Service's in-cluster host name (always the primary)."""
    port: pulumi.Output[int]
    """PostgreSQL's port."""
    database: pulumi.Output[str]
    """The application database."""
    owner: pulumi.Output[str]
    """The application database's owner role."""
    secret_name: pulumi.Output[str]
    """The kubernetes.io/basic-auth Secret with the owner's `username` and `password`."""
    app_secret_names: pulumi.Output[dict[str, str]]
    """App role -> its kubernetes.io/basic-auth Secret (`username`, `password`, `uri`)."""
    owner_password: pulumi.Output[str]
    """The owner's password, a Pulumi secret; not a registered output."""

    def __init__(
        self,
        name: str,
        args: PostgresArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        owner_password: pulumi.Input[str] | None = None,
        backup_role_arn: pulumi.Input[str | None] | None = None,
        credentials: GivenSecrets | None = None,
    ) -> None:
        """`owner_password` brings your own password (e.g. `pulumi config set --secret`);
        without it one is generated. `backup_role_arn` is the IAM role the instances use
        to write backups to S3 (IRSA), e.g. `S3Bucket.role_arn`. `credentials` brings the
        app roles' passwords by resource name (`<name>-<role>-password`)."""
        # CloudNativePG names Services after the cluster (`<name>-rw`, `-ro`, `-r`).
        require_component_name("Postgres", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        crd_deps: list[pulumi.Resource] = []
        if args.install_operator:
            crd_deps.append(
                k8s.helm.v3.Release(
                    f"{name}-cnpg",
                    name=f"{name}-cnpg",
                    chart=CNPG_CHART,
                    version=args.chart_version,
                    repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=args.chart_repository),
                    namespace=args.operator_ns,
                    values=render_operator_values(),
                    # The CRDs and the webhook must be up before any Cluster.
                    skip_await=False,
                    opts=child,
                )
            )

        if owner_password is not None:
            password = pulumi.Output.secret(owner_password)
        else:
            generated = random.RandomPassword(
                f"{name}-owner-password", length=PASSWORD_LENGTH, special=False, opts=child
            )
            # `result` is always set by the provider; only offline mocks leave it empty.
            password = pulumi.Output.secret(generated.result.apply(lambda value: value or ""))
        secret_name = credentials_secret_name(name)
        secret = k8s.core.v1.Secret(
            secret_name,
            metadata={
                "name": secret_name,
                "namespace": args.namespace,
                "labels": render_labels(name),
            },
            type="kubernetes.io/basic-auth",
            string_data={
                "username": args.owner,
                "password": password,
                URI_KEY: password.apply(lambda value: connection_uri(name, args, value)),
            },
            opts=child,
        )

        role_secrets = [self._role_secret(name, args, role, credentials) for role in args.app_roles]
        cluster_deps: list[pulumi.Resource] = [*crd_deps, secret, *role_secrets]
        sql = render_bootstrap_config_map(name, args)
        if sql is not None:
            cluster_deps.append(create_object(sql["metadata"]["name"], sql, child))
        manifest = render_cluster(name, args)
        if args.backup is not None and backup_role_arn is not None:
            manifest["spec"]["serviceAccountTemplate"] = {
                "metadata": {"annotations": {IRSA_ROLE_ANNOTATION: backup_role_arn}}
            }
        cluster = create_object(
            name,
            manifest,
            pulumi.ResourceOptions(
                parent=self, depends_on=cluster_deps, protect=not args.allow_data_loss
            ),
        )
        after_cluster = pulumi.ResourceOptions(parent=self, depends_on=[cluster])
        create_object(f"{name}-database", render_database(name, args), after_cluster)
        for database in render_app_databases(name, args):
            create_object(database["metadata"]["name"], database, after_cluster)
        scheduled = render_scheduled_backup(name, args)
        if scheduled is not None:
            create_object(name, scheduled, after_cluster)
        create_object(name, render_network_policy(name, args), child)

        # Resolve only once the Cluster exists, so consumers wait for it.
        self.cluster_name = cluster.id.apply(lambda _: name)
        self.host = cluster.id.apply(lambda _: read_write_host(name, args.namespace))
        self.port = pulumi.Output.from_input(POSTGRES_PORT)
        self.database = pulumi.Output.from_input(args.database)
        self.owner = pulumi.Output.from_input(args.owner)
        self.secret_name = secret.metadata.apply(lambda _: secret_name)
        self.owner_password = password
        self.app_secret_names = pulumi.Output.all(*role_secrets).apply(
            lambda _: {role.name: app_role_secret_name(name, role.name) for role in args.app_roles}
        )
        # `owner_password` stays off the registered outputs, like the gateway's master
        # key: the engine stored a component's secret outputs in plain text in the state.
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "host": self.host,
                "port": self.port,
                "database": self.database,
                "owner": self.owner,
                "secret_name": self.secret_name,
                "app_secret_names": self.app_secret_names,
            }
        )

    def _role_secret(
        self, name: str, args: PostgresArgs, role: AppRole, credentials: GivenSecrets | None
    ) -> k8s.core.v1.Secret:
        """An app role's password, generated (or given), with its connection URL."""
        child = pulumi.ResourceOptions(parent=self)
        password = generated_secret(
            f"{name}-{role.name.replace('_', '-')}-password", PASSWORD_LENGTH, child, credentials
        )
        secret_name = app_role_secret_name(name, role.name)
        return k8s.core.v1.Secret(
            secret_name,
            metadata={
                "name": secret_name,
                "namespace": args.namespace,
                "labels": render_labels(name),
            },
            type="kubernetes.io/basic-auth",
            string_data={
                "username": role.name,
                "password": password,
                URI_KEY: password.apply(lambda value: connection_uri(name, args, value, role)),
            },
            opts=child,
        )
