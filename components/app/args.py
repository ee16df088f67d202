"""Arguments of the AppService component: one of the platform's own workloads (a
Deployment, StatefulSet, Job or CronJob) with its bindings already resolved.

A binding here is what the app is handed, not what it asked for: literal values and
Secret keys, the peers its egress admits. Shipyard's sections compute them from a
blueprint's `uses:`; a hand-written program passes them directly.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.gateway.args import Exposure, exposure_problems
from components.shared.args import ComponentArgs, StorageSize
from components.shared.k8s_values import (
    CpuQuantity,
    EnvVarName,
    Labels,
    MemoryQuantity,
    Port,
    PortName,
)
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.scheduling import PoolScheduling
from components.shared.secret_refs import SecretKeyRef

Workload = Literal["deployment", "statefulSet", "job", "cronJob"]
DEFAULT_WORKLOAD: Workload = "deployment"
DEFAULT_REPLICAS = 1
DEFAULT_CPU_REQUEST = "100m"
DEFAULT_MEMORY_REQUEST = "256Mi"
DEFAULT_RUN_AS_USER = 10001
"""A non-root UID; the restricted Pod Security Standard refuses UID 0."""
DEFAULT_WRITABLE_PATHS = ("/tmp",)
"""The root filesystem is read-only; these get an emptyDir each."""
BINDINGS_ROOT = "/bindings"
"""`SERVICE_BINDING_ROOT`: one directory per binding, servicebinding.io's layout."""
DEFAULT_BACKOFF_LIMIT = 3
DEFAULT_CONCURRENCY: Literal["Forbid"] = "Forbid"
Protocol = Literal["TCP", "UDP"]
ConcurrencyPolicy = Literal["Allow", "Forbid", "Replace"]
DEFAULT_KEDA_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "keda"}
DEFAULT_KEDA_POD_LABELS = {"app.kubernetes.io/name": "keda-operator"}
"""The KEDA operator's pods (its Helm chart's labels); they query Kafka for consumer lag."""
APP_LABEL = "shipyard.dev/app"
"""The label every pod of an app carries with the app's name; selectors use it alone."""


class AppPort(ComponentArgs):
    name: Annotated[PortName, Field(description="Port name, e.g. `http`; the Service uses it.")]
    port: Annotated[Port, Field(description="The container port.")]
    protocol: Annotated[Protocol, Field(description="`TCP` or `UDP`; default `TCP`.")] = "TCP"


class EnvVar(ComponentArgs):
    """A literal value or a key of an existing Secret; exactly one."""

    name: Annotated[EnvVarName, Field(description="Environment variable name.")]
    value: Annotated[str | None, Field(description="A literal, never a credential.")] = None
    secret: Annotated[SecretKeyRef | None, Field(description="A Secret key instead.")] = None

    @model_validator(mode="after")
    def _one(self) -> EnvVar:
        if (self.value is None) == (self.secret is None):
            raise ValueError(f"env `{self.name}` takes exactly one of `value` or `secret`")
        return self


class HttpProbe(ComponentArgs):
    path: Annotated[str, Field(pattern=r"^/", description="Request path; default `/`.")] = "/"
    port: Annotated[PortName, Field(description="A declared port's name; default `http`.")] = "http"


class TcpProbe(ComponentArgs):
    port: Annotated[PortName, Field(description="A declared port's name; default `http`.")] = "http"


class ExecProbe(ComponentArgs):
    command: Annotated[tuple[str, ...], Field(min_length=1, description="Command to run.")]


class Probe(ComponentArgs):
    """Exactly one of `http`, `tcp` or `exec`, and its timing."""

    http: Annotated[HttpProbe | None, Field(description="An HTTP GET.")] = None
    tcp: Annotated[TcpProbe | None, Field(description="A TCP connect.")] = None
    exec: Annotated[ExecProbe | None, Field(description="A command in the container.")] = None
    period_seconds: Annotated[int, Field(ge=1, description="Seconds between probes.")] = 10
    failure_threshold: Annotated[int, Field(ge=1, description="Failures before acting.")] = 3
    initial_delay_seconds: Annotated[int, Field(ge=0, description="Seconds before the first.")] = 0

    @model_validator(mode="after")
    def _one(self) -> Probe:
        if sum(kind is not None for kind in (self.http, self.tcp, self.exec)) != 1:
            raise ValueError("a probe takes exactly one of `http`, `tcp` or `exec`")
        return self


class Probes(ComponentArgs):
    readiness: Annotated[Probe | None, Field(description="When the pod takes traffic.")] = None
    liveness: Annotated[Probe | None, Field(description="When the container is restarted.")] = None
    startup: Annotated[Probe | None, Field(description="Holds the others until it passes.")] = None


