"""Arguments of the AI gateway component (the LiteLLM proxy)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.gateway.coordination import CacheConnection, ResponseCache
from components.gateway.egress import EgressPeer as EgressPeer
from components.gateway.hosted import HostedBackend, credential_env
from components.gateway.keys import AppKey
from components.gateway.limits import Limits as Limits
from components.gateway.limits import limit_params
from components.gateway.rules import processes_phrase, route_problems, unshared_limits
from components.shared.args import ComponentArgs
from components.shared.k8s_values import (
    CpuQuantity,
    DnsSubdomain,
    HostName,
    Labels,
    MemoryQuantity,
    NamespaceName,
)
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.secret_refs import SecretKeyRef

# The LiteLLM proxy's non-root image variant (it runs as uid 65534), pinned to a
# stable release: `ghcr.io/berriai/litellm-non_root:vX.Y.Z-stable` is the tag
# scheme of the `litellm-non_root` package on GHCR. The Python package tested
# in tests/components/gateway/ is the same release (`litellm[proxy]==1.83.14`).
LITELLM_IMAGE = "ghcr.io/berriai/litellm-non_root:v1.83.14-stable"
GATEWAY_PORT = 4000
RUN_AS_USER = 65534
DEFAULT_REPLICAS = 2
DEFAULT_TIMEOUT_SECONDS = 600
DEFAULT_RETRIES = 2
DEFAULT_WORKERS = 1
DEFAULT_CPU_REQUEST = "500m"
DEFAULT_MEMORY_REQUEST = "1Gi"
GATEWAY_POD_LABELS = {"app.kubernetes.io/component": "ai-gateway"}
"""vLLM's NetworkPolicy admits pods with these labels; every gateway pod carries them."""
MASTER_KEY_SECRET_KEY = "master-key"
DEFAULT_INGRESS_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "ingress-nginx"}
"""Where the ingress controller runs; its pods may reach the gateway."""
DEFAULT_REQUEST_LOGS_PATH = "gateway-logs"
DNS_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "kube-system"}
DNS_POD_LABELS = {"k8s-app": "kube-dns"}


class GatewayBackend(ComponentArgs):
    """One model server behind the gateway, routed by its served name."""

    served_name: Annotated[str, Field(min_length=1, description="The `model` clients send.")]
    api_base: Annotated[
        str, Field(min_length=1, description="OpenAI-compatible base URL, ending in `/v1`.")
    ]
    pod_labels: Annotated[
        Labels,
        Field(min_length=1, description="Labels of the model server pods (NetworkPolicy egress)."),
    ]
    port: Annotated[int, Field(ge=1, le=65535, description="The model server pods' port.")]
    aliases: Annotated[
        tuple[str, ...], Field(description="Other names clients may request it by.")
    ] = ()
    fallbacks: Annotated[
        tuple[str, ...],
        Field(description="Served names to try, in order, when this model fails."),
    ] = ()
    limits: Annotated[Limits, Field(description="Per-model limits, enforced by the gateway.")] = (
        Limits()
    )


class VirtualKeys(ComponentArgs):
    """Virtual keys and their spend, kept in Postgres."""

    database_url_secret: Annotated[
        SecretKeyRef, Field(description="Secret holding `DATABASE_URL` (postgresql://...).")
    ]
    database: Annotated[EgressPeer, Field(description="The Postgres the URL points at.")]


class UsageLogging(ComponentArgs):
    """Request logs through LiteLLM's `generic_api` logging callback.

    LiteLLM 1.83 has no ClickHouse callback of its own (its old `clickhouse` one is
    gone from the package), so the proxy batches its `StandardLoggingPayload`s and POSTs
    them as a JSON array to `endpoint`; ClickHouse's HTTP interface takes that body as the
    data of an `INSERT ... FORMAT JSONEachRow` (components/clickhouse/schema.py). The
    callback reads the endpoint from `GENERIC_LOGGER_ENDPOINT` and the headers, here the
    credentials, from `GENERIC_LOGGER_HEADERS` (`Name=value,Name=value`)."""

    endpoint: Annotated[
        str,
        Field(
            pattern=r"^https?://",
            description="URL the log batches are POSTed to; no credentials in it.",
        ),
    ]
    headers_secret: Annotated[
        SecretKeyRef,
        Field(description="Secret key holding the headers, `Name=value,Name=value`."),
    ]
    peer: Annotated[EgressPeer, Field(description="The log store the callback writes to.")]


class RequestLogs(ComponentArgs):
    """Every request and answer as a JSON object in an S3 bucket, through LiteLLM's
    `s3_v2` logger with the gateway's service account identity (IRSA)."""

    bucket: Annotated[str, Field(min_length=3, description="The bucket's name.")]
    region: Annotated[str, Field(min_length=1, description="The bucket's AWS region.")]
    path: Annotated[
        str, Field(description=f"Key prefix; default `{DEFAULT_REQUEST_LOGS_PATH}`.")
    ] = DEFAULT_REQUEST_LOGS_PATH
    endpoint_url: Annotated[
        str | None, Field(description="An S3-compatible endpoint; none: AWS's.")
    ] = None


