"""Blueprint `spec.apps` turned into `AppServiceArgs` (pure): the pool's scheduling, the
resolved bindings, who may reach each app, and its autoscaler."""

from __future__ import annotations

from components.app import args as app_args
from components.kafka.args import DEFAULT_AUTHENTICATION
from components.kafka.manifests import (
    bootstrap_servers,
    cluster_ca_secret_name,
    password_secret_name,
)
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import app_pods, peer, uses_of
from shipyard.sections.apps.exposure import app_exposure
from shipyard.sections.apps.model import AppSpec, ProbeSpec
from shipyard.sections.cluster.eks import EksCluster
from shipyard.sections.node_pools.scheduling import pool_scheduling


def bindings(platform: Platform, app: AppSpec) -> tuple[app_args.AppBinding, ...]:
    """Each `uses:` entry as its section binds it, with the app's own env aliases."""
    from shipyard.sections.registry import BINDABLE

    resolved = []
    for use in app.uses:
        binding = BINDABLE[use.kind].bind(platform, app, use)
        aliases = {**binding.aliases, **use.env}
        resolved.append(app_args.AppBinding(**{**binding.model_dump(), "aliases": aliases}))
    return tuple(resolved)


def ingress_from(platform: Platform, app: AppSpec) -> tuple[app_args.NetworkPeer, ...]:
    """The apps bound to this one, each on the port it binds."""
    ports = {port.name: port.port for port in app.ports}
    return tuple(
        peer(app_pods(other.name), ports[use.port])
        for other, use in uses_of(platform, "app")
        if use.app == app.name and use.port in ports
    )


def _probe(spec: ProbeSpec | None) -> app_args.Probe | None:
    if spec is None:
        return None
    return app_args.Probe(
        http=app_args.HttpProbe(path=spec.http.path, port=spec.http.port) if spec.http else None,
        tcp=app_args.TcpProbe(port=spec.tcp.port) if spec.tcp else None,
        exec=app_args.ExecProbe(command=tuple(spec.exec.command)) if spec.exec else None,
        period_seconds=spec.period_seconds,
        failure_threshold=spec.failure_threshold,
        initial_delay_seconds=spec.initial_delay_seconds,
    )


def _kafka_lag(platform: Platform, app: AppSpec) -> app_args.KafkaLagTrigger | None:
    """KEDA reads the lag of the app's consumer group as the app's own Kafka user."""
    scaling, events = app.autoscaling, platform.spec.events
    if scaling is None or scaling.kafka_lag is None or events is None:
        return None
    use = next(use for use in app.uses if use.kind == "events" and use.consume)
    scram = events.authentication == DEFAULT_AUTHENTICATION
    own = password_secret_name(app.name)
    return app_args.KafkaLagTrigger(
        bootstrap_servers=bootstrap_servers(events.name, platform.namespace),
        consumer_group=use.consumer_group or app.name,
        topic=scaling.kafka_lag.topic,
        lag_threshold=scaling.kafka_lag.lag_threshold,
        sasl="scram_sha512" if scram else "none",
        username=SecretKeyRef(name=own, key="username") if scram else None,
        password=SecretKeyRef(name=own, key="password") if scram else None,
        ca=SecretKeyRef(name=cluster_ca_secret_name(events.name), key="ca.crt"),
        cert=None if scram else SecretKeyRef(name=app.name, key="user.crt"),
        key=None if scram else SecretKeyRef(name=app.name, key="user.key"),
    )


def _autoscaling(platform: Platform, app: AppSpec) -> app_args.Autoscaling | None:
    spec = app.autoscaling
    if spec is None:
        return None
    prometheus = spec.prometheus
    return app_args.Autoscaling(
        min_replicas=spec.min_replicas,
        max_replicas=spec.max_replicas,
        cpu_utilization=spec.cpu_utilization,
        memory_utilization=spec.memory_utilization,
        kafka_lag=_kafka_lag(platform, app),
        prometheus=(
            app_args.PrometheusTrigger(
                server_address=prometheus.server_address,
                query=prometheus.query,
                threshold=prometheus.threshold,
            )
            if prometheus
            else None
        ),
    )


def zone_spread(platform: Platform, app: AppSpec) -> bool:
    """Spread over zones when the pool spans them: an EKS pool runs in every zone's private
    subnet, except an EFA pool, held in one zone by its cluster placement group."""
    if not isinstance(platform.spec.cluster, EksCluster) or app.most_replicas < 2:
        return False
    pool = platform.pool(app.node_pool) if app.node_pool else None
    return pool is None or not pool.efa


def app_service_args(platform: Platform, app: AppSpec) -> app_args.AppServiceArgs:
    pool = platform.pool(app.node_pool) if app.node_pool else None
    probes = app.probes
    return app_args.AppServiceArgs(
        namespace=platform.namespace,
        workload=app.workload,
        image=app.image,
        command=tuple(app.command),
        args=tuple(app.args),
        ports=tuple(
            app_args.AppPort(name=port.name, port=port.port, protocol=port.protocol)
            for port in app.ports
        ),
        env=tuple(
            app_args.EnvVar(
                name=var.name,
                value=var.value,
                secret=SecretKeyRef(name=var.secret.name, key=var.secret.key)
                if var.secret
                else None,
            )
            for var in app.env
        ),
        resources=app_args.AppResources(
            cpu=app.resources.cpu, memory=app.resources.memory, gpus=app.resources.gpus
        ),
        replicas=app.replicas,
        scheduling=pool_scheduling(pool) if pool is not None else None,
        zone_spread=zone_spread(platform, app),
        probes=(
            app_args.Probes(
                readiness=_probe(probes.readiness),
                liveness=_probe(probes.liveness),
                startup=_probe(probes.startup),
            )
            if probes is not None
            else None
        ),
        run_as_user=app.run_as_user,
        writable_paths=tuple(app.writable_paths),
        volume_claims=tuple(
            app_args.VolumeClaim(
                name=claim.name,
                mount_path=claim.mount_path,
                size=claim.size,
                storage_class=claim.storage_class,
            )
            for claim in app.volume_claims
        ),
        allow_data_loss=app.allow_data_loss,
        schedule=app.schedule,
        backoff_limit=app.backoff_limit,
        autoscaling=_autoscaling(platform, app),
        exposure=app_exposure(app.expose) if app.expose is not None else None,
        bindings=bindings(platform, app),
        ingress_from=ingress_from(platform, app),
        external_egress=tuple(
            app_args.ExternalEgress(cidr=rule.cidr, ports=tuple(rule.ports))
            for rule in app.external_egress
        ),
    )


def keda_reads_kafka(platform: Platform) -> bool:
    """Some app scales on Kafka lag, so KEDA's operator must reach the listener."""
    return any(app.autoscaling and app.autoscaling.kafka_lag for app in platform.spec.apps)
