"""The LiteLLM proxy's `config.yaml`, as a pure function of `GatewayArgs`.

Secrets never appear in the config: LiteLLM reads `os.environ/NAME` values
from the environment, which the Deployment fills from Kubernetes Secrets.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from components.gateway.args import GatewayArgs, GatewayBackend, Limits

MASTER_KEY_ENV = "LITELLM_MASTER_KEY"
DATABASE_URL_ENV = "DATABASE_URL"
# LiteLLM's `generic_api` callback (litellm/integrations/generic_api/generic_api_callback.py):
# batches of StandardLoggingPayload POSTed to GENERIC_LOGGER_ENDPOINT with the headers of
# GENERIC_LOGGER_HEADERS. One logger instance serves both lists.
LOGGING_CALLBACK = "generic_api"
LOGGER_ENDPOINT_ENV = "GENERIC_LOGGER_ENDPOINT"
LOGGER_HEADERS_ENV = "GENERIC_LOGGER_HEADERS"
# vLLM's OpenAI-compatible server, as LiteLLM names the provider.
PROVIDER = "hosted_vllm"
# vLLM runs without an API key inside the cluster; the OpenAI client still
# sends one, and vLLM ignores it.
BACKEND_API_KEY = "unused"
RATE_LIMIT_CHECK = "enforce_model_rate_limits"
# LiteLLM's Prometheus logger (litellm/integrations/prometheus.py): requests, failures,
# spend, tokens, latency and fallbacks on the proxy's `/metrics`. The proxy image ships
# `prometheus_client`; the `litellm[proxy]` wheel does not.
PROMETHEUS_CALLBACK = "prometheus"


def _limits(limits: Limits) -> dict[str, int]:
    return {name: value for name, value in (("rpm", limits.rpm), ("tpm", limits.tpm)) if value}


def _route(backend: GatewayBackend, args: GatewayArgs) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": f"{PROVIDER}/{backend.served_name}",
        "api_base": backend.api_base,
        "api_key": BACKEND_API_KEY,
        "timeout": args.timeout_seconds,
        **_limits(backend.limits),
    }
    return {"model_name": backend.served_name, "litellm_params": params}


def _key_limits(limits: Limits) -> dict[str, int]:
    return {f"{name}_limit": value for name, value in _limits(limits).items()}


def render_gateway_config(args: GatewayArgs) -> dict[str, Any]:
    """The LiteLLM proxy config: one route per model, by served name."""
    router: dict[str, Any] = {
        "num_retries": args.retries,
        "timeout": args.timeout_seconds,
    }
    aliases = {alias: backend.served_name for backend in args.backends for alias in backend.aliases}
    if aliases:
        router["model_group_alias"] = aliases
    fallbacks = [
        {backend.served_name: list(backend.fallbacks)}
        for backend in args.backends
        if backend.fallbacks
    ]
    if fallbacks:
        router["fallbacks"] = fallbacks
    if any(_limits(backend.limits) for backend in args.backends):
        # Without this check LiteLLM uses rpm/tpm only to pick among deployments;
        # with it, a request over the limit is refused with 429.
        router["optional_pre_call_checks"] = [RATE_LIMIT_CHECK]

    general: dict[str, Any] = {}
    if args.authentication:
        general["master_key"] = f"os.environ/{MASTER_KEY_ENV}"
    if args.virtual_keys is not None:
        general["database_url"] = f"os.environ/{DATABASE_URL_ENV}"

    settings: dict[str, Any] = {"drop_params": True, "request_timeout": args.timeout_seconds}
    key_limits = _key_limits(args.key_limits)
    if key_limits:
        settings["default_key_generate_params"] = key_limits
        settings["upperbound_key_generate_params"] = key_limits
    if args.usage_logging is not None:
        # Failed calls are logged too, with `status: failure` and `error_str`.
        settings["success_callback"] = [LOGGING_CALLBACK]
        settings["failure_callback"] = [LOGGING_CALLBACK]
    if args.prometheus_metrics:
        settings["callbacks"] = [PROMETHEUS_CALLBACK]

    config: dict[str, Any] = {
        "model_list": [_route(backend, args) for backend in args.backends],
        "router_settings": router,
        "litellm_settings": settings,
    }
    if general:
        config["general_settings"] = general
    return config


def render_config_text(args: GatewayArgs) -> str:
    """The config as YAML text (JSON is YAML), keys sorted so previews show no spurious diffs."""
    return json.dumps(render_gateway_config(args), indent=2, sort_keys=True) + "\n"


def config_checksum(text: str) -> str:
    """Annotated on the pod template, so a config change rolls the pods."""
    return hashlib.sha256(text.encode()).hexdigest()
