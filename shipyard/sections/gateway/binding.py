"""Apps bound to `spec.gateway` (`uses: [{kind: gateway}]`): the gateway's in-cluster URL
and a key of the app's own, never the master key (pure).

The key is a LiteLLM virtual key with the binding's limits and models. The gateway
component generates it into the Secret `app_key_secret_name(gateway, app)`
(`<gateway>-<app>-key`, keys `api-key` and `base-url`), and its key Job registers exactly
the keys `app_keys` lists (the bound apps' and `spec.gateway.keys`) and revokes the rest.
Without authentication the binding carries the URL alone."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue
from components.gateway.args import GATEWAY_PORT
from components.gateway.keys import (
    APP_BASE_URL_SECRET_KEY,
    APP_KEY_SECRET_KEY,
    AppKey,
    app_key_secret_name,
)
from components.gateway.limits import Limits as KeyLimits
from components.gateway.manifests import selector_labels, service_url
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import binding_name, env_prefix, peer, uses_of
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.gateway.model import GatewayUse, Limits

DEFAULT_BINDING = "gateway"


def _limits(limits: Limits | None) -> KeyLimits:
    return KeyLimits(rpm=limits.rpm, tpm=limits.tpm) if limits else KeyLimits()


def app_keys(platform: Platform, served: dict[str, str]) -> tuple[AppKey, ...]:
    """Every key the gateway mints: one per app bound to it (an app binding twice gets
    one key, from its first binding), then `spec.gateway.keys` for workloads outside the
    blueprint. `served` maps blueprint model names to served names."""
    gateway = platform.spec.gateway
    if gateway is None or not gateway.authentication:
        return ()
    keys: dict[str, AppKey] = {}
    for app, use in uses_of(platform, "gateway"):
        keys.setdefault(
            app.name,
            AppKey(
                app=app.name,
                limits=_limits(use.limits),
                models=tuple(served.get(name, name) for name in use.models),
            ),
        )
    for key in gateway.keys:
        keys.setdefault(
            key.name,
            AppKey(
                app=key.name,
                limits=_limits(key.limits),
                models=tuple(served.get(name, name) for name in key.models),
            ),
        )
    return tuple(keys.values())


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
    if not gateway.authentication:
        for field in ("limits", "models"):
            if getattr(use, field):
                yield (
                    (*path, field),
                    f"`{field}` belong to a gateway key, and keys need "
                    "`spec.gateway.authentication: true`",
                )
    known = [model.name for model in platform.spec.models] + [
        model.name for model in gateway.hosted_models
    ]
    for position, model in enumerate(use.models):
        if model not in known:
            yield (
                (*path, "models", position),
                f"no model named `{model}`{did_you_mean(model, known)}; declared: "
                f"{', '.join(known) or 'none'}",
            )
    bindings = [u for a, u in uses_of(platform, "gateway") if a.name == app.name]
    if len(bindings) > 1 and use is not bindings[0]:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to the gateway twice; it has one key, so bind once",
        )


def bind_gateway(platform: Platform, app: AppSpec, use: GatewayUse) -> AppBinding:
    gateway = platform.spec.gateway
    assert gateway is not None  # check_gateway_use refuses a binding without it
    name = binding_name(use, DEFAULT_BINDING)
    if gateway.authentication:
        secret = app_key_secret_name(gateway.name, app.name)
        values = [
            BindingValue(key="url", secret=SecretKeyRef(name=secret, key=APP_BASE_URL_SECRET_KEY)),
            BindingValue(key="api-key", secret=SecretKeyRef(name=secret, key=APP_KEY_SECRET_KEY)),
        ]
        aliases = {"OPENAI_BASE_URL": "url", "OPENAI_API_KEY": "api-key"}
    else:
        values = [BindingValue(key="url", value=service_url(gateway.name, platform.namespace))]
        aliases = {"OPENAI_BASE_URL": "url"}
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
    parts = []
    if isinstance(limits, dict):
        parts = [f"{k} {v}" for k, v in sorted(limits.items()) if v is not None]
    models = use.get("models")
    if isinstance(models, list) and models:
        parts.append(f"models {', '.join(str(m) for m in models)}")
    detail = f" ({', '.join(parts)})" if parts else ""
    return frozenset({f"a gateway key{detail}"})
