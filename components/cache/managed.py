"""`ManagedCache`: Amazon ElastiCache for Valkey in the EKS cluster's VPC.

    ManagedCache("cache", ManagedCacheArgs(namespace="llm", replicas=1),
                 network=CacheNetwork(vpc_id=..., subnet_ids=[...],
                                      client_security_group_ids=[cluster_sg]),
                 opts=pulumi.ResourceOptions(providers=[aws_provider, k8s_provider]))

A replication group with TLS in transit (its certificate chains to Amazon's public CA,
so clients use their trust store), encryption at rest, a generated auth token (kept in a
Kubernetes Secret for the gateway and bound apps), a security group admitting only the
cluster's, and with replicas automatic Multi-AZ failover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.cache.args import VALKEY_PORT, ManagedCacheArgs
from components.cache.manifests import HOST_KEY, PASSWORD_KEY, password_secret_name, render_labels
from components.shared.credentials import GivenSecrets, generated_secret
from components.shared.names import dns1123_problem, require_component_name

__all__ = ["CacheNetwork", "ManagedCache", "ManagedCacheArgs"]

TYPE_TOKEN = "shipyard:aws:ManagedCache"
# ElastiCache auth tokens: 16 to 128 printable characters, none of `/`, `"`, `@`.
AUTH_TOKEN_LENGTH = 64
ENGINE = "valkey"


@dataclass(frozen=True)
class CacheNetwork:
    """Where the replication group lives and who may reach it, from `EksCluster`."""

    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    client_security_group_ids: Sequence[pulumi.Input[str]]


def replication_group_settings(name: str, args: ManagedCacheArgs) -> dict[str, Any]:
    """The replication group's settings that do not depend on other resources (pure)."""
    failover = args.replicas >= 1
    settings: dict[str, Any] = {
        "replication_group_id": name,
        "description": f"Shipyard cache {name}",
        "engine": ENGINE,
        "engine_version": args.engine_version,
        "node_type": args.node_type,
        "num_cache_clusters": 1 + args.replicas,
        "port": VALKEY_PORT,
        "automatic_failover_enabled": failover,
        "multi_az_enabled": failover,
        "transit_encryption_enabled": True,
        "transit_encryption_mode": "required",
        "at_rest_encryption_enabled": True,
        "snapshot_retention_limit": args.snapshot_retention_days,
        "apply_immediately": False,
        "auto_minor_version_upgrade": True,
        "tags": {**args.tags, "shipyard.dev/cache": name},
    }
    if not args.allow_data_loss:
        settings["final_snapshot_identifier"] = f"{name}-final"
    return settings


class ManagedCache(pulumi.ComponentResource):
    """Subnet group, security group, auth token, replication group, token Secret."""

    host: pulumi.Output[str]
    """The primary endpoint (follows failovers)."""
    port: pulumi.Output[int]
    password_secret_name: pulumi.Output[str]
    """The Kubernetes Secret with the auth token, key `password`."""

    def __init__(
        self,
        name: str,
        args: ManagedCacheArgs,
        network: CacheNetwork,
        opts: pulumi.ResourceOptions | None = None,
        *,
        credentials: GivenSecrets | None = None,
    ) -> None:
        require_component_name("ManagedCache", name, dns1123_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        keep = not args.allow_data_loss
        tags = {**args.tags, "shipyard.dev/cache": name}

        subnets = aws.elasticache.SubnetGroup(
            name, subnet_ids=network.subnet_ids, tags=tags, opts=child
        )
        group = aws.ec2.SecurityGroup(
            name,
            vpc_id=network.vpc_id,
            description=f"Shipyard cache {name}: Valkey from the cluster only",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=VALKEY_PORT,
                    to_port=VALKEY_PORT,
                    security_groups=list(network.client_security_group_ids),
                    description="Valkey over TLS from the cluster's nodes and pods",
                )
            ],
            egress=[],
            tags=tags,
            opts=child,
        )
        token = generated_secret(f"{name}-auth-token", AUTH_TOKEN_LENGTH, child, credentials)
        cluster = aws.elasticache.ReplicationGroup(
            name,
            subnet_group_name=subnets.name,
            security_group_ids=[group.id],
            auth_token=token,
            **replication_group_settings(name, args),
            opts=pulumi.ResourceOptions(parent=self, protect=keep),
        )
        secret_name = password_secret_name(name)
        secret = k8s.core.v1.Secret(
            secret_name,
            metadata={
                "name": secret_name,
                "namespace": args.namespace,
                "labels": render_labels(name),
            },
            type="Opaque",
            string_data={PASSWORD_KEY: token, HOST_KEY: cluster.primary_endpoint_address},
            opts=child,
        )
        self.host = cluster.primary_endpoint_address
        self.port = pulumi.Output.from_input(VALKEY_PORT)
        self.password_secret_name = secret.metadata.apply(lambda _: secret_name)
        self.register_outputs(
            {
                "host": self.host,
                "port": self.port,
                "password_secret_name": self.password_secret_name,
            }
        )
