"""Checks of each app's `uses:`: every binding names a section the blueprint has and
things that section declares (its own `check_use`), names are unique, env names do not
collide, and `env` aliases name the binding's keys. Each yields `(path, message)`."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding
from components.shared.k8s_values import env_var_name_problem
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.model import AppSpec


def binding_env(binding: AppBinding) -> list[str]:
    return [f"{binding.env_prefix}_{value.env_suffix}" for value in binding.values] + list(
        binding.aliases
    )


def _aliases(binding: AppBinding, use_env: dict[str, str], path: Path) -> Iterator[Finding]:
    keys = [value.key for value in binding.values]
    for alias, key in use_env.items():
        problem = env_var_name_problem(alias)
        if problem:
            yield ((*path, "env", alias), problem)
        if key not in keys:
            yield (
                (*path, "env", alias),
                f"`{key}` is not a value of this binding{did_you_mean(key, keys)}; its values: "
                f"{', '.join(keys)}",
            )


def check_uses(platform: Platform, app: AppSpec, path: Path) -> Iterator[Finding]:
    from shipyard.sections.registry import BINDABLE

    names: dict[str, int] = {}
    env: dict[str, str] = {var.name: "`env`" for var in app.env}
    for index, use in enumerate(app.uses):
        where: Path = (*path, "uses", index)
        section = BINDABLE[use.kind]
        findings = list(section.check_use(platform, app, use, where))
        yield from findings
        if findings:
            continue
        binding = section.bind(platform, app, use)
        if binding.name in names:
            yield (
                (*where, "name"),
                f"two bindings are named `{binding.name}`; give this one its own `name`",
            )
            continue
        names[binding.name] = index
        alias_findings = list(_aliases(binding, dict(use.env), where))
        yield from alias_findings
        if alias_findings:
            continue
        for variable in [*binding_env(binding), *use.env]:
            if variable in env:
                yield (
                    (*where, "env") if variable in use.env else (*where, "kind"),
                    f"env `{variable}` is already set by {env[variable]}; rename one (a "
                    "binding's `name` sets its prefix)",
                )
            env[variable] = f"binding `{binding.name}`"
