"""`spec.gateway`: the OpenAI-compatible AI gateway (LiteLLM proxy) in front of the models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.gateway import args as component
from components.gateway.args import (
    DEFAULT_INGRESS_NAMESPACE_LABELS,
    DEFAULT_ISSUER_KIND,
    DEFAULT_REPLICAS,
    DEFAULT_REQUEST_LOGS_PATH,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_WORKERS,
    LITELLM_IMAGE,
    IssuerKind,
)
from components.gateway.coordination import DEFAULT_RESPONSE_TTL_SECONDS
from components.gateway.hosted import HostedProvider
from components.shared.k8s_values import DnsSubdomain, HostName, Labels, NamespaceName
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import Resources, SecretRef, UseBase

Alias = Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
"""A name clients may send: not empty, no whitespace (it is matched exactly)."""


class Limits(BlueprintModel):
    rpm: Annotated[int | None, Field(gt=0, description="Requests per minute.")] = None
    tpm: Annotated[int | None, Field(gt=0, description="Tokens per minute.")] = None


class Route(BlueprintModel):
    """Settings of one model's route; every model is routed, by its served name, anyway."""

    model: Annotated[str, Field(min_length=1, description="A declared model's `name`.")]
    aliases: Annotated[
        list[Alias], Field(description="Other names clients may request the model by.")
    ] = []
    fallbacks: Annotated[
        list[str], Field(description="Declared models (by `name`) to try, in order, on failure.")
    ] = []
    limits: Annotated[Limits | None, Field(description="Per-model rpm/tpm, enforced.")] = None


class CertManagerIssuer(BlueprintModel):
    name: Annotated[DnsSubdomain, Field(min_length=1, description="Issuer name.")]
    kind: Annotated[
        IssuerKind, Field(description=f"Issuer kind; default `{DEFAULT_ISSUER_KIND}`.")
    ] = DEFAULT_ISSUER_KIND


class Tls(BlueprintModel):
    cert_manager_issuer: Annotated[
        CertManagerIssuer | None, Field(description="cert-manager issues the certificate.")
    ] = None
    secret_name: Annotated[
        Dns1123Label | None, Field(description="An existing `kubernetes.io/tls` Secret.")
    ] = None

    @model_validator(mode="after")
    def _one_source(self) -> Tls:
        if (self.cert_manager_issuer is None) == (self.secret_name is None):
            raise ValueError("set exactly one of `certManagerIssuer` or `secretName`")
        return self


class ParentRef(BlueprintModel):
    name: Annotated[DnsSubdomain, Field(min_length=1, description="Gateway API Gateway name.")]
    namespace: Annotated[NamespaceName | None, Field(description="Its namespace.")] = None
    section_name: Annotated[
        DnsSubdomain | None, Field(description="The HTTPS listener that terminates TLS.")
    ] = None


class Exposure(BlueprintModel):
    type: Annotated[
        Literal["ingress", "httpRoute"], Field(description="An Ingress or a Gateway API HTTPRoute.")
    ]
    host: Annotated[HostName, Field(min_length=1, description="Public host name.")]
    public: Annotated[
        bool, Field(description="Reachable from outside; needs TLS and authentication.")
    ] = True
    ingress_class_name: Annotated[
        DnsSubdomain | None, Field(description="IngressClass (ingress).")
    ] = None
    tls: Annotated[Tls | None, Field(description="TLS of the Ingress.")] = None
    parent_ref: Annotated[ParentRef | None, Field(description="Parent Gateway (httpRoute).")] = None
    controller_namespace_labels: Annotated[
        Labels,
        Field(
            description="Namespace of the ingress controller or Gateway data plane; default "
            f"`{DEFAULT_INGRESS_NAMESPACE_LABELS}`."
        ),
    ] = DEFAULT_INGRESS_NAMESPACE_LABELS
    expose_admin: Annotated[
        bool, Field(description="Also route the admin UI and API; default `false`.")
    ] = False


class DataService(BlueprintModel):
    pod_labels: Annotated[Labels, Field(min_length=1, description="Its pods' labels.")]
    namespace_labels: Annotated[
        Labels | None, Field(description="Its namespace's labels; default this one.")
    ] = None
    port: Annotated[int, Field(ge=1, le=65535, description="Its port.")]


class VirtualKeys(BlueprintModel):
    """Where LiteLLM keeps virtual keys and spend: `spec.postgres` when both fields are left
    out (`virtualKeys: {}`), or an existing Postgres named by both."""

    database_url_secret: Annotated[
        SecretRef | None,
        Field(
            description="Secret with an existing Postgres's `DATABASE_URL`; none: `spec.postgres`."
        ),
    ] = None
    database: Annotated[
        DataService | None,
        Field(description="The existing Postgres's pods the URL points at; none: `spec.postgres`."),
    ] = None


class HostedModel(BlueprintModel):
    """A model a hosted provider serves, routed by `name` like a declared model."""

    name: Annotated[
        str, Field(min_length=1, description="The name clients send; unique among models.")
    ]
    provider: Annotated[
        HostedProvider,
        Field(
            description="`openai`, `anthropic`, `azure`, `bedrock`, `vertex`, or "
            "`openaiCompatible` (any OpenAI-compatible API at `apiBase`)."
        ),
    ]
    model: Annotated[
        str, Field(min_length=1, description="The provider's model id (Azure: the deployment).")
    ]
    credential_secret: Annotated[
        SecretRef | None,
        Field(
            description="Secret with the API key (Vertex: the service-account JSON); optional "
            "for `bedrock` and `vertex`, which may use the gateway's cloud identity."
        ),
    ] = None
    api_base: Annotated[
        str | None,
        Field(description="https base URL on port 443; required for `azure`, `openaiCompatible`."),
    ] = None
    api_version: Annotated[str | None, Field(description="Azure OpenAI API version.")] = None
    region: Annotated[
        str | None, Field(description="Bedrock's AWS region, or Vertex's location.")
    ] = None
    project: Annotated[str | None, Field(description="Vertex's Google Cloud project.")] = None
    aliases: Annotated[
        list[Alias], Field(description="Other names clients may request it by.")
    ] = []
    fallbacks: Annotated[
        list[str],
        Field(description="Declared or hosted models (by `name`) to try, in order, on failure."),
    ] = []
    limits: Annotated[Limits | None, Field(description="Its own rpm/tpm, enforced.")] = None


