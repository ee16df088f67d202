"""Checks of the gateway's hosted models, shared limits, keys and request logs.

Each yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

from components.gateway.hosted import HostedBackend, hosted_problems
from components.gateway.limits import Limits
from components.gateway.rules import fallback_cycle, processes_phrase, unshared_limits
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.gateway.model import GatewaySpec, HostedModel
from shipyard.sections.gateway.model import Limits as LimitsSpec
from shipyard.sections.object_store.checks import consumer_accounts
from shipyard.sections.object_store.model import S3ObjectStore

BASE: Path = ("spec", "gateway")
_HOSTED_KEYS = {
    "api_base": "apiBase",
    "api_version": "apiVersion",
    "credential_secret": "credentialSecret",
    "region": "region",
    "project": "project",
}


def _limits(limits: LimitsSpec | None) -> Limits:
    return Limits(rpm=limits.rpm, tpm=limits.tpm) if limits else Limits()


def _api_base_problem(url: str) -> str | None:
    """The gateway may reach public addresses on 443 only, so a hosted base URL must be
    https on port 443 (the default)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return f"`{url}` is not an https URL; hosted models are reached over TLS on port 443"
    try:
        port = parts.port
    except ValueError:
        return f"`{url}` has an invalid port"
    if port not in (None, 443):
        return (
            f"`{url}` uses port {port}; the gateway's NetworkPolicy admits egress to public "
            "addresses on port 443 only"
        )
    return None


def _check_hosted_model(path: Path, model: HostedModel) -> Iterator[Finding]:
    backend = HostedBackend.model_construct(
        served_name=model.name,
        provider=model.provider,
        model=model.model,
        credential_secret=(
            SecretKeyRef(name=model.credential_secret.name, key=model.credential_secret.key)
            if model.credential_secret
            else None
        ),
        api_base=model.api_base,
        api_version=model.api_version,
        region=model.region,
        project=model.project,
    )
    for field, message in hosted_problems(backend):
        yield ((*path, _HOSTED_KEYS[field]), message)
    if model.api_base is not None:
        problem = _api_base_problem(model.api_base)
        if problem:
            yield ((*path, "apiBase"), problem)


def check_hosted(platform: Platform, gateway: GatewaySpec) -> Iterator[Finding]:
    """Hosted names are new and unique; fallbacks, of hosted models and of routes, name
    declared or hosted models and never go round in a cycle."""
    declared = [model.name for model in platform.spec.models]
    served = {model.served_name for model in platform.spec.models}
    hosted = [model.name for model in gateway.hosted_models]
    known = [*declared, *hosted]
    counts = Counter(hosted)
    for index, model in enumerate(gateway.hosted_models):
        path: Path = (*BASE, "hostedModels", index)
        if model.name in declared or model.name in served:
            yield ((*path, "name"), f"`{model.name}` is already a declared model's name")
        elif counts[model.name] > 1:
            yield ((*path, "name"), f"`{model.name}` names more than one hosted model")
        yield from _check_hosted_model(path, model)
        for position, fallback in enumerate(model.fallbacks):
            if fallback not in known:
                yield (
                    (*path, "fallbacks", position),
                    f"no model named `{fallback}`{did_you_mean(fallback, known)}; "
                    f"declared and hosted models: {', '.join(known)}",
                )
            elif fallback == model.name:
                yield ((*path, "fallbacks", position), f"`{fallback}` cannot fall back to itself")
    chains = {route.model: list(route.fallbacks) for route in gateway.routes}
    chains.update({model.name: list(model.fallbacks) for model in gateway.hosted_models})
    cycle = fallback_cycle(
        {name: [t for t in targets if t != name and t in known] for name, targets in chains.items()}
    )
    if cycle is not None:
        start = cycle[0]
        route = next((i for i, r in enumerate(gateway.routes) if r.model == start), None)
        path = (
            (*BASE, "routes", route, "fallbacks")
            if route is not None
            else (*BASE, "hostedModels", hosted.index(start), "fallbacks")
        )
        yield (
            path,
            f"fallbacks go round in a cycle: {' -> '.join(cycle)}; a failing request would "
            "bounce between them; end the chain at a model without fallbacks",
        )