class AppResources(ComponentArgs):
    cpu: Annotated[CpuQuantity, Field(description=f"Default `{DEFAULT_CPU_REQUEST}`.")] = (
        DEFAULT_CPU_REQUEST
    )
    memory: Annotated[
        MemoryQuantity,
        Field(description=f"Request and limit; default `{DEFAULT_MEMORY_REQUEST}`."),
    ] = DEFAULT_MEMORY_REQUEST
    gpus: Annotated[int, Field(ge=0, description="`nvidia.com/gpu` per pod; default 0.")] = 0


class VolumeClaim(ComponentArgs):
    """A StatefulSet volume claim template, one volume per replica."""

    name: Annotated[Dns1123Label, Field(description="Volume name.")]
    mount_path: Annotated[str, Field(pattern=r"^/", description="Where it is mounted.")]
    size: Annotated[StorageSize, Field(description="Size, e.g. `20Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class KafkaLagTrigger(ComponentArgs):
    """KEDA's `kafka` scaler on a consumer group's lag, authenticated as the app's user."""

    bootstrap_servers: Annotated[str, Field(min_length=1, description="`host:port`.")]
    consumer_group: Annotated[str, Field(min_length=1, description="The group whose lag counts.")]
    topic: Annotated[str | None, Field(description="One topic; none counts every topic.")] = None
    lag_threshold: Annotated[int, Field(ge=1, description="Lag per replica.")]
    sasl: Annotated[
        Literal["scram_sha512", "none"], Field(description="`scram_sha512` or `none` (mTLS).")
    ]
    username: Annotated[SecretKeyRef | None, Field(description="SCRAM user name key.")] = None
    password: Annotated[SecretKeyRef | None, Field(description="SCRAM password key.")] = None
    ca: Annotated[SecretKeyRef, Field(description="The cluster CA certificate.")]
    cert: Annotated[SecretKeyRef | None, Field(description="mTLS client certificate.")] = None
    key: Annotated[SecretKeyRef | None, Field(description="mTLS client key.")] = None
    operator_namespace_labels: Annotated[
        Labels, Field(description="The KEDA operator's namespace.")
    ] = DEFAULT_KEDA_NAMESPACE_LABELS


class PrometheusTrigger(ComponentArgs):
    server_address: Annotated[str, Field(pattern=r"^https?://", description="Prometheus URL.")]
    query: Annotated[str, Field(min_length=1, description="A PromQL query returning one value.")]
    threshold: Annotated[float, Field(gt=0, description="Query value per replica.")]


class Autoscaling(ComponentArgs):
    """An HPA on CPU or memory utilization, or KEDA on Kafka lag or a Prometheus query."""

    min_replicas: Annotated[int, Field(ge=0, description="Fewest; 0 only with KEDA.")] = 1
    max_replicas: Annotated[int, Field(ge=1, description="Most replicas.")]
    cpu_utilization: Annotated[
        int | None, Field(ge=1, le=100, description="HPA: target % of the CPU request.")
    ] = None
    memory_utilization: Annotated[
        int | None, Field(ge=1, le=100, description="HPA: target % of the memory request.")
    ] = None
    kafka_lag: Annotated[KafkaLagTrigger | None, Field(description="KEDA on Kafka lag.")] = None
    prometheus: Annotated[
        PrometheusTrigger | None, Field(description="KEDA on a Prometheus query.")
    ] = None

    @property
    def keda(self) -> bool:
        return self.kafka_lag is not None or self.prometheus is not None

    @model_validator(mode="after")
    def _consistent(self) -> Autoscaling:
        hpa = self.cpu_utilization is not None or self.memory_utilization is not None
        if hpa == self.keda:
            raise ValueError(
                "autoscaling takes a CPU/memory target (HPA) or a KEDA trigger "
                "(`kafka_lag`, `prometheus`), exactly one kind"
            )
        if self.kafka_lag is not None and self.prometheus is not None:
            raise ValueError("autoscaling takes one KEDA trigger: `kafka_lag` or `prometheus`")
        if self.min_replicas > self.max_replicas:
            raise ValueError("`min_replicas` must not exceed `max_replicas`")
        if self.min_replicas == 0 and not self.keda:
            raise ValueError("`min_replicas: 0` needs KEDA; an HPA keeps at least one replica")
        return self


class BindingValue(ComponentArgs):
    """One setting of a binding: a literal or a Secret key. Env `<PREFIX>_<KEY>` carries
    it, and the file `<binding root>/<binding>/<key>`; a `file_only` value (a CA
    certificate) is a file alone and its env var (`<PREFIX>_<ENV>_FILE`) holds the path."""

    key: Annotated[
        str, Field(pattern=r"^[a-z][a-z0-9.-]*$", description="File name, e.g. `password`.")
    ]
    value: Annotated[str | None, Field(description="A literal.")] = None
    secret: Annotated[SecretKeyRef | None, Field(description="A Secret key.")] = None
    env: Annotated[
        str | None,
        Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="Env suffix; default from `key`."),
    ] = None
    file_only: Annotated[bool, Field(description="A file only, its path in the env.")] = False

    @model_validator(mode="after")
    def _one(self) -> BindingValue:
        if (self.value is None) == (self.secret is None):
            raise ValueError(f"binding value `{self.key}` takes exactly one of value or secret")
        if self.file_only and self.secret is None:
            raise ValueError(f"binding value `{self.key}`: only a Secret key can be a file alone")
        return self

    @property
    def env_suffix(self) -> str:
        suffix = self.env or self.key.upper().replace("-", "_").replace(".", "_")
        return f"{suffix}_FILE" if self.file_only else suffix


class NetworkPeer(ComponentArgs):
    """Pods the app reaches (egress) or that reach it (ingress), on `ports`."""

    pod_labels: Annotated[Labels, Field(min_length=1, description="The pods' labels.")]
    namespace_labels: Annotated[
        Labels | None, Field(description="Their namespace's labels; none: the app's own.")
    ] = None
    ports: Annotated[tuple[Port, ...], Field(min_length=1, description="TCP ports.")]


class ExternalEgress(ComponentArgs):
    """Addresses outside the cluster the app may reach (an API, a managed service)."""

    cidr: Annotated[str, Field(min_length=1, description="E.g. `0.0.0.0/0`.")]
    ports: Annotated[tuple[Port, ...], Field(min_length=1, description="TCP ports.")]


class AppBinding(ComponentArgs):
    """What one binding hands the app: values and files, and who it may reach."""

    name: Annotated[
        Dns1123Label, Field(description="Binding name: its directory under the bindings root.")
    ]
    type: Annotated[str, Field(min_length=1, description="servicebinding.io `type`.")]
    provider: Annotated[str, Field(min_length=1, description="servicebinding.io `provider`.")]
    env_prefix: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="E.g. `POSTGRES`.")]
    values: Annotated[tuple[BindingValue, ...], Field(description="Its settings.")] = ()
    aliases: Annotated[
        dict[EnvVarName, str], Field(description="More env names for values, by key.")
    ] = {}
    egress: Annotated[tuple[NetworkPeer, ...], Field(description="The peers it reaches.")] = ()
    external_egress: Annotated[
        tuple[ExternalEgress, ...],
        Field(description="Addresses outside the cluster it reaches (an AWS endpoint)."),
    ] = ()

    @model_validator(mode="after")
    def _keys(self) -> AppBinding:
        keys = [value.key for value in self.values]
        if len(set(keys)) != len(keys) or {"type", "provider"} & set(keys):
            raise ValueError(f"binding `{self.name}` repeats a key or uses `type`/`provider`")
        unknown = sorted(set(self.aliases.values()) - set(keys))
        if unknown:
            raise ValueError(f"binding `{self.name}`: aliases name unknown key(s) {unknown}")
        return self


