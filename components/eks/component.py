"""`EksCluster`: an EKS cluster with its VPC, IAM, KMS, IRSA, core add-ons, node pools,
gp3 StorageClass, NVIDIA device plugin, and a Kubernetes provider for everything else.

    cluster = EksCluster("prod", EksClusterArgs(region="us-east-1",
                         vpc=NewVpc(availability_zones=("us-east-1a", "us-east-1b"))))
    VllmService("llama", ..., opts=pulumi.ResourceOptions(provider=cluster.kubernetes_provider))
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.eks.args import (
    NVIDIA_DEVICE_PLUGIN_CHART,
    EksClusterArgs,
    NewVpc,
)
from components.eks.config import (
    ADDONS_BEFORE_NODES,
    CLUSTER_POLICIES,
    CORE_ADDONS,
    EBS_CSI_POLICY,
    EBS_CSI_SERVICE_ACCOUNT,
    NODE_POLICIES,
    assume_role_policy,
    endpoint_access,
    irsa_trust_policy,
    render_device_plugin_values,
    render_kubeconfig,
    render_storage_class,
)
from components.eks.network import create_network
from components.node_pool.component import ClusterTarget, NodePool
from components.shared.names import dns1123_problem, require_component_name

__all__ = ["EksCluster", "EksClusterArgs", "NewVpc"]

TYPE_TOKEN = "shipyard:aws:EksCluster"
DEVICE_PLUGIN_NAMESPACE = "kube-system"


def _issuer(identities: Any) -> str:
    """The OIDC issuer URL from the cluster's `identities` (empty until it exists)."""
    try:
        return str(identities[0].oidcs[0].issuer or "")
    except (IndexError, TypeError, AttributeError):
        return ""


