"""The gateway's shared store: every replica and worker counts limits, cooldowns and key
spend in one Redis-protocol cache instead of its own memory, and may cache responses
there (pure).

LiteLLM 1.83 reads the store in two places (litellm/router.py, proxy/proxy_server.py):
- `router_settings.redis_*` (+ `cache_kwargs` for TLS): the router's deployment rpm/tpm
  counters (`enforce_model_rate_limits`), cooldowns and usage-based routing;
- `litellm_settings.cache` with `cache_params.type: redis`: the proxy's usage cache, which
  key, user and team limits and budgets count in, and the response cache. With
  `supported_call_types: []` no response is ever stored
  (caching_handler.py `_should_store_result_in_cache`).
Docs: docs.litellm.ai/docs/proxy/redis_requirements ("What Needs Redis"),
docs.litellm.ai/docs/proxy/caching_settings.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from components.gateway.egress import EgressPeer
from components.shared.args import ComponentArgs
from components.shared.secret_refs import SecretKeyRef

CACHE_HOST_ENV = "CACHE_HOST"
CACHE_PASSWORD_ENV = "CACHE_PASSWORD"
CACHE_CA_DIR = "/etc/litellm/cache-ca"
CACHE_CA_FILE = "ca.crt"
DEFAULT_RESPONSE_TTL_SECONDS = 600
# Response caching only when a request opts in (`cache: {"use-cache": true}`).
OPT_IN_MODE = "default_off"


class CacheConnection(ComponentArgs):
    """A Redis-protocol store (Valkey, Redis, ElastiCache) the replicas share."""

    host: Annotated[
        str | None, Field(min_length=1, description="Host name of its primary endpoint.")
    ] = None
    host_secret: Annotated[
        SecretKeyRef | None,
        Field(description="Or a Secret key holding it (known only once the store exists)."),
    ] = None
    port: Annotated[int, Field(ge=1, le=65535, description="Its port.")]
    password_secret: Annotated[
        SecretKeyRef, Field(description="Secret key holding the password or auth token.")
    ]
    tls: Annotated[bool, Field(description="Connect over TLS; default true.")] = True
    ca_secret: Annotated[
        SecretKeyRef | None,
        Field(
            description="Secret key with the CA that signed its certificate; none: the "
            "image's trust store (ElastiCache)."
        ),
    ] = None
    peer: Annotated[
        EgressPeer | None,
        Field(description="Its pods, for the NetworkPolicy's egress; none: `cidrs`."),
    ] = None
    cidrs: Annotated[
        tuple[str, ...],
        Field(description="Its addresses outside the cluster (ElastiCache in the VPC)."),
    ] = ()

    @model_validator(mode="after")
    def _one_host(self) -> CacheConnection:
        if (self.host is None) == (self.host_secret is None):
            raise ValueError("set exactly one of `host` or `host_secret`")
        return self


class ResponseCache(ComponentArgs):
    """Answers kept in the shared store and served again for the same request."""

    ttl_seconds: Annotated[
        int,
        Field(
            gt=0,
            description=f"How long an answer is kept; default `{DEFAULT_RESPONSE_TTL_SECONDS}`.",
        ),
    ] = DEFAULT_RESPONSE_TTL_SECONDS
    opt_in: Annotated[
        bool,
        Field(description="Cache only requests that ask for it; default false (every one)."),
    ] = False


def _connection(cache: CacheConnection) -> dict[str, Any]:
    tls: dict[str, Any] = {}
    if cache.tls:
        tls["ssl"] = True
        if cache.ca_secret is not None:
            tls["ssl_ca_certs"] = f"{CACHE_CA_DIR}/{CACHE_CA_FILE}"
    return tls


def render_router_cache(cache: CacheConnection) -> dict[str, Any]:
    """The `router_settings` keys that share the router's counters."""
    settings: dict[str, Any] = {
        "redis_host": f"os.environ/{CACHE_HOST_ENV}",
        "redis_port": cache.port,
        "redis_password": f"os.environ/{CACHE_PASSWORD_ENV}",
    }
    tls = _connection(cache)
    if tls:
        settings["cache_kwargs"] = tls
    return settings


def render_usage_cache(
    cache: CacheConnection, responses: ResponseCache | None, namespace: str
) -> dict[str, Any]:
    """The `litellm_settings` keys for the proxy's usage cache (key and team limits and
    budgets) and, with `responses`, the response cache."""
    params: dict[str, Any] = {
        "type": "redis",
        "host": f"os.environ/{CACHE_HOST_ENV}",
        "port": cache.port,
        "password": f"os.environ/{CACHE_PASSWORD_ENV}",
        "namespace": namespace,
        **_connection(cache),
    }
    if responses is None:
        # No call type is stored, so not even a request that asks gets a cached answer.
        params["mode"] = OPT_IN_MODE
        params["supported_call_types"] = []
    else:
        params["ttl"] = responses.ttl_seconds
        if responses.opt_in:
            params["mode"] = OPT_IN_MODE
    return {"cache": True, "cache_params": params}
