"""Apps bound to `spec.analytics` (`uses: [{kind: analytics}]`): each gets a ClickHouse
user of its own (readonly by default) with a generated password, and its pods are
admitted on the HTTP and native ports (pure)."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue
from components.clickhouse import args as ch
from components.clickhouse.manifests import CHI_POD_LABEL, credentials_secret_name, service_host
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.analytics.checks import GATEWAY_USER, gateway_logs_wired
from shipyard.sections.analytics.model import AnalyticsUse
from shipyard.sections.apps.bound import binding_name, env_prefix, peer, snake, uses_of
from shipyard.sections.apps.model import AppSpec

DEFAULT_BINDING = "clickhouse"


def user_name(app: AppSpec) -> str:
    return snake(app.name)


def app_users(platform: Platform) -> list[ch.ClickHouseUser]:
    """One user per bound app; readonly unless one of its bindings is not."""
    readonly: dict[str, bool] = {}
    for app, use in uses_of(platform, "analytics"):
        readonly[user_name(app)] = readonly.get(user_name(app), True) and use.readonly
    return [ch.ClickHouseUser(name=name, readonly=flag) for name, flag in readonly.items()]


def check_analytics_use(
    platform: Platform, app: AppSpec, use: AnalyticsUse, path: Path
) -> Iterator[Finding]:
    spec = platform.spec.analytics
    if spec is None:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to `analytics` but the blueprint has no `spec.analytics`; "
            "declare it or remove the binding",
        )
        return
    user = user_name(app)
    problem = ch.user_name_problem(user)
    taken = {declared.name for declared in spec.users}
    if gateway_logs_wired(platform):
        taken.add(GATEWAY_USER)
    if problem:
        yield ((*path, "kind"), f"the app's ClickHouse user: {problem}")
    elif user in taken:
        yield (
            (*path, "kind"),
            f"ClickHouse already has a user `{user}`, the name of this app's own user; remove "
            "that user from `spec.analytics.users` (the binding replaces it)",
        )


def bind_analytics(platform: Platform, app: AppSpec, use: AnalyticsUse) -> AppBinding:
    spec = platform.spec.analytics
    assert spec is not None  # check_analytics_use refuses a binding without it
    name = binding_name(use, DEFAULT_BINDING)
    host = service_host(spec.name, platform.namespace)
    secret = credentials_secret_name(spec.name, user_name(app))
    return AppBinding(
        name=name,
        type="clickhouse",
        provider="altinity",
        env_prefix=env_prefix(name),
        values=(
            BindingValue(key="host", value=host),
            BindingValue(key="http-port", value=str(ch.HTTP_PORT)),
            BindingValue(key="native-port", value=str(ch.NATIVE_PORT)),
            BindingValue(key="url", value=f"http://{host}:{ch.HTTP_PORT}"),
            BindingValue(key="database", value=spec.database),
            BindingValue(key="username", value=user_name(app)),
            BindingValue(key="password", secret=SecretKeyRef(name=secret, key="password")),
        ),
        egress=(peer({CHI_POD_LABEL: spec.name}, ch.HTTP_PORT, ch.NATIVE_PORT),),
    )


def analytics_grants(use: dict[str, object]) -> frozenset[str]:
    readonly = use.get("readonly", True) is not False
    return frozenset({"`readonly` on ClickHouse" if readonly else "`readWrite` on ClickHouse"})
