"""Apps bound to `spec.postgres` (`uses: [{kind: postgres}]`): each gets a login role of
its own, managed by CloudNativePG, with a generated password, admitted by pg_hba.conf to
one database only (its own, or the shared application database), and by the
NetworkPolicy on 5432 (pure)."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue
from components.postgres.args import (
    POSTGRES_PORT,
    AppRole,
    role_name_problem,
    sql_identifier_problem,
)
from components.postgres.manifests import (
    CLUSTER_LABEL,
    URI_KEY,
    app_role_secret_name,
    read_write_host,
)
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import app_pods, binding_name, env_prefix, peer, snake, uses_of
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.postgres.model import PostgresSpec, PostgresUse

DEFAULT_BINDING = "postgres"
SSL_MODE = "require"


def role_name(app: AppSpec) -> str:
    """The app's role: its name as an identifier (`portkey-backend` -> `portkey_backend`)."""
    return snake(app.name)


def _database(spec: PostgresSpec, use: PostgresUse) -> str:
    return use.database or spec.database


def app_roles(platform: Platform) -> tuple[AppRole, ...]:
    """One role per app bound to Postgres (an app binding twice gets one role)."""
    spec = platform.spec.postgres
    if spec is None:
        return ()
    roles: dict[str, AppRole] = {}
    for app, use in uses_of(platform, "postgres"):
        database = _database(spec, use)
        roles.setdefault(
            role_name(app),
            AppRole(
                name=role_name(app),
                database=database,
                own_database=database != spec.database,
                pod_labels=app_pods(app.name),
            ),
        )
    return tuple(roles.values())


def check_postgres_use(
    platform: Platform, app: AppSpec, use: PostgresUse, path: Path
) -> Iterator[Finding]:
    spec = platform.spec.postgres
    if spec is None:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to `postgres` but the blueprint has no `spec.postgres`; "
            "declare it or remove the binding",
        )
        return
    problem = role_name_problem(role_name(app), spec.owner)
    if problem:
        yield ((*path, "kind"), f"app `{app.name}` needs a Postgres {problem}; rename the app")
    if use.database is not None:
        problem = sql_identifier_problem(use.database)
        if problem:
            yield ((*path, "database"), f"database {problem}")
            return
    database = _database(spec, use)
    bindings = [u for a, u in uses_of(platform, "postgres") if a.name == app.name]
    if len({_database(spec, u) for u in bindings}) > 1:
        yield (
            (*path, "database"),
            f"app `{app.name}` binds to Postgres twice with different databases; its one role "
            "may connect to one database",
        )
    owners = [a.name for a, u in uses_of(platform, "postgres") if _database(spec, u) == database]
    if database != spec.database and len(set(owners)) > 1:
        yield (
            (*path, "database"),
            f"database `{database}` would be owned by app `{owners[0]}`; each app owns its own "
            f"database, or shares the application database `{spec.database}`",
        )


def bind_postgres(platform: Platform, app: AppSpec, use: PostgresUse) -> AppBinding:
    spec = platform.spec.postgres
    assert spec is not None  # check_postgres_use refuses a binding without it
    role = role_name(app)
    secret = app_role_secret_name(spec.name, role)
    database = _database(spec, use)
    name = binding_name(use, DEFAULT_BINDING)
    return AppBinding(
        name=name,
        type="postgresql",
        provider="cloudnative-pg",
        env_prefix=env_prefix(name),
        values=(
            BindingValue(key="host", value=read_write_host(spec.name, platform.namespace)),
            BindingValue(key="port", value=str(POSTGRES_PORT)),
            BindingValue(key="database", value=database),
            BindingValue(key="username", value=role),
            BindingValue(key="password", secret=SecretKeyRef(name=secret, key="password")),
            BindingValue(key="uri", secret=SecretKeyRef(name=secret, key=URI_KEY)),
            BindingValue(key="sslmode", value=SSL_MODE),
        ),
        egress=(peer({CLUSTER_LABEL: spec.name}, POSTGRES_PORT),),
    )


def postgres_grants(use: dict[str, object]) -> frozenset[str]:
    database = use.get("database")
    if isinstance(database, str):
        return frozenset({f"ownership of Postgres database `{database}`"})
    return frozenset({"access to the shared Postgres database"})