class ResponseCacheSpec(BlueprintModel):
    """Answers kept in `spec.cache` and served again for the same request."""

    ttl_seconds: Annotated[
        int,
        Field(
            gt=0,
            description=f"How long an answer is kept; default `{DEFAULT_RESPONSE_TTL_SECONDS}`.",
        ),
    ] = DEFAULT_RESPONSE_TTL_SECONDS
    opt_in: Annotated[
        bool, Field(description="Cache only requests that ask for it; default `false`.")
    ] = False


class AppKeySpec(BlueprintModel):
    """A virtual key for a workload outside the blueprint, generated into the Secret
    `<gateway>-<name>-key`; an app of `spec.apps` gets its key by binding to the gateway."""

    name: Annotated[
        Dns1123Label, Field(description="The workload's name; not an app of `spec.apps`.")
    ]
    limits: Annotated[Limits | None, Field(description="Its rpm/tpm; none: `keyLimits`.")] = None
    models: Annotated[
        list[str], Field(description="Models (by `name`) it may call; none: every model.")
    ] = []


class RequestLogsSpec(BlueprintModel):
    """Every request and answer as JSON in the object store's bucket."""

    bucket: Annotated[
        str, Field(description="The S3 bucket of `spec.objectStore`; it must be declared there.")
    ]
    path: Annotated[
        str, Field(description=f"Key prefix; default `{DEFAULT_REQUEST_LOGS_PATH}`.")
    ] = DEFAULT_REQUEST_LOGS_PATH


DEFAULT_GATEWAY_NAME = "ai-gateway"


class GatewaySpec(BlueprintModel):
    name: Annotated[
        ServiceName,
        Field(description=f"Names its Deployment and Service; default `{DEFAULT_GATEWAY_NAME}`."),
    ] = DEFAULT_GATEWAY_NAME
    image: Annotated[
        PinnedImage | None, Field(description=f"LiteLLM image; default `{LITELLM_IMAGE}`.")
    ] = None
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
    routes: Annotated[list[Route], Field(description="Aliases, fallbacks and limits.")] = []
    key_limits: Annotated[
        Limits | None, Field(description="Default and most rpm/tpm of every virtual key.")
    ] = None
    authentication: Annotated[
        bool, Field(description="Require a key; the master key is generated, never a default.")
    ] = True
    virtual_keys: Annotated[
        VirtualKeys | None, Field(description="Postgres for virtual keys; none: master key only.")
    ] = None
    exposure: Annotated[
        Exposure | None, Field(description="External access; none keeps it in-cluster.")
    ] = None
    resources: Annotated[Resources | None, Field(description="CPU and memory requests.")] = None
    workers: Annotated[
        int,
        Field(ge=1, description=f"Worker processes per replica; default `{DEFAULT_WORKERS}`."),
    ] = DEFAULT_WORKERS
    hosted_models: Annotated[
        list[HostedModel],
        Field(
            description="Models of hosted providers; the gateway may then reach public "
            "addresses on port 443."
        ),
    ] = []
    response_cache: Annotated[
        ResponseCacheSpec | None,
        Field(description="Cache answers in `spec.cache`; none: never."),
    ] = None
    keys: Annotated[
        list[AppKeySpec],
        Field(
            description="Virtual keys for workloads outside the blueprint, each in its own "
            "Secret; needs `virtualKeys`. Apps bind with `uses: [{kind: gateway}]`."
        ),
    ] = []
    request_logs: Annotated[
        RequestLogsSpec | None,
        Field(description="Raw request logs to a bucket of `spec.objectStore`; none: not kept."),
    ] = None


def exposure_args(exposure: Exposure) -> component.Exposure:
    """The component's exposure for the blueprint's (pure; structurally valid input)."""
    tls = exposure.tls
    parent = exposure.parent_ref
    return component.Exposure(
        kind=exposure.type,
        host=exposure.host,
        public=exposure.public,
        ingress_class_name=exposure.ingress_class_name,
        tls=(
            component.GatewayTls(
                cert_manager_issuer=(
                    component.CertManagerIssuer(
                        name=tls.cert_manager_issuer.name, kind=tls.cert_manager_issuer.kind
                    )
                    if tls.cert_manager_issuer
                    else None
                ),
                secret_name=tls.secret_name,
            )
            if tls
            else None
        ),
        parent_ref=(
            component.ParentRef(
                name=parent.name, namespace=parent.namespace, section_name=parent.section_name
            )
            if parent
            else None
        ),
        controller_namespace_labels=dict(exposure.controller_namespace_labels),
        expose_admin=exposure.expose_admin,
    )


class GatewayUse(UseBase):
    """An app's binding to `spec.gateway`: its URL and a key of the app's own (a LiteLLM
    virtual key with these limits), never the master key."""

    kind: Annotated[Literal["gateway"], Field(description="`gateway`.")]
    limits: Annotated[
        Limits | None, Field(description="The app key's rpm/tpm; none: `keyLimits`.")
    ] = None
    models: Annotated[
        list[str], Field(description="Models (by `name`) the key may call; none: every model.")
    ] = []
