"""The VPC an `EksCluster` creates: public and private subnets per zone, IGW and NAT."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.eks.args import NewVpc
from components.eks.config import subnet_plan
from components.node_pool.config import KARPENTER_DISCOVERY_TAG

PUBLIC_ELB_TAG = {"kubernetes.io/role/elb": "1"}
INTERNAL_ELB_TAG = {"kubernetes.io/role/internal-elb": "1"}


@dataclass(frozen=True)
class Network:
    vpc_id: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]


def create_network(
    name: str, vpc: NewVpc, tags: dict[str, str], parent: pulumi.Resource
) -> Network:
    """Create the VPC's resources as children of `parent` (the cluster component)."""
    child = pulumi.ResourceOptions(parent=parent)
    cluster_tags = {**tags, f"kubernetes.io/cluster/{name}": "shared"}
    network = aws.ec2.Vpc(
        name,
        cidr_block=vpc.cidr,
        enable_dns_hostnames=True,
        enable_dns_support=True,
        tags={**tags, "Name": name},
        opts=child,
    )
    gateway = aws.ec2.InternetGateway(name, vpc_id=network.id, tags=tags, opts=child)
    public_routes = aws.ec2.RouteTable(
        f"{name}-public",
        vpc_id=network.id,
        routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
        tags=tags,
        opts=child,
    )
    private: list[pulumi.Output[str]] = []
    public: list[pulumi.Output[str]] = []
    nat_ids: list[pulumi.Output[str]] = []
    for index, (zone, private_cidr, public_cidr) in enumerate(subnet_plan(vpc)):
        public_subnet = aws.ec2.Subnet(
            f"{name}-public-{zone}",
            vpc_id=network.id,
            availability_zone=zone,
            cidr_block=public_cidr,
            map_public_ip_on_launch=False,
            tags={**cluster_tags, **PUBLIC_ELB_TAG, "Name": f"{name}-public-{zone}"},
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-public-{zone}",
            subnet_id=public_subnet.id,
            route_table_id=public_routes.id,
            opts=child,
        )
        if vpc.nat_gateways == "per-az" or index == 0:
            address = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", tags=tags, opts=child)
            nat = aws.ec2.NatGateway(
                f"{name}-{zone}",
                allocation_id=address.id,
                subnet_id=public_subnet.id,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=parent, depends_on=[gateway]),
            )
            nat_ids.append(nat.id)
        private_subnet = aws.ec2.Subnet(
            f"{name}-private-{zone}",
            vpc_id=network.id,
            availability_zone=zone,
            cidr_block=private_cidr,
            tags={
                **cluster_tags,
                **INTERNAL_ELB_TAG,
                KARPENTER_DISCOVERY_TAG: name,
                "Name": f"{name}-private-{zone}",
            },
            opts=child,
        )
        routes = aws.ec2.RouteTable(
            f"{name}-private-{zone}",
            vpc_id=network.id,
            routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat_ids[-1]}],
            tags=tags,
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-private-{zone}",
            subnet_id=private_subnet.id,
            route_table_id=routes.id,
            opts=child,
        )
        private.append(private_subnet.id)
        public.append(public_subnet.id)
    return Network(network.id, private, public)
