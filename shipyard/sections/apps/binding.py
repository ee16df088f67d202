"""Apps bound to other apps (`uses: [{kind: app, app: api, port: http}]`): the target's
host, port and URL; the caller's egress and the target's ingress admit exactly that
port between the two (pure)."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue
from components.app.manifests import service_host
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import app_pods, binding_name, env_prefix, peer
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.apps.uses import AppUse


def _target(platform: Platform, name: str) -> AppSpec | None:
    return next((app for app in platform.spec.apps if app.name == name), None)


def check_app_use(platform: Platform, app: AppSpec, use: AppUse, path: Path) -> Iterator[Finding]:
    declared = [other.name for other in platform.spec.apps if other.name != app.name]
    if use.app == app.name:
        yield ((*path, "app"), "an app does not bind to itself")
        return
    target = _target(platform, use.app)
    if target is None:
        yield (
            (*path, "app"),
            f"no app named `{use.app}`{did_you_mean(use.app, declared)}; declared apps: "
            f"{', '.join(declared) or 'none'}",
        )
        return
    if not target.runs_continuously:
        yield ((*path, "app"), f"app `{use.app}` is a {target.workload}: it serves no port")
        return
    ports = [port.name for port in target.ports]
    if use.port not in ports:
        yield (
            (*path, "port"),
            f"app `{use.app}` has no port named `{use.port}`{did_you_mean(use.port, ports)}; "
            f"its ports: {', '.join(ports) or 'none'}",
        )


def bind_app(platform: Platform, app: AppSpec, use: AppUse) -> AppBinding:
    target = _target(platform, use.app)
    assert target is not None  # check_app_use refuses an unknown app
    port = next(p.port for p in target.ports if p.name == use.port)
    host = service_host(target.name, platform.namespace)
    name = binding_name(use, target.name)
    return AppBinding(
        name=name,
        type="http" if use.port.startswith("http") else "tcp",
        provider="shipyard",
        env_prefix=env_prefix(name),
        values=(
            BindingValue(key="host", value=host),
            BindingValue(key="port", value=str(port)),
            BindingValue(key="url", value=f"http://{host}:{port}"),
        ),
        egress=(peer(app_pods(target.name), port),),
    )


def app_grants(use: dict[str, object]) -> frozenset[str]:
    return frozenset({f"access to app `{use.get('app')}` port `{use.get('port', 'http')}`"})
