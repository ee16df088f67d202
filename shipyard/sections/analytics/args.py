"""Blueprint `spec.analytics` turned into `ClickHouseArgs`, and the gateway's request-log
settings that point at it (pure)."""

from __future__ import annotations

from components.clickhouse import args as ch
from components.clickhouse.manifests import (
    CHI_POD_LABEL,
    HTTP_HEADERS_KEY,
    credentials_secret_name,
    service_host,
)
from components.clickhouse.schema import insert_url
from components.gateway.args import EgressPeer, UsageLogging
from components.gateway.manifests import selector_labels as gateway_selector_labels
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.platform import Platform
from shipyard.sections.analytics.binding import app_users
from shipyard.sections.analytics.checks import GATEWAY_USER, gateway_logs_wired
from shipyard.sections.apps.bound import app_pods, uses_of
from shipyard.sections.charts.mirrors import mirrored


def clickhouse_args(platform: Platform) -> ch.ClickHouseArgs | None:
    """The installation's arguments, or None without `spec.analytics`. With gateway logs
    wired, the gateway's pods are admitted and get the user `gateway`."""
    spec = platform.spec.analytics
    if spec is None:
        return None
    consumers = [dict(consumer.pod_labels) for consumer in spec.consumers]
    users = [ch.ClickHouseUser(name=user.name, readonly=user.readonly) for user in spec.users]
    if gateway_logs_wired(platform) and platform.spec.gateway is not None:
        consumers.insert(0, gateway_selector_labels(platform.spec.gateway.name))
        users.insert(0, ch.ClickHouseUser(name=GATEWAY_USER))
    users += app_users(platform)
    for app in dict.fromkeys(app.name for app, _ in uses_of(platform, "analytics")):
        consumers.append(app_pods(app))
    optional: dict[str, object] = {}
    if spec.image is not None:
        optional["image"] = spec.image
    keeper = None
    if spec.keeper is not None:
        keeper_image = {"image": spec.keeper.image} if spec.keeper.image is not None else {}
        keeper = ch.KeeperArgs(
            replicas=spec.keeper.replicas,
            storage_size=spec.keeper.storage.size,
            storage_class=spec.keeper.storage.storage_class,
            cpu_request=spec.keeper.resources.cpu,
            memory_request=spec.keeper.resources.memory,
            **keeper_image,
        )
    return ch.ClickHouseArgs(
        namespace=platform.namespace,
        shards=spec.shards,
        replicas=spec.replicas,
        keeper=keeper,
        storage_size=spec.storage.size,
        storage_class=spec.storage.storage_class,
        cpu_request=spec.resources.cpu,
        memory_request=spec.resources.memory,
        database=spec.database,
        retention_days=spec.retention_days,
        usage_retention_days=spec.usage_retention_days,
        users=tuple(users),
        install_operator=spec.install_operator,
        chart_repository=mirrored(platform.spec.chart_mirrors, ch.CHOP_CHART_REPO),
        allow_data_loss=spec.allow_data_loss,
        consumer_pod_labels=tuple(consumers),
        prometheus_endpoint=platform.spec.monitoring is not None,
        **optional,
    )


def gateway_usage_logging(platform: Platform) -> UsageLogging | None:
    """Where the gateway POSTs its request logs (ClickHouse's HTTP interface, as user
    `gateway`), or None unless both are declared and `gatewayLogs` is on."""
    spec = platform.spec.analytics
    if spec is None or not gateway_logs_wired(platform):
        return None
    return UsageLogging(
        endpoint=insert_url(
            service_host(spec.name, platform.namespace), ch.HTTP_PORT, spec.database
        ),
        headers_secret=SecretKeyRef(
            name=credentials_secret_name(spec.name, GATEWAY_USER), key=HTTP_HEADERS_KEY
        ),
        peer=EgressPeer(pod_labels={CHI_POD_LABEL: spec.name}, port=ch.HTTP_PORT),
    )
