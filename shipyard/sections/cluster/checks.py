"""Checks of `spec.cluster`: `kind: eks` clusters, and the node pools' instance types and
AMI aliases that only an EKS cluster Shipyard creates uses.

Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterator

from components.node_pool.args import AMI_ALIAS_DOCS, EXAMPLE_AMI_ALIAS, is_latest
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.facts.aws import (
    EKS_VERSIONS,
    FACTS_DATE,
    REGION_ZONES,
    supported_eks_versions,
    zones_of,
)
from shipyard.facts.instances import INSTANCE_TYPES, lookup_instance
from shipyard.sections.cluster.eks import EksCluster

# Pool fields that only mean something on a cluster Shipyard creates.
_EKS_ONLY = {"capacity": "on-demand", "efa": False, "provisioner": "managed-node-group"}


def _unknown_instance(name: str) -> str:
    close = difflib.get_close_matches(name, list(INSTANCE_TYPES), n=1)
    hint = f"did you mean `{close[0]}`?" if close else "see shipyard/facts/instances.py"
    return f"unknown instance type `{name}`; {hint}"


def check_instances(platform: Platform) -> Iterator[Finding]:
    """A pool's `gpu` block must agree with its instance type's GPUs."""
    eks = isinstance(platform.spec.cluster, EksCluster)
    for index, pool in enumerate(platform.spec.node_pools):
        path: Path = ("spec", "nodePools", index)
        if pool.instance_type is None:
            if eks:
                yield (
                    (*path, "instanceType"),
                    "an `eks` cluster needs `instanceType` on every pool",
                )
            continue
        facts = lookup_instance(pool.instance_type)
        if facts is None:
            if eks:
                yield ((*path, "instanceType"), _unknown_instance(pool.instance_type))
            continue
        if pool.gpu is None:
            continue
        if facts.gpu_type is None:
            yield (
                (*path, "gpu"),
                f"`{pool.instance_type}` has no GPUs; remove `gpu` or choose a GPU instance type",
            )
            continue
        if pool.gpu.type != facts.gpu_type:
            yield (
                (*path, "gpu", "type"),
                f"`{pool.instance_type}` has {facts.gpu_type}, not {pool.gpu.type}; "
                "fix `gpu.type` or remove the `gpu` block",
            )
        if pool.gpu.count != facts.gpu_count:
            yield (
                (*path, "gpu", "count"),
                f"`{pool.instance_type}` has {facts.gpu_count} GPU(s), not {pool.gpu.count}; "
                "fix `gpu.count` or remove the `gpu` block",
            )


def check_ami_aliases(platform: Platform) -> Iterator[Finding]:
    """`amiAlias` only on Karpenter pools, required there on EKS, and pinned in production."""
    eks = isinstance(platform.spec.cluster, EksCluster)
    production = platform.is_production
    for index, pool in enumerate(platform.spec.node_pools):
        path: Path = ("spec", "nodePools", index)
        alias = pool.ami_alias
        if pool.provisioner != "karpenter":
            if alias is not None:
                yield ((*path, "amiAlias"), "`amiAlias` applies only to `provisioner: karpenter`")
            continue
        if not eks:
            continue  # check_eks already rejects `provisioner` off EKS
        if alias is None:
            yield (
                (*path, "provisioner"),
                "a Karpenter pool needs `amiAlias`, the EKS-optimized AMI release its nodes "
                f"boot, e.g. `amiAlias: {EXAMPLE_AMI_ALIAS}`; see {AMI_ALIAS_DOCS}",
            )
        elif production and is_latest(alias):
            yield (
                (*path, "amiAlias"),
                f"`{alias}` rolls every node onto each new AMI as AWS publishes it; pin a "
                f"release in environment `{platform.metadata.environment}`, e.g. "
                f"`{EXAMPLE_AMI_ALIAS}` (see {AMI_ALIAS_DOCS})",
            )


def check_eks(platform: Platform) -> Iterator[Finding]:
    yield from check_ami_aliases(platform)
    cluster = platform.spec.cluster
    if not isinstance(cluster, EksCluster):
        for index, pool in enumerate(platform.spec.node_pools):
            for key, default in _EKS_ONLY.items():
                if getattr(pool, key) != default:
                    yield (
                        ("spec", "nodePools", index, key),
                        f"`{key}` applies only to `cluster.kind: eks`; remove it",
                    )
        return
    base: Path = ("spec", "cluster")
    yield from _check_region_and_version(cluster, base)
    if cluster.vpc is not None and cluster.subnet_ids:
        yield ((*base, "subnetIds"), "set `vpc` or `subnetIds`, not both")
    if 0 < len(cluster.subnet_ids) < 2:
        yield ((*base, "subnetIds"), "EKS needs subnets in at least 2 availability zones")
    if cluster.creates_vpc:
        yield from _check_vpc(cluster, base)
    endpoint = cluster.endpoint
    if endpoint.public and not endpoint.public_access_cidrs:
        yield (
            (*base, "endpoint", "public"),
            "a public endpoint needs `publicAccessCidrs`; list the CIDRs allowed to reach it",
        )
    if endpoint.public_access_cidrs and not endpoint.public:
        yield (
            (*base, "endpoint", "publicAccessCidrs"),
            "`publicAccessCidrs` has no effect without `public: true`",
        )
    for position, cidr in enumerate(endpoint.public_access_cidrs):
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            yield ((*base, "endpoint", "publicAccessCidrs", position), f"`{cidr}` is not a CIDR")
    for index, pool in enumerate(platform.spec.node_pools):
        facts = lookup_instance(pool.instance_type) if pool.instance_type else None
        if pool.efa and facts is not None and not facts.efa:
            yield (
                ("spec", "nodePools", index, "efa"),
                f"`{pool.instance_type}` does not support EFA; remove `efa` or choose a type "
                "that does (e.g. p5.48xlarge, g6e.8xlarge)",
            )
        if pool.efa and pool.provisioner == "karpenter":
            yield (
                ("spec", "nodePools", index, "efa"),
                "`efa` needs `provisioner: managed-node-group`",
            )


def _check_vpc(cluster: EksCluster, base: Path) -> Iterator[Finding]:
    vpc_cidr = cluster.vpc.cidr if cluster.vpc else None
    if vpc_cidr is not None:
        try:
            network = ipaddress.ip_network(vpc_cidr)
        except ValueError:
            yield ((*base, "vpc", "cidr"), f"`{vpc_cidr}` is not a CIDR")
            return
        if network.prefixlen > 20:
            yield ((*base, "vpc", "cidr"), f"`{vpc_cidr}` is too small; use /20 or larger")
    zones = zones_of(cluster.region)
    seen: set[str] = set()
    for position, zone in enumerate(cluster.availability_zones):
        where = (*base, "vpc", "availabilityZones", position)
        if zone in seen:
            yield (where, f"`{zone}` is listed twice; the zones must be distinct")
        seen.add(zone)
        if not zone.startswith(cluster.region):
            yield (where, f"`{zone}` is not a zone of region `{cluster.region}`")
        elif zones and zone not in zones:
            yield (
                where,
                f"`{zone}` is not a zone of region `{cluster.region}`; it has "
                f"{', '.join(zones)} (shipyard/facts/aws.py)",
            )


def _check_region_and_version(cluster: EksCluster, base: Path) -> Iterator[Finding]:
    if cluster.region not in REGION_ZONES:
        close = difflib.get_close_matches(cluster.region, list(REGION_ZONES), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "see shipyard/facts/aws.py"
        yield ((*base, "region"), f"unknown AWS region `{cluster.region}`; {hint}")
    supported = supported_eks_versions()
    version = cluster.kubernetes_version
    if version not in supported:
        known = EKS_VERSIONS.get(version)
        why = (
            f"its extended support ended on {known.end_of_extended.isoformat()}"
            if known is not None
            else "EKS does not offer it"
        )
        yield (
            (*base, "kubernetesVersion"),
            f"EKS cannot create a `{version}` cluster ({why}, as of "
            f"{FACTS_DATE.isoformat()}); use one of {', '.join(supported)}",
        )