def check_shared_limits(platform: Platform, gateway: GatewaySpec) -> Iterator[Finding]:
    """With more than one replica or worker, every limit needs `spec.cache`: each process
    would otherwise count it alone and let replicas x workers times as much through."""
    if platform.spec.cache is not None:
        return
    routes = {route.model: _limits(route.limits) for route in gateway.routes}
    served = {model.name: model.served_name for model in platform.spec.models}
    counted = [(f"model `{served.get(name, name)}`", limits) for name, limits in routes.items()] + [
        (f"hosted model `{m.name}`", _limits(m.limits)) for m in gateway.hosted_models
    ]
    keys = (
        [("`keyLimits`", _limits(gateway.key_limits))]
        + [(f"the key of `{key.name}`", _limits(key.limits)) for key in gateway.keys]
        + [
            (f"the key of app `{app.name}`", _limits(use.limits))
            for app, use in uses_of(platform, "gateway")
        ]
    )
    texts = unshared_limits((), [*counted, *keys], gateway.replicas, gateway.workers)
    if not texts:
        return
    processes = processes_phrase(gateway.replicas, gateway.workers)
    field = "workers" if gateway.workers > 1 and gateway.replicas == 1 else "replicas"
    yield (
        (*BASE, field),
        f"with {processes} and no `spec.cache`, every process counts limits on its own: "
        f"{'; '.join(texts)}; declare `spec.cache` so they share one count "
        "(or run one replica with one worker)",
    )


def check_keys(platform: Platform, gateway: GatewaySpec) -> Iterator[Finding]:
    """Key limits and app keys need a key store; app keys name known models once."""
    if gateway.virtual_keys is None:
        if gateway.key_limits is not None:
            yield (
                (*BASE, "keyLimits"),
                "`keyLimits` limit virtual keys, and without a key store no virtual key can "
                "exist; add `virtualKeys: {}` (keys in `spec.postgres`) or remove `keyLimits`",
            )
        if gateway.keys:
            yield (
                (*BASE, "keys"),
                "app keys are virtual keys and need a key store; add `virtualKeys: {}` "
                "(keys in `spec.postgres`)",
            )
    if gateway.keys and not gateway.authentication:
        yield ((*BASE, "keys"), "app keys need `authentication: true`")
    known = [model.name for model in platform.spec.models] + [
        model.name for model in gateway.hosted_models
    ]
    counts = Counter(key.name for key in gateway.keys)
    apps = {app.name for app in platform.spec.apps}
    for index, key in enumerate(gateway.keys):
        path: Path = (*BASE, "keys", index)
        if counts[key.name] > 1:
            yield ((*path, "name"), f"`{key.name}` has more than one key; merge them")
        if key.name in apps:
            yield (
                (*path, "name"),
                f"`{key.name}` is an app of `spec.apps`: bind it with `uses: [{{kind: gateway}}]` "
                "(its limits and models there) and remove this key, so it is declared once",
            )
        for position, model in enumerate(key.models):
            if model not in known:
                yield (
                    (*path, "models", position),
                    f"no model named `{model}`{did_you_mean(model, known)}",
                )


def check_response_cache(platform: Platform, gateway: GatewaySpec) -> Iterator[Finding]:
    if gateway.response_cache is not None and platform.spec.cache is None:
        yield (
            (*BASE, "responseCache"),
            "response caching keeps answers in `spec.cache`; declare it",
        )


def check_request_logs(platform: Platform, gateway: GatewaySpec) -> Iterator[Finding]:
    """Request logs go to the S3 bucket of `spec.objectStore`, written with the gateway's
    service account, which the bucket's role must trust."""
    logs = gateway.request_logs
    if logs is None:
        return
    path: Path = (*BASE, "requestLogs", "bucket")
    store = platform.spec.object_store
    if not isinstance(store, S3ObjectStore):
        yield (
            path,
            "request logs need an S3 bucket: declare `spec.objectStore` with `provider: s3` "
            "(MinIO is not supported for request logs yet)",
        )
        return
    if logs.bucket != store.bucket:
        yield (path, f"`{logs.bucket}` is not `spec.objectStore.bucket` (`{store.bucket}`)")
        return
    account = (platform.namespace, gateway.name)
    if account not in consumer_accounts(platform, store):
        yield (
            path,
            f"the gateway writes as its service account `{gateway.name}`; add "
            f"`{{name: {gateway.name}}}` to `spec.objectStore.consumers`",
        )


def check_gateway_scale(platform: Platform, gateway: GatewaySpec) -> Iterator[Finding]:
    yield from check_hosted(platform, gateway)
    yield from check_shared_limits(platform, gateway)
    yield from check_keys(platform, gateway)
    yield from check_response_cache(platform, gateway)
    yield from check_request_logs(platform, gateway)