class AppExposure(ComponentArgs):
    """An Ingress or HTTPRoute to one of the app's ports, under the gateway's rules."""

    exposure: Annotated[Exposure, Field(description="Host, TLS, parent; as the gateway's.")]
    port: Annotated[PortName, Field(description="The port it routes to; default `http`.")] = "http"
    path: Annotated[str, Field(pattern=r"^/", description="Path prefix; default `/`.")] = "/"
    authenticated: Annotated[
        bool, Field(description="The app authenticates its clients itself.")
    ] = False


class AppServiceArgs(ComponentArgs):
    """One app: its workload, ServiceAccount, Service, PDB, autoscaler, NetworkPolicy,
    exposure and bindings."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    workload: Annotated[
        Workload,
        Field(
            description=f"`deployment`, `statefulSet`, `job`, `cronJob`; default "
            f"`{DEFAULT_WORKLOAD}`."
        ),
    ] = DEFAULT_WORKLOAD
    image: Annotated[PinnedImage, Field(description="Image pinned by tag or digest.")]
    command: Annotated[tuple[str, ...], Field(description="Entrypoint; none: the image's.")] = ()
    args: Annotated[tuple[str, ...], Field(description="Arguments; none: the image's.")] = ()
    ports: Annotated[tuple[AppPort, ...], Field(description="Named container ports.")] = ()
    env: Annotated[tuple[EnvVar, ...], Field(description="Literal or Secret env vars.")] = ()
    resources: Annotated[AppResources, Field(description="Requests per pod.")] = AppResources()
    replicas: Annotated[
        int, Field(ge=0, description=f"Replicas; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    scheduling: Annotated[
        PoolScheduling | None, Field(description="The pool it runs on; none: anywhere.")
    ] = None
    zone_spread: Annotated[
        bool, Field(description="Spread replicas over zones (the pool spans zones).")
    ] = False
    probes: Annotated[
        Probes | None,
        Field(description="None: TCP readiness and liveness on the `http` port if any."),
    ] = None
    run_as_user: Annotated[
        int, Field(ge=1, description=f"Non-root UID; default `{DEFAULT_RUN_AS_USER}`.")
    ] = DEFAULT_RUN_AS_USER
    writable_paths: Annotated[
        tuple[str, ...],
        Field(description=f"emptyDir mounts; default `{list(DEFAULT_WRITABLE_PATHS)}`."),
    ] = DEFAULT_WRITABLE_PATHS
    volume_claims: Annotated[
        tuple[VolumeClaim, ...], Field(description="statefulSet: a volume per replica.")
    ] = ()
    allow_data_loss: Annotated[
        bool, Field(description="statefulSet: unprotected, claims deleted; default false.")
    ] = False
    schedule: Annotated[str | None, Field(description="cronJob: a five-field cron.")] = None
    concurrency_policy: Annotated[
        ConcurrencyPolicy, Field(description=f"cronJob; default `{DEFAULT_CONCURRENCY}`.")
    ] = DEFAULT_CONCURRENCY
    backoff_limit: Annotated[
        int, Field(ge=0, description=f"job/cronJob retries; default `{DEFAULT_BACKOFF_LIMIT}`.")
    ] = DEFAULT_BACKOFF_LIMIT
    autoscaling: Annotated[Autoscaling | None, Field(description="HPA or KEDA.")] = None
    exposure: Annotated[AppExposure | None, Field(description="Ingress or HTTPRoute.")] = None
    bindings: Annotated[tuple[AppBinding, ...], Field(description="Resolved bindings.")] = ()
    ingress_from: Annotated[
        tuple[NetworkPeer, ...], Field(description="Pods admitted in (apps bound to it).")
    ] = ()
    external_egress: Annotated[
        tuple[ExternalEgress, ...], Field(description="Addresses outside the cluster.")
    ] = ()
    labels: Annotated[Labels, Field(description="More labels on every object.")] = {}

    @model_validator(mode="after")
    def _consistent(self) -> AppServiceArgs:
        problems = app_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def runs_continuously(self) -> bool:
        return self.workload in ("deployment", "statefulSet")


def app_problems(args: AppServiceArgs) -> list[str]:
    """Every inconsistency of an app's arguments, as sentences."""
    problems: list[str] = []
    names = [port.name for port in args.ports]
    if len(set(names)) != len(names):
        problems.append("`ports` names a port twice")
    if args.workload == "cronJob" and args.schedule is None:
        problems.append("a `cronJob` needs a `schedule`")
    if args.workload != "cronJob" and args.schedule is not None:
        problems.append("`schedule` is for a `cronJob`")
    if args.volume_claims and args.workload != "statefulSet":
        problems.append("`volume_claims` need `workload: statefulSet`")
    if not args.runs_continuously and (args.autoscaling or args.exposure or args.ports):
        problems.append("a job has no `ports`, `autoscaling` or `exposure`")
    if args.exposure is not None:
        if args.exposure.port not in names:
            problems.append(f"`exposure.port` `{args.exposure.port}` is not a declared port")
        problems += [
            f"`exposure.{field}`: {message}"
            for field, message in exposure_problems(
                args.exposure.exposure, args.exposure.authenticated
            )
        ]
    if args.resources.gpus and (
        args.scheduling is None or args.scheduling.gpus_per_node < args.resources.gpus
    ):
        problems.append("`resources.gpus` need a pool with that many GPUs per node")
    env = [var.name for var in args.env] + [name for _, name in binding_env_names(args)]
    repeated = sorted({name for name in env if env.count(name) > 1})
    if repeated:
        problems.append(f"env var(s) {', '.join(repeated)} set twice")
    bindings = [binding.name for binding in args.bindings]
    if len(set(bindings)) != len(bindings):
        problems.append("`bindings` names a binding twice")
    return problems


def binding_env_names(args: AppServiceArgs) -> list[tuple[str, str]]:
    """`(binding, env var)` for every env var the bindings set."""
    found: list[tuple[str, str]] = []
    for binding in args.bindings:
        found += [(binding.name, f"{binding.env_prefix}_{v.env_suffix}") for v in binding.values]
        found += [(binding.name, alias) for alias in binding.aliases]
    return found
