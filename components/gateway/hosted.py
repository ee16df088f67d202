"""Hosted models behind the gateway: OpenAI, Anthropic, Azure OpenAI, Bedrock, Vertex AI,
or any OpenAI-compatible API, each reached with a credential from a Secret (pure).

LiteLLM names each provider by a prefix of `litellm_params.model` and takes its settings
as `litellm_params` (docs.litellm.ai/docs/providers: `openai/`, `anthropic/`, `azure/`
with `api_base` and `api_version`, `bedrock/` with `aws_region_name`, `vertex_ai/` with
`vertex_project`, `vertex_location` and `vertex_credentials`). The credential never
enters the config: it is `os.environ/<VAR>` (or a mounted file for Vertex), and the
Deployment sets that variable from the Secret.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from components.gateway.limits import Limits, route_limit_params
from components.shared.args import ComponentArgs
from components.shared.secret_refs import SecretKeyRef

HostedProvider = Literal["openai", "anthropic", "azure", "bedrock", "vertex", "openaiCompatible"]
HOSTED_PROVIDERS: tuple[HostedProvider, ...] = (
    "openai",
    "anthropic",
    "azure",
    "bedrock",
    "vertex",
    "openaiCompatible",
)
LITELLM_PREFIX: dict[HostedProvider, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "azure": "azure",
    "bedrock": "bedrock",
    "vertex": "vertex_ai",
    # LiteLLM's `openai/` provider with `api_base` speaks to any OpenAI-compatible server.
    "openaiCompatible": "openai",
}
_A_MODEL: dict[HostedProvider, str] = {
    "openai": "an OpenAI model",
    "anthropic": "an Anthropic model",
    "azure": "an Azure OpenAI model",
    "bedrock": "a Bedrock model",
    "vertex": "a Vertex AI model",
    "openaiCompatible": "an OpenAI-compatible model",
}
NEEDS_API_BASE: frozenset[HostedProvider] = frozenset({"azure", "openaiCompatible"})
NEEDS_REGION: frozenset[HostedProvider] = frozenset({"bedrock", "vertex"})
# Bedrock and Vertex may use the pod's cloud identity instead of a Secret.
CREDENTIAL_OPTIONAL: frozenset[HostedProvider] = frozenset({"bedrock", "vertex"})
HOSTED_CREDENTIALS_DIR = "/etc/litellm/hosted"
VERTEX_CREDENTIALS_FILE = "credentials.json"
HTTPS_PORT = 443
_ENV_UNSAFE = re.compile(r"[^A-Z0-9]")


class HostedBackend(ComponentArgs):
    """A model served by a hosted provider, routed by `served_name`."""

    served_name: Annotated[str, Field(min_length=1, description="The `model` clients send.")]
    provider: Annotated[HostedProvider, Field(description="Who serves it.")]
    model: Annotated[
        str,
        Field(min_length=1, description="The provider's model id (Azure: the deployment name)."),
    ]
    credential_secret: Annotated[
        SecretKeyRef | None,
        Field(
            description="The API key (Vertex: the service-account JSON); none for Bedrock or "
            "Vertex uses the pod's cloud identity."
        ),
    ] = None
    api_base: Annotated[
        str | None,
        Field(description="Base URL; required for `azure` and `openaiCompatible`."),
    ] = None
    api_version: Annotated[str | None, Field(description="Azure OpenAI API version.")] = None
    region: Annotated[
        str | None, Field(description="Bedrock's AWS region, or Vertex's location.")
    ] = None
    project: Annotated[str | None, Field(description="Vertex's Google Cloud project.")] = None
    aliases: Annotated[
        tuple[str, ...], Field(description="Other names clients may request it by.")
    ] = ()
    fallbacks: Annotated[
        tuple[str, ...], Field(description="Served names to try, in order, when it fails.")
    ] = ()
    limits: Annotated[Limits, Field(description="Its own limits, enforced by the gateway.")] = (
        Limits()
    )

    @model_validator(mode="after")
    def _complete(self) -> HostedBackend:
        problems = hosted_problems(self)
        if problems:
            raise ValueError("; ".join(f"`{field}`: {message}" for field, message in problems))
        return self


def hosted_problems(backend: HostedBackend) -> list[tuple[str, str]]:
    """`(field, message)` for every setting the provider needs but lacks."""
    problems: list[tuple[str, str]] = []
    provider = backend.provider
    model = _A_MODEL[provider]
    if provider in NEEDS_API_BASE and backend.api_base is None:
        problems.append(("api_base", f"{model} needs its base URL"))
    if provider == "azure" and backend.api_version is None:
        problems.append(("api_version", f"{model} needs its API version"))
    if provider in NEEDS_REGION and backend.region is None:
        place = "AWS region" if provider == "bedrock" else "location"
        problems.append(("region", f"{model} needs its {place}"))
    if provider == "vertex" and backend.project is None:
        problems.append(("project", f"{model} needs its Google Cloud project"))
    if backend.credential_secret is None and provider not in CREDENTIAL_OPTIONAL:
        problems.append(("credential_secret", f"{model} needs the Secret with its API key"))
    return problems


def credential_env(backend: HostedBackend) -> str:
    """The variable holding the model's API key: `HOSTED_<SERVED NAME>_API_KEY`."""
    return f"HOSTED_{_ENV_UNSAFE.sub('_', backend.served_name.upper())}_API_KEY"


def credential_dir(backend: HostedBackend) -> str:
    """Where a Vertex model's service-account JSON is mounted."""
    return f"{HOSTED_CREDENTIALS_DIR}/{credential_env(backend).lower()}"


def uses_credential_file(backend: HostedBackend) -> bool:
    return backend.provider == "vertex" and backend.credential_secret is not None


def hosted_route(backend: HostedBackend, timeout_seconds: int, counters: int) -> dict[str, Any]:
    """The model's `model_list` entry; `counters` proxy processes share its limits."""
    params: dict[str, Any] = {
        "model": f"{LITELLM_PREFIX[backend.provider]}/{backend.model}",
        "timeout": timeout_seconds,
        **route_limit_params(backend.limits, counters),
    }
    if backend.api_base is not None:
        params["api_base"] = backend.api_base
    if backend.api_version is not None:
        params["api_version"] = backend.api_version
    if backend.provider == "bedrock":
        params["aws_region_name"] = backend.region
    if backend.provider == "vertex":
        params["vertex_project"] = backend.project
        params["vertex_location"] = backend.region
    if uses_credential_file(backend):
        params["vertex_credentials"] = f"{credential_dir(backend)}/{VERTEX_CREDENTIALS_FILE}"
    elif backend.credential_secret is not None:
        params["api_key"] = f"os.environ/{credential_env(backend)}"
    return {"model_name": backend.served_name, "litellm_params": params}
