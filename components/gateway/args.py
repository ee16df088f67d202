"""Arguments of the AI gateway component (the LiteLLM proxy)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs
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
DEFAULT_CPU_REQUEST = "500m"
DEFAULT_MEMORY_REQUEST = "1Gi"
GATEWAY_POD_LABELS = {"app.kubernetes.io/component": "ai-gateway"}
"""vLLM's NetworkPolicy admits pods with these labels; every gateway pod carries them."""
MASTER_KEY_SECRET_KEY = "master-key"
DEFAULT_INGRESS_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "ingress-nginx"}
"""Where the ingress controller runs; its pods may reach the gateway."""
DNS_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "kube-system"}
DNS_POD_LABELS = {"k8s-app": "kube-dns"}


class Limits(ComponentArgs):
    """Requests and tokens per minute; none leaves that dimension unlimited."""

    rpm: Annotated[int | None, Field(gt=0, description="Requests per minute.")] = None
    tpm: Annotated[int | None, Field(gt=0, description="Tokens per minute.")] = None


class GatewayBackend(ComponentArgs):
    """One model server behind the gateway, routed by its served name."""

    served_name: Annotated[str, Field(min_length=1, description="The `model` clients send.")]
    api_base: Annotated[
        str, Field(min_length=1, description="OpenAI-compatible base URL, ending in `/v1`.")
    ]
    pod_labels: Annotated[
        dict[str, str],
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


class EgressPeer(ComponentArgs):
    """A data service the gateway must reach (Postgres, ClickHouse)."""

    pod_labels: Annotated[dict[str, str], Field(min_length=1, description="Its pods' labels.")]
    namespace_labels: Annotated[
        dict[str, str] | None,
        Field(description="Its namespace's labels; none means the gateway's own namespace."),
    ] = None
    port: Annotated[int, Field(ge=1, le=65535, description="Its port.")]


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


IssuerKind = Literal["Issuer", "ClusterIssuer"]
DEFAULT_ISSUER_KIND: IssuerKind = "ClusterIssuer"


class CertManagerIssuer(ComponentArgs):
    """A cert-manager issuer that signs the gateway's certificate."""

    name: Annotated[str, Field(min_length=1, description="Issuer name.")]
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

    name: Annotated[str, Field(min_length=1, description="Gateway name.")]
    namespace: Annotated[str | None, Field(description="Gateway namespace.")] = None
    section_name: Annotated[
        str | None, Field(description="Listener name; an HTTPS listener terminates TLS.")
    ] = None


class Exposure(ComponentArgs):
    """How clients outside the cluster reach the gateway."""

    kind: Annotated[Literal["ingress", "httpRoute"], Field(description="Ingress or HTTPRoute.")]
    host: Annotated[str, Field(min_length=1, description="Public host name.")]
    public: Annotated[
        bool, Field(description="Reachable from outside; requires TLS and authentication.")
    ] = True
    ingress_class_name: Annotated[str | None, Field(description="IngressClass (ingress).")] = None
    tls: Annotated[GatewayTls | None, Field(description="TLS for the Ingress.")] = None
    parent_ref: Annotated[ParentRef | None, Field(description="Parent Gateway (httpRoute).")] = None
    controller_namespace_labels: Annotated[
        dict[str, str],
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
        str, Field(description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`.")
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        str, Field(description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`.")
    ] = DEFAULT_MEMORY_REQUEST
    prometheus_metrics: Annotated[
        bool,
        Field(
            description="Serve Prometheus metrics on `/metrics` (LiteLLM's `prometheus` "
            "callback); default false."
        ),
    ] = False

    @model_validator(mode="after")
    def _consistent(self) -> GatewayArgs:
        problems: list[str] = []
        served = [backend.served_name for backend in self.backends]
        names = set(served)
        if len(names) != len(served):
            problems.append("`backends` share a served name")
        aliases: list[str] = []
        for backend in self.backends:
            aliases += backend.aliases
            unknown = [name for name in backend.fallbacks if name not in names]
            if unknown:
                problems.append(
                    f"`fallbacks` of `{backend.served_name}` name unknown model(s) "
                    f"{', '.join(unknown)}"
                )
            if backend.served_name in backend.fallbacks:
                problems.append(f"`{backend.served_name}` falls back to itself")
        clashes = sorted({a for a in aliases if a in names or aliases.count(a) > 1})
        if clashes:
            problems.append(f"`aliases` {', '.join(clashes)} clash with a model or another alias")
        if self.exposure is not None:
            problems += [
                f"`exposure.{field}`: {message}"
                for field, message in exposure_problems(self.exposure, self.authentication)
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self
