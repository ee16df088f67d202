"""Semantic checks of `spec.gateway`: routes, fallbacks and aliases name declared models,
virtual keys have a database, exposure is safe.

Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from components.gateway.args import exposure_problems
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.gateway.model import exposure_args
from shipyard.sections.gateway.scale_checks import check_gateway_scale

# Component field -> blueprint key, for findings shared with the components.
_EXPOSURE_KEYS = {"parent_ref": "parentRef", "tls": "tls", "public": "public"}


def _unknown_model(name: str, declared: list[str]) -> str:
    return (
        f"no model named `{name}`{did_you_mean(name, declared)}; "
        f"declared models: {', '.join(declared) or 'none'}"
    )


def check_gateway(platform: Platform) -> Iterator[Finding]:
    gateway = platform.spec.gateway
    if gateway is None:
        return
    base: Path = ("spec", "gateway")
    declared = [model.name for model in platform.spec.models]
    if not declared:
        yield (base, "the gateway needs at least one model in `spec.models`")
    if gateway.name in declared:
        yield ((*base, "name"), f"`{gateway.name}` is already a model's name; choose another")
    hosted = [model.name for model in gateway.hosted_models]
    served = {model.served_name for model in platform.spec.models} | set(hosted)
    counts = Counter(route.model for route in gateway.routes)
    aliases: Counter[str] = Counter(alias for route in gateway.routes for alias in route.aliases)
    aliases.update(alias for model in gateway.hosted_models for alias in model.aliases)
    for index, route in enumerate(gateway.routes):
        path: Path = (*base, "routes", index)
        if route.model not in declared:
            yield ((*path, "model"), _unknown_model(route.model, declared))
        elif counts[route.model] > 1:
            yield ((*path, "model"), f"`{route.model}` has more than one route; merge them")
        for position, fallback in enumerate(route.fallbacks):
            if fallback not in declared and fallback not in hosted:
                yield (
                    (*path, "fallbacks", position),
                    _unknown_model(fallback, [*declared, *hosted]),
                )
            elif fallback == route.model:
                yield ((*path, "fallbacks", position), f"`{fallback}` cannot fall back to itself")
        for position, alias in enumerate(route.aliases):
            if alias in served:
                yield (
                    (*path, "aliases", position),
                    f"`{alias}` is already a model's served name",
                )
            elif aliases[alias] > 1:
                yield ((*path, "aliases", position), f"`{alias}` is used more than once")
    keys = gateway.virtual_keys
    if keys is not None:
        if (keys.database_url_secret is None) != (keys.database is None):
            given, missing = (
                ("databaseUrlSecret", "database")
                if keys.database is None
                else ("database", "databaseUrlSecret")
            )
            yield (
                (*base, "virtualKeys", given),
                f"`{given}` needs `{missing}` beside it to name an existing Postgres; "
                "leave both out to use `spec.postgres`",
            )
        elif keys.database is None and platform.spec.postgres is None:
            yield (
                (*base, "virtualKeys"),
                "virtual keys need a Postgres: declare `spec.postgres`, or name an existing "
                "one with `databaseUrlSecret` and `database`",
            )
    for index, model in enumerate(gateway.hosted_models):
        for position, alias in enumerate(model.aliases):
            path = (*base, "hostedModels", index, "aliases", position)
            if alias in served:
                yield (path, f"`{alias}` is already a model's name")
            elif aliases[alias] > 1:
                yield (path, f"`{alias}` is used more than once")
    if gateway.exposure is not None:
        for field, message in exposure_problems(
            exposure_args(gateway.exposure), gateway.authentication
        ):
            yield ((*base, "exposure", _EXPOSURE_KEYS.get(field, field)), message)
    yield from check_gateway_scale(platform, gateway)
