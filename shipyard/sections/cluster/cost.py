"""What an EKS cluster Shipyard creates adds to the estimate: its nodes' root volumes, the
control plane and the NAT gateways of a new VPC (pure)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.cost import (
    EBS_GP3_USD_PER_GB_MONTH,
    HOURS_PER_MONTH,
    ZERO,
    LineItem,
    Sizes,
    node_counts,
)
from shipyard.facts.instances import PRICE_REGION
from shipyard.sections.budget.model import DEFAULT_NAT_DATA_GB_PER_MONTH
from shipyard.sections.cluster.eks import EksCluster

# Amazon VPC pricing page, NAT gateway hour and per GB processed, us-east-1, read 2026-11.
NAT_GATEWAY_USD_PER_HOUR = 0.045
NAT_USD_PER_GB = 0.045
# Amazon EKS pricing page, cluster on standard support, per hour, read 2026-11.
EKS_CLUSTER_USD_PER_HOUR = 0.10


def nat_data_gb(platform: Platform) -> float:
    budget = platform.spec.budget
    return float(budget.nat_data_gb_per_month if budget else DEFAULT_NAT_DATA_GB_PER_MONTH)


def eks_cost_items(platform: Platform, cluster: EksCluster) -> list[LineItem]:
    counts = node_counts(platform)
    disks = ZERO
    for pool in platform.spec.node_pools:
        per_node = pool.disk_size_gib * EBS_GP3_USD_PER_GB_MONTH
        nodes = counts[pool.name]
        disks = disks + Sizes(nodes.min * per_node, nodes.desired * per_node, nodes.max * per_node)
    items = [
        LineItem("node disks", f"gp3 root volumes at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month", disks),
        LineItem(
            "EKS control plane",
            f"${EKS_CLUSTER_USD_PER_HOUR}/h x {HOURS_PER_MONTH} h",
            Sizes.flat(EKS_CLUSTER_USD_PER_HOUR * HOURS_PER_MONTH),
        ),
    ]
    gateways = cluster.nat_gateway_count
    if gateways:
        nat_gb = nat_data_gb(platform)
        monthly = gateways * NAT_GATEWAY_USD_PER_HOUR * HOURS_PER_MONTH + nat_gb * NAT_USD_PER_GB
        items.append(
            LineItem(
                "NAT gateways",
                f"{gateways} x ${NAT_GATEWAY_USD_PER_HOUR}/h"
                f" + {nat_gb:g} GB x ${NAT_USD_PER_GB}/GB",
                Sizes.flat(monthly),
            )
        )
    return items


def eks_assumptions(platform: Platform, cluster: EksCluster) -> list[str]:
    assumptions = []
    if cluster.nat_gateway_count:
        assumptions.append(
            f"{nat_data_gb(platform):g} GB a month through NAT (`spec.budget.natDataGbPerMonth`)"
        )
    if cluster.region != PRICE_REGION:
        assumptions.append(f"prices are {PRICE_REGION}'s; `{cluster.region}` may differ")
    return assumptions