IssuerKind = Literal["Issuer", "ClusterIssuer"]
DEFAULT_ISSUER_KIND: IssuerKind = "ClusterIssuer"


class CertManagerIssuer(ComponentArgs):
    """A cert-manager issuer that signs the gateway's certificate."""

    name: Annotated[DnsSubdomain, Field(min_length=1, description="Issuer name.")]
    kind: Annotated[
        IssuerKind, Field(description=f"Issuer kind; default `{DEFAULT_ISSUER_KIND}`.")
    ] = DEFAULT_ISSUER_KIND


class GatewayTls(ComponentArgs):
    """Exactly one of a cert-manager issuer or an existing `kubernetes.io/tls` Secret."""

    cert_manager_issuer: Annotated[
        CertManagerIssuer | None, Field(description="cert-manager issues the certificate.")
    ] = None
    secret_name: Annotated[
        Dns1123Label | None, Field(description="An existing TLS Secret; else `<name>-tls`.")
    ] = None

    @model_validator(mode="after")
    def _one_source(self) -> GatewayTls:
        if (self.cert_manager_issuer is None) == (self.secret_name is None):
            raise ValueError("set exactly one of `cert_manager_issuer` or `secret_name`")
        return self


class ParentRef(ComponentArgs):
    """The Gateway API Gateway (and listener) an HTTPRoute attaches to."""

    name: Annotated[DnsSubdomain, Field(min_length=1, description="Gateway name.")]
    namespace: Annotated[NamespaceName | None, Field(description="Gateway namespace.")] = None
    section_name: Annotated[
        DnsSubdomain | None, Field(description="Listener name; an HTTPS listener terminates TLS.")
    ] = None


class Exposure(ComponentArgs):
    """How clients outside the cluster reach the gateway."""

    kind: Annotated[Literal["ingress", "httpRoute"], Field(description="Ingress or HTTPRoute.")]
    host: Annotated[HostName, Field(min_length=1, description="Public host name.")]
    public: Annotated[
        bool, Field(description="Reachable from outside; requires TLS and authentication.")
    ] = True
    ingress_class_name: Annotated[
        DnsSubdomain | None, Field(description="IngressClass (ingress).")
    ] = None
    tls: Annotated[GatewayTls | None, Field(description="TLS for the Ingress.")] = None
    parent_ref: Annotated[ParentRef | None, Field(description="Parent Gateway (httpRoute).")] = None
    controller_namespace_labels: Annotated[
        Labels,
        Field(
            description="Labels of the namespace whose pods (the ingress controller or "
            "Gateway data plane) may reach the gateway."
        ),
    ] = DEFAULT_INGRESS_NAMESPACE_LABELS
    expose_admin: Annotated[
        bool, Field(description="Also route the admin UI and API; default `False`.")
    ] = False


def exposure_problems(exposure: Exposure, authentication: bool) -> list[tuple[str, str]]:
    """`(field, message)` for every reason an exposure is unsafe or incomplete."""
    problems: list[tuple[str, str]] = []
    if exposure.kind == "ingress" and exposure.parent_ref is not None:
        problems.append(("parent_ref", "only an `httpRoute` exposure has a parent Gateway"))
    if exposure.kind == "httpRoute":
        if exposure.parent_ref is None:
            problems.append(("parent_ref", "an `httpRoute` exposure needs its parent Gateway"))
        if exposure.tls is not None:
            problems.append(
                (
                    "tls",
                    "an HTTPRoute gets TLS from its Gateway's listener; name it in "
                    "`parent_ref.section_name` instead",
                )
            )
    if exposure.public:
        if not authentication:
            problems.append(("public", "a public endpoint requires authentication"))
        if exposure.kind == "ingress" and exposure.tls is None:
            problems.append(("tls", "a public endpoint requires TLS"))
        if exposure.kind == "httpRoute" and (
            exposure.parent_ref is None or exposure.parent_ref.section_name is None
        ):
            problems.append(
                (
                    "parent_ref",
                    "a public endpoint requires TLS: name the Gateway's HTTPS "
                    "listener in `section_name`",
                )
            )
    return problems


