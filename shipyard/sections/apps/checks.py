"""Checks of `spec.apps`: names, the pool and the fit on one of its nodes, ports, env,
probes, workload-specific fields, autoscaling and exposure. Bindings are checked in
`checks_uses.py`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from components.gateway.args import exposure_problems
from components.shared.args import storage_size_problem
from components.shared.credentials_patterns import looks_secret, secret_value_kind
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.checks_uses import check_uses
from shipyard.sections.apps.exposure import app_exposure
from shipyard.sections.apps.model import AppSpec, ProbeSpec
from shipyard.sections.node_pools.checks import unique_names
from shipyard.sections.node_pools.fit import cpu_cores, memory_gib, node_allocatable

# StatefulSet and CronJob names carry a suffix in labels of at most 63 characters.
SUFFIXED_NAME_MAX = 52


def other_workload_names(platform: Platform) -> dict[str, str]:
    """Names other sections give Services and workloads in the namespace -> what they are."""
    spec = platform.spec
    names = {model.name: f"model `{model.name}`" for model in spec.models}
    for section, label in (
        (spec.gateway, "the gateway"),
        (spec.ray, "the Ray cluster"),
        (spec.postgres, "Postgres"),
        (spec.analytics, "ClickHouse"),
        (spec.events, "Kafka"),
        (spec.gitops, "the GitOps reconciler"),
    ):
        name = getattr(section, "name", None)
        if isinstance(name, str):
            names[name] = label
    store = spec.object_store
    if store is not None and store.provider == "minio":
        names[store.name] = "MinIO"
    return names


def _pool(platform: Platform, app: AppSpec, path: Path) -> Iterator[Finding]:
    declared = [pool.name for pool in platform.spec.node_pools]
    if app.node_pool is None:
        if app.resources.gpus:
            yield ((*path, "resources", "gpus"), "GPUs need a `nodePool` with GPUs")
        return
    pool = platform.pool(app.node_pool)
    if pool is None:
        yield (
            (*path, "nodePool"),
            f"no node pool named `{app.node_pool}`{did_you_mean(app.node_pool, declared)}; "
            f"declared pools: {', '.join(declared) or 'none'}",
        )
        return
    if app.resources.gpus > pool.gpus_per_node:
        yield (
            (*path, "resources", "gpus"),
            f"{app.resources.gpus} GPU(s) per pod do not fit pool `{pool.name}`, which has "
            f"{pool.gpus_per_node} per node",
        )
    room = node_allocatable(pool)
    if room is None:
        return
    for field, wanted, has, unit in (
        ("cpu", cpu_cores(app.resources.cpu), room.cpu, "cores"),
        ("memory", memory_gib(app.resources.memory), room.memory_gib, "GiB"),
    ):
        if wanted > has:
            yield (
                (*path, "resources", field),
                f"a pod requests {wanted:g} {unit} but one `{room.instance_type}` node of pool "
                f"`{pool.name}` has {has:.2f} {unit} for pods; lower the request or use a "
                "larger instance type",
            )


def _env(app: AppSpec, path: Path) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, var in enumerate(app.env):
        where: Path = (*path, "env", index)
        if (var.value is None) == (var.secret is None):
            yield (where, f"env `{var.name}` takes exactly one of `value` or `secret`")
        if var.name in seen:
            yield ((*where, "name"), f"env `{var.name}` is set twice")
        seen.add(var.name)
        if var.value is None:
            continue
        kind = secret_value_kind(var.value)
        if kind or looks_secret(var.name):
            what = f"holds {kind}" if kind else "looks like a credential"
            yield (
                (*where, "value"),
                f"env `{var.name}` {what}; take it from a Secret: "
                "`secret: {name: <secret>, key: <key>}`",
            )


def _probe_port(app: AppSpec, probe: ProbeSpec | None, path: Path) -> Iterator[Finding]:
    if probe is None:
        return
    kinds = [kind for kind in ("http", "tcp", "exec") if getattr(probe, kind) is not None]
    if len(kinds) != 1:
        yield (path, "a probe takes exactly one of `http`, `tcp` or `exec`")
        return
    handler = probe.http or probe.tcp
    ports = [port.name for port in app.ports]
    if handler is not None and handler.port not in ports:
        yield (
            (*path, kinds[0], "port"),
            f"no port named `{handler.port}`{did_you_mean(handler.port, ports)}; declared "
            f"ports: {', '.join(ports) or 'none'}",
        )


def _ports(app: AppSpec, path: Path) -> Iterator[Finding]:
    names: set[str] = set()
    numbers: set[int] = set()
    for index, port in enumerate(app.ports):
        if port.name in names:
            yield ((*path, "ports", index, "name"), f"port `{port.name}` is declared twice")
        if port.port in numbers:
            yield ((*path, "ports", index, "port"), f"port {port.port} is declared twice")
        names.add(port.name)
        numbers.add(port.port)
    if app.probes is not None:
        for kind in ("readiness", "liveness", "startup"):
            yield from _probe_port(app, getattr(app.probes, kind), (*path, "probes", kind))


def _workload(app: AppSpec, path: Path) -> Iterator[Finding]:
    if app.workload in ("statefulSet", "cronJob", "job") and len(app.name) > SUFFIXED_NAME_MAX:
        yield (
            (*path, "name"),
            f"a {app.workload} name takes at most {SUFFIXED_NAME_MAX} characters (its pods' "
            f"labels add a suffix), got {len(app.name)}",
        )
    if app.workload == "cronJob" and app.schedule is None:
        yield ((*path, "schedule"), "a `cronJob` needs a `schedule`, e.g. `0 3 * * *`")
    if app.schedule is not None:
        if app.workload != "cronJob":
            yield ((*path, "schedule"), "`schedule` is for `workload: cronJob`")
        elif len(app.schedule.split()) != 5 and not app.schedule.startswith("@"):
            yield (
                (*path, "schedule"),
                f"`{app.schedule}` is not a cron schedule; use five fields, e.g. `0 3 * * *`",
            )
    if app.volume_claims and app.workload != "statefulSet":
        yield ((*path, "volumeClaims"), "volume claims need `workload: statefulSet`")
    for index, claim in enumerate(app.volume_claims):
        problem = storage_size_problem(claim.size)
        if problem:
            yield ((*path, "volumeClaims", index, "size"), problem)
    if not app.runs_continuously:
        for field, value in (
            ("ports", app.ports),
            ("autoscaling", app.autoscaling),
            ("expose", app.expose),
        ):
            if value:
                yield (
                    (*path, field),
                    f"a {app.workload} runs to completion: it takes no `{field}`",
                )
        if app.replicas != 1:
            yield ((*path, "replicas"), f"a {app.workload} runs one pod; remove `replicas`")


def _autoscaling(app: AppSpec, path: Path) -> Iterator[Finding]:
    scaling = app.autoscaling
    if scaling is None:
        return
    where: Path = (*path, "autoscaling")
    hpa = scaling.cpu_utilization is not None or scaling.memory_utilization is not None
    keda = [
        name
        for name, trigger in (("kafkaLag", scaling.kafka_lag), ("prometheus", scaling.prometheus))
        if trigger is not None
    ]
    if hpa == bool(keda):
        yield (
            where,
            "autoscaling takes `cpuUtilization`/`memoryUtilization` (an HPA) or one KEDA "
            "trigger (`kafkaLag`, `prometheus`), exactly one kind",
        )
    elif len(keda) > 1:
        yield (where, "autoscaling takes one KEDA trigger: `kafkaLag` or `prometheus`")
    if scaling.min_replicas > scaling.max_replicas:
        yield ((*where, "minReplicas"), "`minReplicas` must not exceed `maxReplicas`")
    if scaling.min_replicas == 0 and not keda:
        yield ((*where, "minReplicas"), "`minReplicas: 0` needs KEDA (`kafkaLag` or `prometheus`)")
    if scaling.kafka_lag is not None:
        consumed = [t for use in app.uses if use.kind == "events" for t in use.consume]
        if not consumed:
            yield (
                (*where, "kafkaLag"),
                "`kafkaLag` scales on the lag of the app's consumer group: bind to `events` with "
                "`consume`",
            )
        topic = scaling.kafka_lag.topic
        if topic is not None and consumed and topic not in consumed:
            yield (
                (*where, "kafkaLag", "topic"),
                f"the app does not consume `{topic}`{did_you_mean(topic, consumed)}",
            )


def _expose(app: AppSpec, path: Path) -> Iterator[Finding]:
    expose = app.expose
    if expose is None:
        return
    where: Path = (*path, "expose")
    ports = [port.name for port in app.ports]
    if expose.port not in ports:
        yield (
            (*where, "port"),
            f"no port named `{expose.port}`{did_you_mean(expose.port, ports)}; declared ports: "
            f"{', '.join(ports) or 'none'}",
        )
    keys = {"parent_ref": "parentRef", "public": "public", "tls": "tls"}
    for field, message in exposure_problems(app_exposure(expose).exposure, expose.authenticated):
        if field == "public":
            message = (
                "a public endpoint requires authentication: set `authenticated: true` if the app "
                "authenticates its clients, or `public: false`"
            )
        yield ((*where, keys.get(field, field)), message)


def check_apps(platform: Platform) -> Iterator[Finding]:
    apps = platform.spec.apps
    yield from unique_names([app.name for app in apps], "apps", "name")
    taken = other_workload_names(platform)
    for index, app in enumerate(apps):
        path: Path = ("spec", "apps", index)
        if app.name in taken:
            yield (
                (*path, "name"),
                f"`{app.name}` already names {taken[app.name]} in the namespace; rename the app",
            )
        yield from _pool(platform, app, path)
        yield from _env(app, path)
        yield from _ports(app, path)
        yield from _workload(app, path)
        yield from _autoscaling(app, path)
        yield from _expose(app, path)
        yield from check_uses(platform, app, path)
