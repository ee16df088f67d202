"""`ValkeyCache`: Valkey in the cluster, a primary and replicas with Sentinel failover
behind HAProxy, TLS and a generated password.

Usable on its own from a hand-written Pulumi program:

    from components.cache import ValkeyCache, ValkeyCacheArgs

    ValkeyCache("cache", ValkeyCacheArgs(
        namespace="llm",
        storage_size="10Gi",
        client_pod_labels=({"app.kubernetes.io/component": "ai-gateway"},),
    ))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.cache.args import VALKEY_PORT, ValkeyCacheArgs
from components.cache.certificates import render_certificates
from components.cache.manifests import (
    CA_KEY,
    PASSWORD_KEY,
    password_secret_name,
    render_config_map,
    render_labels,
    render_pod_disruption_budgets,
    render_proxy_deployment,
    render_services,
    render_stateful_set,
    service_host,
    tls_secret_name,
)
from components.cache.network_policies import render_network_policies
from components.cache.users import (
    URI_KEY,
    USER_PASSWORD_KEY,
    USERNAME_KEY,
    user_secret_name,
    user_uri,
)
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = ["ValkeyCache", "ValkeyCacheArgs"]

TYPE_TOKEN = "shipyard:data:ValkeyCache"
PASSWORD_LENGTH = 40


def _uri(password: pulumi.Output[str], user: str, host: str) -> pulumi.Output[str]:
    return password.apply(lambda value: user_uri(user, value, host, VALKEY_PORT))


class ValkeyCache(pulumi.ComponentResource):
    """The password Secret, the certificates, a ConfigMap, the Valkey StatefulSet with its
    Sentinels, HAProxy, their Services, PDBs and NetworkPolicies. The StatefulSet and its
    volumes are protected unless `allow_data_loss`."""

    host: pulumi.Output[str]
    """The host clients connect to (HAProxy's Service, always the primary)."""
    port: pulumi.Output[int]
    password_secret_name: pulumi.Output[str]
    """The Secret with the password, key `password`."""
    ca_secret_name: pulumi.Output[str]
    """The Secret whose `ca.crt` signs the server certificate."""
    user_secret_names: pulumi.Output[dict[str, str]]
    """ACL user -> the Secret with its `username`, `password` and `uri`."""

    def __init__(
        self,
        name: str,
        args: ValkeyCacheArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        credentials: GivenSecrets | None = None,
    ) -> None:
        """`credentials` replaces generated passwords by resource name (`<name>-password`,
        and `<name>-<user>-password` for each ACL user)."""
        require_component_name("ValkeyCache", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        keep = not args.allow_data_loss

        password = generated_secret(f"{name}-password", PASSWORD_LENGTH, child, credentials)
        secret_name = password_secret_name(name)
        secret = k8s.core.v1.Secret(
            secret_name,
            metadata={
                "name": secret_name,
                "namespace": args.namespace,
                "labels": render_labels(name),
            },
            type="Opaque",
            string_data={PASSWORD_KEY: password},
            opts=child,
        )
        user_secrets = self._user_secrets(name, args, credentials)
        certificates = [
            create_object(
                f"{manifest['metadata']['name']}-{manifest['kind'].lower()}", manifest, child
            )
            for manifest in render_certificates(name, args)
        ]
        config = render_config_map(name, args)
        config_map = create_object(config["metadata"]["name"], config, child)
        services = [
            create_object(manifest["metadata"]["name"], manifest, child)
            for manifest in render_services(name, args)
        ]
        server = render_stateful_set(name, args)
        stateful_set = k8s.apps.v1.StatefulSet(
            name,
            metadata=server["metadata"],
            spec=server["spec"],
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[secret, *user_secrets, config_map, *certificates, *services],
                protect=keep,
                retain_on_delete=keep,
            ),
        )
        proxy = render_proxy_deployment(name, args)
        create_object(
            proxy["metadata"]["name"],
            proxy,
            pulumi.ResourceOptions(parent=self, depends_on=[stateful_set]),
        )
        for budget in render_pod_disruption_budgets(name, args):
            create_object(budget["metadata"]["name"], budget, child)
        for policy in render_network_policies(name, args):
            create_object(policy["metadata"]["name"], policy, child)

        self.host = stateful_set.id.apply(lambda _: service_host(name, args.namespace))
        self.port = pulumi.Output.from_input(VALKEY_PORT)
        self.password_secret_name = secret.metadata.apply(lambda _: secret_name)
        self.ca_secret_name = pulumi.Output.from_input(tls_secret_name(name, args))
        self.user_secret_names = pulumi.Output.all(*user_secrets).apply(
            lambda _: {user.name: user_secret_name(name, user.name) for user in args.users}
        )
        self.register_outputs(
            {
                "host": self.host,
                "port": self.port,
                "password_secret_name": self.password_secret_name,
                "ca_secret_name": self.ca_secret_name,
                "ca_key": CA_KEY,
                "user_secret_names": self.user_secret_names,
            }
        )

    def _user_secrets(
        self, name: str, args: ValkeyCacheArgs, given: GivenSecrets | None
    ) -> list[pulumi.Resource]:
        """One generated password per ACL user, in its own Secret with its `uri`."""
        child = pulumi.ResourceOptions(parent=self)
        host = service_host(name, args.namespace)
        secrets: list[pulumi.Resource] = []
        for user in args.users:
            password = generated_secret(
                f"{name}-{user.name}-password", PASSWORD_LENGTH, child, given
            )
            secret_name = user_secret_name(name, user.name)
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
                        USERNAME_KEY: user.name,
                        USER_PASSWORD_KEY: password,
                        URI_KEY: _uri(password, user.name, host),
                    },
                    opts=child,
                )
            )
        return secrets
