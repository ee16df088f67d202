"""Apps bound to `spec.gateway` (`uses: [{kind: gateway}]`): the gateway's in-cluster URL
and a key of the app's own, never the master key (pure).

The key is a LiteLLM virtual key with the binding's limits, minted through the proxy's
key API into the Secret `app_key_secret_name(gateway, app)` (key `api-key`) by the
gateway's key mechanism; `app_keys` lists what to mint. Without authentication the
binding carries the URL alone."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue
from components.gateway.args import GATEWAY_PORT
from components.gateway.manifests import (
    APP_KEY_SECRET_KEY,
    app_key_secret_name,
    selector_labels,
    service_url,
)
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import binding_name, env_prefix, peer, uses_of
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.gateway.model import GatewayUse, Limits

DEFAULT_BINDING = "gateway"


def app_keys(platform: Platform) -> dict[str, Limits | None]:
    """App -> the limits of its gateway key (None: the gateway's `keyLimits`)."""
    gateway = platform.spec.gateway
    if gateway is None or not gateway.authentication:
        return {}
    return {app.name: use.limits for app, use in uses_of(platform, "gateway")}


def check_gateway_use(
    platform: Platform, app: AppSpec, use: GatewayUse, path: Path
) -> Iterator[Finding]:
    gateway = platform.spec.gateway
    if gateway is None:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to `gateway` but the blueprint has no `spec.gateway`; "
            "declare it or remove the binding",
        )
        return
    if gateway.authentication and gateway.virtual_keys is None:
        yield (
            (*path, "kind"),
            "an app's gateway key is a LiteLLM virtual key, which needs "
            "`spec.gateway.virtualKeys`; add `virtualKeys: {}` (keys in `spec.postgres`)",
        )
    if use.limits is not None and not gateway.authentication:
        yield ((*path, "limits"), "key limits need `spec.gateway.authentication: true`")


def bind_gateway(platform: Platform, app: AppSpec, use: GatewayUse) -> AppBinding:
    gateway = platform.spec.gateway
    assert gateway is not None  # check_gateway_use refuses a binding without it
    name = binding_name(use, DEFAULT_BINDING)
    values = [BindingValue(key="url", value=service_url(gateway.name, platform.namespace))]
    aliases = {"OPENAI_BASE_URL": "url"}
    if gateway.authentication:
        key = SecretKeyRef(name=app_key_secret_name(gateway.name, app.name), key=APP_KEY_SECRET_KEY)
        values.append(BindingValue(key="api-key", secret=key))
        aliases["OPENAI_API_KEY"] = "api-key"
    return AppBinding(
        name=name,
        type="openai",
        provider="litellm",
        env_prefix=env_prefix(name),
        values=tuple(values),
        aliases=aliases,
        egress=(peer(selector_labels(gateway.name), GATEWAY_PORT),),
    )


def gateway_grants(use: dict[str, object]) -> frozenset[str]:
    limits = use.get("limits")
    detail = ""
    if isinstance(limits, dict):
        parts = [f"{k} {v}" for k, v in sorted(limits.items()) if v is not None]
        detail = f" ({', '.join(parts)})" if parts else ""
    return frozenset({f"a gateway key{detail}"})
