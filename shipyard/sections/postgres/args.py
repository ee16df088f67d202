"""Blueprint `spec.postgres` turned into `PostgresArgs` (pure)."""

from __future__ import annotations

from components.gateway.manifests import selector_labels as gateway_selector_labels
from components.minio.manifests import certificate_secret_name, endpoint_url, user_secret_name
from components.postgres import args as pg
from shipyard.blueprint.platform import Platform
from shipyard.sections.charts.mirrors import mirrored
from shipyard.sections.object_store.checks import minio_store, postgres_backup_user
from shipyard.sections.postgres.binding import app_roles
from shipyard.sections.postgres.checks import backup_path


def _backup(platform: Platform) -> pg.PostgresBackup | None:
    """Backups into the declared bucket: on S3 through the bucket's IRSA role; on MinIO
    over https at its Service, with the user Shipyard creates for the database, trusting
    cert-manager's CA (a given TLS Secret's certificate must chain to a trusted CA)."""
    spec = platform.spec.postgres
    if spec is None or spec.backup is None:
        return None
    endpoint: dict[str, object] = {}
    store, user = minio_store(platform), postgres_backup_user(platform)
    if store is not None and user is not None:
        endpoint["endpoint_url"] = endpoint_url(store.name, platform.namespace)
        endpoint["credentials_secret"] = user_secret_name(store.name, user)
        if store.tls.cert_manager_issuer is not None:
            endpoint["endpoint_ca_secret"] = certificate_secret_name(store.name)
    return pg.PostgresBackup(
        destination_path=f"s3://{spec.backup.bucket}/{backup_path(spec)}",
        retention=spec.backup.retention,
        schedule=spec.backup.schedule,
        **endpoint,
    )


def postgres_args(platform: Platform) -> pg.PostgresArgs | None:
    """The database's arguments, or None without `spec.postgres`. The gateway's pods are
    admitted as consumers when there is a gateway."""
    spec = platform.spec.postgres
    if spec is None:
        return None
    consumers = [dict(consumer.pod_labels) for consumer in spec.consumers]
    if platform.spec.gateway is not None:
        consumers.insert(0, gateway_selector_labels(platform.spec.gateway.name))
    optional: dict[str, object] = {}
    if spec.image is not None:
        optional["image"] = spec.image
    return pg.PostgresArgs(
        namespace=platform.namespace,
        database=spec.database,
        owner=spec.owner,
        instances=spec.instances,
        storage_size=spec.storage.size,
        storage_class=spec.storage.storage_class,
        cpu_request=spec.resources.cpu,
        memory_request=spec.resources.memory,
        anti_affinity=spec.anti_affinity,
        install_operator=spec.install_operator,
        chart_repository=mirrored(platform.spec.chart_mirrors, pg.CNPG_CHART_REPO),
        allow_data_loss=spec.allow_data_loss,
        backup=_backup(platform),
        vector_stores=tuple(
            pg.VectorStore(
                table=store.table,
                dimension=store.dimension,
                distance=store.distance,
                m=store.m,
                ef_construction=store.ef_construction,
            )
            for store in spec.vector_stores
        ),
        consumer_pod_labels=tuple(consumers),
        app_roles=app_roles(platform),
        **optional,
    )
