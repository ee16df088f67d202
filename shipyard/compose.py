"""Turn a validated `Platform` into component resources."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.clickhouse.component import ClickHouse
from components.eks.component import EksCluster
from components.gateway.component import AiGateway
from components.gitops_reconciler.component import GitopsReconciler
from components.kafka.component import Kafka
from components.minio.component import Minio
from components.postgres.component import Postgres
from components.ray.component import RayCluster
from components.s3.component import OidcTrust, S3Bucket
from components.shared.credentials import GivenSecrets
from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import Autoscaling, LoraAdapter, ModelCache
from components.vllm.component import VllmService, VllmServiceArgs
from shipyard.analytics_args import clickhouse_args
from shipyard.blueprint.cluster import LocalCluster
from shipyard.blueprint.models import ModelSpec
from shipyard.blueprint.platform import Platform
from shipyard.blueprint.scheduling import pool_scheduling
from shipyard.eks_args import eks_cluster_args
from shipyard.events_args import events_args
from shipyard.gitops_args import gitops_reconciler_args
from shipyard.object_store_args import minio_args, minio_name, s3_bucket_args
from shipyard.postgres_args import postgres_args
from shipyard.serving_args import gateway_args, ray_args

MANAGED_BY = {"app.kubernetes.io/managed-by": "shipyard"}
# Every workload Shipyard renders meets the `restricted` Pod Security Standard,
# so the namespace enforces it and a hand-added privileged pod is refused.
POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


@dataclass
class ComposedPlatform:
    provider: k8s.Provider
    namespace: k8s.core.v1.Namespace
    models: dict[str, VllmService] = field(default_factory=dict)
    gateway: AiGateway | None = None
    ray: RayCluster | None = None
    eks: EksCluster | None = None
    object_store: S3Bucket | None = None
    postgres: Postgres | None = None
    analytics: ClickHouse | None = None
    minio: Minio | None = None
    events: Kafka | None = None
    gitops: GitopsReconciler | None = None


def vllm_args(platform: Platform, model: ModelSpec) -> VllmServiceArgs:
    """The component arguments for one blueprint model (pure; the pool must exist)."""
    pool = platform.pool(model.node_pool)
    if pool is None:  # load_blueprint has already rejected this
        raise ValueError(f"model `{model.name}` names unknown pool `{model.node_pool}`")
    optional: dict[str, object] = {}
    if model.image is not None:
        optional["image"] = model.image
    if model.resources is not None:
        optional["cpu_request"] = model.resources.cpu
        optional["memory_request"] = model.resources.memory
    return VllmServiceArgs(
        namespace=platform.namespace,
        model=model.model,
        served_model_name=model.served_name,
        scheduling=pool_scheduling(pool),
        replicas=model.replicas,
        tensor_parallel_size=model.tensor_parallel_size,
        max_model_len=model.max_model_len,
        gpu_memory_utilization=model.gpu_memory_utilization,
        dtype=model.dtype,
        quantization=model.quantization,
        max_num_seqs=model.max_num_seqs,
        enable_prefix_caching=model.prefix_caching,
        lora_adapters=tuple(
            LoraAdapter(name=adapter.name, path=adapter.path) for adapter in model.lora_adapters
        ),
        hf_token_secret=(
            SecretKeyRef(name=model.hf_token_secret.name, key=model.hf_token_secret.key)
            if model.hf_token_secret
            else None
        ),
        cache=(
            ModelCache(
                size=model.cache.size,
                storage_class=model.cache.storage_class,
                access_mode=model.cache.access_mode,
            )
            if model.cache
            else None
        ),
        extra_args=dict(model.extra_args),
        autoscaling=(
            Autoscaling(
                min_replicas=model.autoscaling.min_replicas,
                max_replicas=model.autoscaling.max_replicas,
                queue_target=model.autoscaling.queue_target,
                prometheus_url=model.autoscaling.prometheus_url,
            )
            if model.autoscaling
            else None
        ),
        **optional,
    )


def eks_cluster(platform: Platform) -> tuple[EksCluster, aws.Provider] | None:
    """For `cluster.kind: eks`, the cluster (network, nodes, add-ons), and the AWS provider
    of its region."""
    args = eks_cluster_args(platform)
    if args is None:
        return None
    region = aws.Provider(f"{platform.metadata.name}-aws", region=args.region)
    cluster = EksCluster(
        platform.metadata.name, args, opts=pulumi.ResourceOptions(providers=[region])
    )
    return cluster, region


def s3_bucket(platform: Platform, eks: EksCluster, region: aws.Provider) -> S3Bucket | None:
    """`objectStore.provider: s3`: the bucket, its IRSA role trusting the cluster's OIDC
    provider."""
    args = s3_bucket_args(platform)
    if args is None:
        return None
    return S3Bucket(
        args.bucket,
        args,
        trust=OidcTrust(provider_arn=eks.oidc_provider_arn, issuer_url=eks.oidc_issuer_url),
        opts=pulumi.ResourceOptions(providers=[region]),
    )


def cluster_provider(platform: Platform) -> k8s.Provider:
    cluster = platform.spec.cluster
    if not isinstance(cluster, LocalCluster):
        raise ValueError("an `eks` cluster's provider comes from `eks_cluster`")
    return k8s.Provider(
        f"{platform.metadata.name}-cluster",
        context=cluster.context,
        kubeconfig=cluster.kubeconfig,
    )


def compose_platform(
    platform: Platform,
    *,
    gateway_master_key: pulumi.Input[str] | None = None,
    postgres_password: pulumi.Input[str] | None = None,
    credentials: GivenSecrets | None = None,
) -> ComposedPlatform:
    """Create every resource the blueprint declares, on the blueprint's cluster.

    `gateway_master_key` replaces the generated gateway master key, `postgres_password`
    the generated database owner's password, and `credentials` any other generated secret
    by its resource name (MinIO's and ClickHouse's); all are Pulumi secrets.
    """
    aws_cluster = eks_cluster(platform)
    eks = aws_cluster[0] if aws_cluster is not None else None
    # Every in-cluster component below lands on the EKS cluster when there is one.
    provider = eks.kubernetes_provider if eks is not None else cluster_provider(platform)
    on_cluster = pulumi.ResourceOptions(provider=provider)
    namespace = k8s.core.v1.Namespace(
        platform.namespace,
        metadata={
            "name": platform.namespace,
            "labels": {**platform.metadata.labels, **MANAGED_BY, **POD_SECURITY},
        },
        opts=on_cluster,
    )
    composed = ComposedPlatform(provider=provider, namespace=namespace, eks=eks)
    if aws_cluster is not None:  # load_blueprint rejects `s3` without `kind: eks`
        composed.object_store = s3_bucket(platform, *aws_cluster)
    in_namespace = pulumi.ResourceOptions(provider=provider, depends_on=[namespace])
    for model in platform.spec.models:
        composed.models[model.name] = VllmService(
            model.name, vllm_args(platform, model), opts=in_namespace
        )
    analytics = clickhouse_args(platform)
    if analytics is not None and platform.spec.analytics is not None:
        # Before the gateway: it logs as the user whose Secret this creates.
        composed.analytics = ClickHouse(
            platform.spec.analytics.name, analytics, opts=in_namespace, credentials=credentials
        )
    gateway = gateway_args(platform)
    if gateway is not None and platform.spec.gateway is not None:
        # After the models: the gateway routes to their Services.
        composed.gateway = AiGateway(
            platform.spec.gateway.name,
            gateway,
            opts=pulumi.ResourceOptions(
                provider=provider,
                depends_on=[
                    namespace,
                    *composed.models.values(),
                    *([composed.analytics] if composed.analytics else []),
                ],
            ),
            master_key=gateway_master_key,
        )
    ray = ray_args(platform)
    if ray is not None and platform.spec.ray is not None:
        composed.ray = RayCluster(platform.spec.ray.name, ray, opts=in_namespace)
    minio = minio_args(platform)
    if minio is not None:
        # Before Postgres: its backups use MinIO's Service, user Secret and CA.
        composed.minio = Minio(
            minio_name(platform), minio, opts=in_namespace, credentials=credentials
        )
    postgres = postgres_args(platform)
    if postgres is not None and platform.spec.postgres is not None:
        # Backups reach the bucket through its IRSA role (the check requires the
        # instances' service account among the bucket's consumers).
        bucket = composed.object_store if postgres.backup is not None else None
        composed.postgres = Postgres(
            platform.spec.postgres.name,
            postgres,
            opts=pulumi.ResourceOptions(
                provider=provider,
                depends_on=[namespace, *([composed.minio] if composed.minio else [])],
            ),
            owner_password=postgres_password,
            backup_role_arn=bucket.role_arn if bucket is not None else None,
        )
    events = events_args(platform)
    if events is not None and platform.spec.events is not None:
        composed.events = Kafka(platform.spec.events.name, events, opts=in_namespace)
    gitops = gitops_reconciler_args(platform)
    if gitops is not None and platform.spec.gitops is not None:
        composed.gitops = GitopsReconciler(platform.spec.gitops.name, gitops, opts=in_namespace)
    return composed
