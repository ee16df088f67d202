"""`Kafka`: Apache Kafka in KRaft mode, run by the Strimzi operator (`kafka.strimzi.io/v1`).

Usable on its own from a hand-written Pulumi program:

    from components.kafka import Kafka, KafkaArgs, KafkaNodePoolArgs, KafkaTopicArgs, ...

    Kafka("events", KafkaArgs(
        namespace="llm",
        brokers=KafkaNodePoolArgs(replicas=3, storage_size="100Gi", cpu_request="1",
                                  memory_request="4Gi"),
        controllers=KafkaNodePoolArgs(replicas=3, storage_size="10Gi", cpu_request="500m",
                                      memory_request="2Gi"),
        topics=(KafkaTopicArgs(name="agent.tasks", replicas=3, min_insync_replicas=2,
                               retention_ms=604800000),),
        users=(KafkaUserArgs(name="backend", pod_labels={"app": "backend"}, acls=(...)),),
    ))
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from components.kafka.args import (
    STRIMZI_CHART,
    KafkaAcl,
    KafkaArgs,
    KafkaNodePoolArgs,
    KafkaTopicArgs,
    KafkaUserArgs,
    ListenerPeer,
    PasswordSecretRef,
)
from components.kafka.manifests import (
    bootstrap_servers,
    cluster_ca_secret_name,
    password_secret_name,
    render_kafka,
    render_labels,
    render_node_pool,
    render_operator_values,
    render_topic,
    render_user,
)
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = [
    "Kafka",
    "KafkaAcl",
    "KafkaArgs",
    "KafkaNodePoolArgs",
    "KafkaTopicArgs",
    "KafkaUserArgs",
    "ListenerPeer",
    "PasswordSecretRef",
]

TYPE_TOKEN = "shipyard:data:Kafka"
PASSWORD_KEY = "password"
USERNAME_KEY = "username"
# SCRAM passwords Shipyard generates: letters and digits, as long as Strimzi's own.
PASSWORD_LENGTH = 32


class Kafka(pulumi.ComponentResource):
    """The Strimzi operator (optional), a `Kafka` cluster with broker and controller
    `KafkaNodePool`s, `KafkaTopic`s and `KafkaUser`s. The cluster, its pools and its
    topics are protected unless `allow_data_loss`."""

    cluster_name: pulumi.Output[str]
    """The Kafka cluster's name."""
    bootstrap_servers: pulumi.Output[str]
    """`host:port` of the TLS listener's bootstrap Service."""
    ca_secret_name: pulumi.Output[str]
    """The Secret with the cluster CA certificate (`ca.crt`) clients must trust."""
    authentication: pulumi.Output[str]
    """`scram-sha-512` or `tls`."""
    user_secret_names: pulumi.Output[dict[str, str]]
    """User name -> the Secret Strimzi writes its credentials to (same name)."""

    def __init__(
        self,
        name: str,
        args: KafkaArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        user_passwords: Mapping[str, pulumi.Input[str]] | None = None,
        credentials: GivenSecrets | None = None,
    ) -> None:
        """`user_passwords` gives SCRAM users their passwords (Pulumi secrets, e.g. from
        `pulumi config set --secret`); a user with `generate_password` gets a generated
        one (`<name>-<user>-scram-password`, or that name in `credentials`); any other
        user gets a password Strimzi generates."""
        # Strimzi names Services after the cluster (`<name>-kafka-bootstrap`).
        require_component_name("Kafka", name, service_name_problem(name))
        passwords = dict(user_passwords or {})
        _check_passwords(args, passwords)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for user in args.users:
            if user.generate_password and user.name not in passwords:
                passwords[user.name] = generated_secret(
                    f"{name}-{user.name}-scram-password", PASSWORD_LENGTH, child, credentials
                )

        crd_deps: list[pulumi.Resource] = []
        if args.install_operator:
            crd_deps.append(
                k8s.helm.v3.Release(
                    f"{name}-strimzi",
                    name=f"{name}-strimzi",
                    chart=STRIMZI_CHART,
                    version=args.chart_version,
                    repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=args.chart_repository),
                    namespace=args.operator_ns,
                    values=render_operator_values(args),
                    # The CRDs and the operator must be up before any Kafka resource.
                    skip_await=False,
                    opts=child,
                )
            )
        stateful = pulumi.ResourceOptions(
            parent=self, depends_on=crd_deps, protect=not args.allow_data_loss
        )
        pools = [
            create_object(f"{name}-{role}", render_node_pool(name, args, role), stateful)
            for role in ("controller", "broker")
        ]
        cluster = create_object(
            name,
            render_kafka(name, args),
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[*crd_deps, *pools],
                protect=not args.allow_data_loss,
            ),
        )
        for topic in args.topics:
            manifest = render_topic(name, args, topic)
            create_object(
                f"{name}-topic-{manifest['metadata']['name']}",
                manifest,
                pulumi.ResourceOptions(
                    parent=self, depends_on=[cluster], protect=not args.allow_data_loss
                ),
            )
        for user in args.users:
            user_deps: list[pulumi.Resource] = [cluster]
            password_key = None
            if user.name in passwords:
                secret = self._password_secret(name, args, user.name, passwords[user.name])
                user_deps.append(secret)
                password_key = (password_secret_name(user.name), PASSWORD_KEY)
            create_object(
                f"{name}-user-{user.name}",
                render_user(name, args, user, password_key),
                pulumi.ResourceOptions(parent=self, depends_on=user_deps),
            )

        # Resolve only once the Kafka CR exists, so consumers wait for it.
        self.cluster_name = cluster.id.apply(lambda _: name)
        self.bootstrap_servers = cluster.id.apply(lambda _: bootstrap_servers(name, args.namespace))
        self.ca_secret_name = cluster.id.apply(lambda _: cluster_ca_secret_name(name))
        self.authentication = pulumi.Output.from_input(args.authentication)
        self.user_secret_names = pulumi.Output.from_input({u.name: u.name for u in args.users})
        # No credential is an output: Strimzi writes them to the users' Secrets.
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "bootstrap_servers": self.bootstrap_servers,
                "ca_secret_name": self.ca_secret_name,
                "authentication": self.authentication,
                "user_secret_names": self.user_secret_names,
            }
        )

    def _password_secret(
        self, name: str, args: KafkaArgs, user: str, password: pulumi.Input[str]
    ) -> k8s.core.v1.Secret:
        secret_name = password_secret_name(user)
        return k8s.core.v1.Secret(
            secret_name,
            metadata={
                "name": secret_name,
                "namespace": args.namespace,
                "labels": render_labels(name),
            },
            type="Opaque",
            # `username` beside it, so a client (KEDA) reads both from one Secret.
            string_data={USERNAME_KEY: user, PASSWORD_KEY: pulumi.Output.secret(password)},
            opts=pulumi.ResourceOptions(parent=self),
        )


def _check_passwords(args: KafkaArgs, passwords: Mapping[str, object]) -> None:
    users = {user.name for user in args.users}
    problems: list[pulumi.errors.InputPropertyErrorDetails] = [
        {"property_path": f"user_passwords.{user}", "reason": f"no user `{user}` is declared"}
        for user in sorted(set(passwords) - users)
    ]
    if passwords and args.authentication != "scram-sha-512":
        problems.append(
            {
                "property_path": "user_passwords",
                "reason": "passwords need `authentication: scram-sha-512`",
            }
        )
    if problems:
        raise pulumi.InputPropertiesError("Invalid Kafka user passwords", problems)