class EksCluster(pulumi.ComponentResource):
    """Everything below the workloads: network, control plane, nodes and cluster add-ons."""

    cluster_name: pulumi.Output[str]
    """The EKS cluster's name (the component's name)."""
    endpoint: pulumi.Output[str]
    """The Kubernetes API endpoint."""
    kubeconfig: pulumi.Output[str]
    """A kubeconfig using `aws eks get-token`; a secret."""
    oidc_provider_arn: pulumi.Output[str]
    """The IAM OIDC provider for IRSA."""
    oidc_issuer_url: pulumi.Output[str]
    """The cluster's OIDC issuer URL, which IRSA trust policies name."""
    node_role_arn: pulumi.Output[str]
    """The IAM role every node assumes."""
    private_subnet_ids: pulumi.Output[list[str]]
    """The subnets nodes run in."""
    vpc_id: pulumi.Output[str]
    """The VPC the cluster runs in."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group EKS gives the control plane and nodes (Karpenter selects it by
    tag): what a data service beside the cluster admits."""

    def __init__(
        self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        require_component_name("EksCluster", name, dns1123_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, "shipyard.dev/cluster": name}

        if args.vpc is not None:
            subnets: list[pulumi.Input[str]] = list(
                create_network(name, args.vpc, tags, self).private_subnet_ids
            )
        else:
            subnets = list(args.subnet_ids)

        cluster_role = self._role(f"{name}-cluster", "eks.amazonaws.com", CLUSTER_POLICIES, tags)
        node_role = self._role(f"{name}-node", "ec2.amazonaws.com", NODE_POLICIES, tags)
        # Replacing the cluster loses every in-cluster Secret, and deleting the key
        # makes the encrypted ones unreadable: both are protected unless allowed.
        keep = pulumi.ResourceOptions(protect=not args.allow_data_loss)
        key_arn: pulumi.Input[str]
        if args.kms_key_arn is None:
            key = aws.kms.Key(
                f"{name}-secrets",
                description=f"EKS secrets encryption for {name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=tags,
                opts=pulumi.ResourceOptions.merge(child, keep),
            )
            key_arn = key.arn
        else:
            key_arn = args.kms_key_arn

        cluster = aws.eks.Cluster(
            name,
            name=name,
            version=args.kubernetes_version,
            role_arn=cluster_role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=subnets, **endpoint_access(args)),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key_arn),
            ),
            enabled_cluster_log_types=list(args.log_types),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[cluster_role], protect=keep.protect
            ),
        )
        issuer = cluster.identities.apply(_issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            name, url=issuer, client_id_lists=["sts.amazonaws.com"], tags=tags, opts=child
        )
        namespace, account = EBS_CSI_SERVICE_ACCOUNT
        ebs_role = aws.iam.Role(
            f"{name}-ebs-csi",
            assume_role_policy=pulumi.Output.all(oidc.arn, issuer).apply(
                lambda values: irsa_trust_policy(values[0], values[1], namespace, account)
            ),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-ebs-csi", role=ebs_role.name, policy_arn=EBS_CSI_POLICY, opts=child
        )
        early = [self._addon(name, addon, cluster, None, []) for addon in ADDONS_BEFORE_NODES]

        kubeconfig: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(cluster.endpoint, cluster.certificate_authority).apply(
                lambda values: render_kubeconfig(
                    name, values[0] or "", getattr(values[1], "data", None) or "", args.region
                )
            )
        )
        self.kubernetes_provider = k8s.Provider(
            f"{name}-kubernetes", kubeconfig=kubeconfig, opts=child
        )
        target = ClusterTarget(
            cluster_name=name,
            node_role_arn=node_role.arn,
            node_role_name=node_role.name,
            subnet_ids=subnets,
            kubernetes_provider=self.kubernetes_provider,
        )
        self.node_pools = {
            pool_name: NodePool(
                pool_name,
                pool,
                target=target,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[cluster, *early]),
            )
            for pool_name, pool in args.node_pools.items()
        }
        with_nodes = [*early, *self.node_pools.values()]
        for addon in CORE_ADDONS:
            if addon not in ADDONS_BEFORE_NODES:
                role = ebs_role.arn if addon == "aws-ebs-csi-driver" else None
                self._addon(name, addon, cluster, role, with_nodes)

        on_cluster = pulumi.ResourceOptions(
            parent=self, provider=self.kubernetes_provider, depends_on=with_nodes
        )
        storage = render_storage_class()
        k8s.storage.v1.StorageClass(
            f"{name}-{storage['metadata']['name']}",
            metadata=storage["metadata"],
            provisioner=storage["provisioner"],
            parameters=storage["parameters"],
            reclaim_policy=storage["reclaimPolicy"],
            volume_binding_mode=storage["volumeBindingMode"],
            allow_volume_expansion=storage["allowVolumeExpansion"],
            opts=on_cluster,
        )
        if args.gpu_pools:
            k8s.helm.v3.Release(
                f"{name}-nvidia-device-plugin",
                name="nvidia-device-plugin",
                chart=NVIDIA_DEVICE_PLUGIN_CHART,
                version=args.nvidia_device_plugin_version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(
                    repo=args.nvidia_device_plugin_repository
                ),
                namespace=DEVICE_PLUGIN_NAMESPACE,
                values=render_device_plugin_values(args.gpu_pools),
                opts=on_cluster,
            )

        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.kubeconfig = kubeconfig
        self.oidc_provider_arn = oidc.arn
        self.oidc_issuer_url = issuer
        self.node_role_arn = node_role.arn
        self.private_subnet_ids = pulumi.Output.all(*subnets)
        self.vpc_id = cluster.vpc_config.apply(lambda config: config.vpc_id or "")
        self.cluster_security_group_id = cluster.vpc_config.apply(
            lambda config: config.cluster_security_group_id or ""
        )
        # `kubeconfig` (a secret) stays off the registered outputs: the engine kept
        # component secret outputs in plain text in the state (see gateway.py).
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_issuer_url": self.oidc_issuer_url,
                "node_role_arn": self.node_role_arn,
                "private_subnet_ids": self.private_subnet_ids,
                "vpc_id": self.vpc_id,
                "cluster_security_group_id": self.cluster_security_group_id,
            }
        )

    def _role(
        self, name: str, service: str, policies: tuple[str, ...], tags: dict[str, str]
    ) -> aws.iam.Role:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            name, assume_role_policy=assume_role_policy(service), tags=tags, opts=child
        )
        for policy in policies:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=policy,
                opts=child,
            )
        return role

    def _addon(
        self,
        name: str,
        addon: str,
        cluster: aws.eks.Cluster,
        role_arn: pulumi.Input[str] | None,
        depends_on: list[pulumi.Resource],
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{name}-{addon}",
            cluster_name=cluster.name,
            addon_name=addon,
            service_account_role_arn=role_arn,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )
