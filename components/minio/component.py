"""`Minio`: S3-compatible object storage in the cluster, as a StatefulSet.

Usable on its own from a hand-written Pulumi program:

    from components.minio import Bucket, IssuerRef, Minio, MinioArgs, MinioTls, ServiceUser

    Minio("minio", MinioArgs(
        namespace="llm",
        storage_size="100Gi",
        tls=MinioTls(issuer=IssuerRef(name="cluster-ca")),
        buckets=(Bucket(name="datasets", versioning=True),),
        users=(ServiceUser(name="trainer", buckets=("datasets",),
                           pod_labels={"app.kubernetes.io/name": "trainer"}),),
    ))
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.minio.args import (
    S3_PORT,
    Bucket,
    BucketRetention,
    IssuerRef,
    MinioArgs,
    MinioTls,
    ServiceUser,
)
from components.minio.manifests import (
    ACCESS_KEY_KEY,
    ROOT_PASSWORD_KEY,
    ROOT_USER_KEY,
    SECRET_KEY_KEY,
    endpoint_url,
    render_certificate,
    render_labels,
    render_network_policy,
    render_pod_disruption_budget,
    render_services,
    render_stateful_set,
    root_secret_name,
    service_host,
    tls_secret_name,
    user_secret_name,
)
from components.minio.setup import render_setup_job
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem
from components.shared.network_policies import render_deny_ingress

__all__ = [
    "Bucket",
    "BucketRetention",
    "IssuerRef",
    "Minio",
    "MinioArgs",
    "MinioTls",
    "ServiceUser",
]

TYPE_TOKEN = "shipyard:data:Minio"
# MinIO takes secret keys of 8 to 40 characters (internal/auth/credentials.go).
SECRET_KEY_LENGTH = 40
ROOT_USER_LENGTH = 20


class Minio(pulumi.ComponentResource):
    """Generated root and per-user credentials, a TLS certificate (cert-manager) or a given
    TLS Secret, the StatefulSet with its Services, PodDisruptionBudget and NetworkPolicy,
    and the bucket-setup Job. The StatefulSet is protected unless `allow_data_loss`."""

    endpoint: pulumi.Output[str]
    """The in-cluster S3 endpoint, `https://<name>.<namespace>.svc:9000`."""
    host: pulumi.Output[str]
    """The S3 Service's in-cluster host name."""
    port: pulumi.Output[int]
    """The S3 port."""
    buckets: pulumi.Output[list[str]]
    """The buckets the setup Job created."""
    tls_secret_name: pulumi.Output[str]
    """The kubernetes.io/tls Secret; its `ca.crt` (cert-manager) is the CA clients trust."""
    root_secret_name: pulumi.Output[str]
    """The Secret with `MINIO_ROOT_USER` and `MINIO_ROOT_PASSWORD`."""
    user_secret_names: pulumi.Output[dict[str, str]]
    """User name -> its Secret with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`."""

    def __init__(
        self,
        name: str,
        args: MinioArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        credentials: GivenSecrets | None = None,
    ) -> None:
        """`credentials` brings values for generated secrets by resource name
        (`<name>-root-user`, `<name>-root-password`, `<name>-<user>-secret-key`)."""
        # The name names the Services (`<name>`, `<name>-hl`) and the server pods.
        require_component_name("Minio", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def secret(secret_name: str, data: dict[str, pulumi.Input[str]]) -> k8s.core.v1.Secret:
            return k8s.core.v1.Secret(
                secret_name,
                metadata={
                    "name": secret_name,
                    "namespace": args.namespace,
                    "labels": render_labels(name),
                },
                type="Opaque",
                string_data=data,
                opts=child,
            )

        root = secret(
            root_secret_name(name),
            {
                ROOT_USER_KEY: generated_secret(
                    f"{name}-root-user", ROOT_USER_LENGTH, child, credentials
                ),
                ROOT_PASSWORD_KEY: generated_secret(
                    f"{name}-root-password", SECRET_KEY_LENGTH, child, credentials
                ),
            },
        )
        users = {
            user.name: secret(
                user_secret_name(name, user.name),
                {
                    ACCESS_KEY_KEY: user.name,
                    SECRET_KEY_KEY: generated_secret(
                        f"{name}-{user.name}-secret-key", SECRET_KEY_LENGTH, child, credentials
                    ),
                },
            )
            for user in args.users
        }

        server_deps: list[pulumi.Resource] = [root]
        certificate = render_certificate(name, args)
        if certificate is not None:
            server_deps.append(create_object(name, certificate, child))
        services = [
            create_object(s["metadata"]["name"], s, child) for s in render_services(name, args)
        ]
        server_deps += services
        keep = not args.allow_data_loss
        server = render_stateful_set(name, args)
        stateful_set = k8s.apps.v1.StatefulSet(
            name,
            metadata=server["metadata"],
            spec=server["spec"],
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=server_deps, protect=keep, retain_on_delete=keep
            ),
        )
        budget = render_pod_disruption_budget(name, args)
        if budget is not None:
            create_object(name, budget, child)
        create_object(name, render_network_policy(name, args), child)
        job = render_setup_job(name, args)
        create_object(
            f"{name}-setup",
            render_deny_ingress(
                f"{name}-setup",
                args.namespace,
                job["metadata"]["labels"],
                job["spec"]["template"]["metadata"]["labels"],
            ),
            child,
        )
        setup = k8s.batch.v1.Job(
            f"{name}-setup",
            metadata=job["metadata"],
            spec=job["spec"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[stateful_set, *users.values()]),
        )

        # Resolve once the buckets and users exist, so consumers wait for them.
        ready = setup.id
        self.endpoint = ready.apply(lambda _: endpoint_url(name, args.namespace))
        self.host = ready.apply(lambda _: service_host(name, args.namespace))
        self.port = pulumi.Output.from_input(S3_PORT)
        self.buckets = ready.apply(lambda _: [bucket.name for bucket in args.buckets])
        self.tls_secret_name = pulumi.Output.from_input(tls_secret_name(name, args))
        self.root_secret_name = root.metadata.apply(lambda _: root_secret_name(name))
        self.user_secret_names = ready.apply(
            lambda _: {user: user_secret_name(name, user) for user in users}
        )
        # No password is an output: they stay in the Secrets (see docs/minio.md).
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "host": self.host,
                "port": self.port,
                "buckets": self.buckets,
                "tls_secret_name": self.tls_secret_name,
                "root_secret_name": self.root_secret_name,
                "user_secret_names": self.user_secret_names,
            }
        )