class GatewayArgs(ComponentArgs):
    """The LiteLLM proxy in front of the platform's model servers."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    backends: Annotated[
        tuple[GatewayBackend, ...], Field(min_length=1, description="The models it routes to.")
    ]
    image: Annotated[
        PinnedImage, Field(description=f"LiteLLM proxy image; default `{LITELLM_IMAGE}`.")
    ] = LITELLM_IMAGE
    replicas: Annotated[
        int, Field(ge=1, description=f"Proxy replicas; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    timeout_seconds: Annotated[
        int,
        Field(gt=0, description=f"Per-request timeout; default `{DEFAULT_TIMEOUT_SECONDS}`."),
    ] = DEFAULT_TIMEOUT_SECONDS
    retries: Annotated[
        int, Field(ge=0, description=f"Retries before a fallback; default `{DEFAULT_RETRIES}`.")
    ] = DEFAULT_RETRIES
    key_limits: Annotated[
        Limits, Field(description="Default and most limits of every virtual key.")
    ] = Limits()
    authentication: Annotated[
        bool, Field(description="Require a key (the generated master key or a virtual key).")
    ] = True
    virtual_keys: Annotated[
        VirtualKeys | None, Field(description="Postgres for virtual keys; none: master key only.")
    ] = None
    usage_logging: Annotated[
        UsageLogging | None,
        Field(description="Request logs to an HTTP endpoint (ClickHouse); none: not kept."),
    ] = None
    exposure: Annotated[
        Exposure | None, Field(description="External access; none: in-cluster.")
    ] = None
    cpu_request: Annotated[
        CpuQuantity, Field(description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`.")
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`."),
    ] = DEFAULT_MEMORY_REQUEST
    prometheus_metrics: Annotated[
        bool,
        Field(
            description="Serve Prometheus metrics on `/metrics` (LiteLLM's `prometheus` "
            "callback); default false."
        ),
    ] = False
    workers: Annotated[
        int, Field(ge=1, description=f"Worker processes per replica; default `{DEFAULT_WORKERS}`.")
    ] = DEFAULT_WORKERS
    hosted: Annotated[
        tuple[HostedBackend, ...],
        Field(description="Hosted models (OpenAI, Anthropic, ...); egress to public 443."),
    ] = ()
    cache: Annotated[
        CacheConnection | None,
        Field(
            description="The store every replica and worker counts limits in; none: each "
            "counts alone, so limits need one replica and one worker."
        ),
    ] = None
    response_cache: Annotated[
        ResponseCache | None, Field(description="Cache answers in `cache`; none: never.")
    ] = None
    app_keys: Annotated[
        tuple[AppKey, ...],
        Field(description="One virtual key per app, in its own Secret; needs `virtual_keys`."),
    ] = ()
    request_logs: Annotated[
        RequestLogs | None,
        Field(description="Raw request logs to an S3 bucket; none: not kept."),
    ] = None
    cluster_cidrs: Annotated[
        tuple[str, ...],
        Field(
            description="The cluster's own address ranges (VPC, pods, Services), never "
            "reached through the public egress rule besides the private ranges."
        ),
    ] = ()

    @property
    def routes(self) -> tuple[GatewayBackend | HostedBackend, ...]:
        return (*self.backends, *self.hosted)

    @property
    def public_egress(self) -> bool:
        """Whether the NetworkPolicy admits egress to public addresses on 443."""
        return bool(self.hosted) or self.request_logs is not None

    @model_validator(mode="after")
    def _consistent(self) -> GatewayArgs:
        problems = route_problems(self.routes)
        if self.exposure is not None:
            problems += [
                f"`exposure.{field}`: {message}"
                for field, message in exposure_problems(self.exposure, self.authentication)
            ]
        if self.cache is None:
            unshared = unshared_limits(
                self.routes,
                [("the key limit", self.key_limits)]
                + [(f"the key of `{key.app}`", key.limits) for key in self.app_keys],
                self.replicas,
                self.workers,
            )
            if unshared:
                problems.append(
                    f"with {processes_phrase(self.replicas, self.workers)} and no `cache`, "
                    f"each counts limits on its own: {'; '.join(unshared)}; set `cache`"
                )
        if self.response_cache is not None and self.cache is None:
            problems.append("`response_cache` needs `cache`")
        if self.virtual_keys is None:
            if self.app_keys:
                problems.append("`app_keys` need `virtual_keys`: LiteLLM keeps keys in Postgres")
            if limit_params(self.key_limits):
                problems.append(
                    "`key_limits` need `virtual_keys`: without a key store no virtual key exists"
                )
        if self.app_keys and not self.authentication:
            problems.append("`app_keys` need `authentication`")
        apps = [key.app for key in self.app_keys]
        if len(set(apps)) != len(apps):
            problems.append("`app_keys` name an app more than once")
        served = {route.served_name for route in self.routes}
        for key in self.app_keys:
            unknown = [name for name in key.models if name not in served]
            if unknown:
                problems.append(
                    f"the key of `{key.app}` names unknown model(s) {', '.join(unknown)}"
                )
        envs = [credential_env(backend) for backend in self.hosted]
        if len(set(envs)) != len(envs):
            problems.append("hosted served names map to the same variable; rename one")
        if problems:
            raise ValueError("; ".join(problems))
        return self
