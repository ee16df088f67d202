"""The cache: Valkey in the cluster, or ElastiCache beside the EKS cluster."""

from __future__ import annotations

import pulumi

from components.cache.component import ValkeyCache
from components.cache.managed import CacheNetwork, ManagedCache
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.cache.args import managed_cache_args, valkey_cache_args


def compose_cache(platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs) -> None:
    spec = platform.spec.cache
    if spec is None:
        return
    in_cluster = valkey_cache_args(platform)
    if in_cluster is not None:
        composed.cache = ValkeyCache(
            spec.name, in_cluster, opts=composed.in_namespace(), credentials=inputs.credentials
        )
        return
    managed = managed_cache_args(platform)
    if managed is None or composed.eks is None or composed.aws_region is None:
        return  # load_blueprint has refused ElastiCache without EKS
    eks = composed.eks
    composed.cache = ManagedCache(
        spec.name,
        managed,
        CacheNetwork(
            vpc_id=eks.vpc_id,
            subnet_ids=eks.private_subnet_ids,
            client_security_group_ids=[eks.cluster_security_group_id],
        ),
        opts=pulumi.ResourceOptions.merge(
            composed.in_namespace(), pulumi.ResourceOptions(providers=[composed.aws_region])
        ),
        credentials=inputs.credentials,
    )
