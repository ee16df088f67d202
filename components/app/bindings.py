"""How an app receives its bindings (pure): environment variables, and files under
`SERVICE_BINDING_ROOT` in servicebinding.io's layout.

Every value of a binding is both an env var `<PREFIX>_<KEY>` and a file
`/bindings/<binding>/<key>`, with `type` and `provider` files beside them. Literals are
env values and come from one ConfigMap per app (`<app>-bindings`) as files; credentials
come straight from their Secrets (env `secretKeyRef`, projected volume items): no
credential is copied anywhere.
"""

from __future__ import annotations

from typing import Any

from components.app.args import BINDINGS_ROOT, AppBinding, AppServiceArgs, BindingValue

Manifest = dict[str, Any]

BINDINGS_VOLUME = "bindings"
ROOT_ENV = "SERVICE_BINDING_ROOT"


def bindings_config_map_name(name: str) -> str:
    return f"{name}-bindings"


def _config_key(binding: AppBinding, key: str) -> str:
    """The ConfigMap key of a literal: `<binding>.<key>` (ConfigMap keys hold no `/`)."""
    return f"{binding.name}.{key}"


def file_path(binding: AppBinding, key: str) -> str:
    return f"{BINDINGS_ROOT}/{binding.name}/{key}"


def bindings_data(args: AppServiceArgs) -> dict[str, str]:
    """The ConfigMap's data: every literal, and each binding's `type` and `provider`."""
    data: dict[str, str] = {}
    for binding in args.bindings:
        data[_config_key(binding, "type")] = binding.type
        data[_config_key(binding, "provider")] = binding.provider
        for value in binding.values:
            if value.value is not None:
                data[_config_key(binding, value.key)] = value.value
    return dict(sorted(data.items()))


def _value_env(name: str, env: str, binding: AppBinding, value: BindingValue) -> Manifest:
    if value.file_only:
        return {"name": env, "value": file_path(binding, value.key)}
    if value.secret is not None:
        ref = {"name": value.secret.name, "key": value.secret.key}
        return {"name": env, "valueFrom": {"secretKeyRef": ref}}
    return {"name": env, "value": value.value}


def binding_env(name: str, args: AppServiceArgs) -> list[Manifest]:
    """`SERVICE_BINDING_ROOT`, then each binding's env vars and aliases."""
    if not args.bindings:
        return []
    env: list[Manifest] = [{"name": ROOT_ENV, "value": BINDINGS_ROOT}]
    for binding in args.bindings:
        by_key = {value.key: value for value in binding.values}
        for value in binding.values:
            variable = f"{binding.env_prefix}_{value.env_suffix}"
            env.append(_value_env(name, variable, binding, value))
        for alias, key in sorted(binding.aliases.items()):
            env.append(_value_env(name, alias, binding, by_key[key]))
    return env


def bindings_volume(name: str, args: AppServiceArgs) -> Manifest | None:
    """One projected volume: the ConfigMap's literals and each Secret's keys, each at
    `<binding>/<key>`."""
    if not args.bindings:
        return None
    literals: list[Manifest] = []
    secrets: dict[str, list[Manifest]] = {}
    for binding in args.bindings:
        for key in ("type", "provider"):
            literals.append({"key": _config_key(binding, key), "path": f"{binding.name}/{key}"})
        for value in binding.values:
            path = f"{binding.name}/{value.key}"
            if value.secret is not None:
                secrets.setdefault(value.secret.name, []).append(
                    {"key": value.secret.key, "path": path}
                )
            else:
                literals.append({"key": _config_key(binding, value.key), "path": path})
    sources: list[Manifest] = [
        {"configMap": {"name": bindings_config_map_name(name), "items": literals}}
    ]
    sources += [
        {"secret": {"name": secret, "items": items}} for secret, items in sorted(secrets.items())
    ]
    return {"name": BINDINGS_VOLUME, "projected": {"defaultMode": 0o440, "sources": sources}}


def referenced_secret_keys(args: AppServiceArgs) -> set[tuple[str, str]]:
    """`(Secret, key)` of every Secret key the pods read: what must exist before they run."""
    found = {(var.secret.name, var.secret.key) for var in args.env if var.secret is not None}
    for binding in args.bindings:
        found |= {
            (value.secret.name, value.secret.key)
            for value in binding.values
            if value.secret is not None
        }
    return found
