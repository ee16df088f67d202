"""Per-app roles on a real PostgreSQL (see `local_postgres`): the rendered CloudNativePG
managed roles, Databases and pg_hba.conf rules, applied as the operator would, let each
app's role into its own database and no other.

The operator is not here, so the test does its part: a managed role becomes `CREATE ROLE
... LOGIN PASSWORD` (and `GRANT` for `inRoles`), a Database becomes `CREATE DATABASE ...
OWNER`, and the rendered `pg_hba` lines go between an admin line and CloudNativePG's
catch-all `host all all all scram-sha-256`, in that order, as its template puts them. The
server from the `pgserver` wheel is built without TLS, so `hostssl` is read as `host`:
the rules' database and role columns, which decide who gets in where, are unchanged.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from components.postgres.args import AppRole, PostgresArgs
from components.postgres.manifests import render_app_databases, render_cluster, render_pg_hba
from tests.components.local_postgres import PG_BIN, TIMEOUT_SECONDS, LocalPostgres, local_postgres

ARGS = PostgresArgs(
    namespace="llm",
    database="app",
    owner="app",
    storage_size="10Gi",
    app_roles=(
        AppRole(name="backend", database="backend", own_database=True, pod_labels={"a": "b"}),
        AppRole(name="exports", database="exports", own_database=True, pod_labels={"a": "e"}),
        AppRole(name="reporter", database="app", own_database=False, pod_labels={"a": "r"}),
    ),
)
PASSWORDS = {"backend": "pw-backend-1", "exports": "pw-exports-2", "reporter": "pw-reporter-3"}
CATCH_ALL = "host all all all scram-sha-256"


def connect(
    server: LocalPostgres, user: str, database: str, sql: str = "SELECT 1"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(PG_BIN / "psql"),
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--set=ON_ERROR_STOP=1",
            "--host=127.0.0.1",
            f"--port={server.port}",
            f"--username={user}",
            f"--dbname={database}",
            "--command",
            sql,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, "PGPASSWORD": PASSWORDS.get(user, "wrong")},
    )


def operator_sql(cluster: dict[str, Any], databases: list[dict[str, Any]]) -> str:
    """What CloudNativePG runs for the managed roles and Databases."""
    lines = ["SET password_encryption = 'scram-sha-256';"]
    for role in cluster["spec"]["managed"]["roles"]:
        assert role["ensure"] == "present" and role["login"] is True
        name = role["name"]
        lines.append(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORDS[name]}';")
        lines += [f"GRANT {group} TO {name};" for group in role.get("inRoles", [])]
    for database in databases:
        spec = database["spec"]
        lines.append(f"CREATE DATABASE {spec['name']} OWNER {spec['owner']};")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalPostgres]:
    with local_postgres() as running:
        running.psql("CREATE ROLE app LOGIN; CREATE DATABASE app OWNER app;")
        running.psql(
            "CREATE TABLE owned (id int); INSERT INTO owned VALUES (7);", database="app", user="app"
        )
        cluster = render_cluster("pg", ARGS)
        running.psql(operator_sql(cluster, render_app_databases("pg", ARGS)))
        rules = [
            line.replace("hostssl ", "host ", 1) for line in cluster["spec"]["postgresql"]["pg_hba"]
        ]
        hba = running.directory / "data" / "pg_hba.conf"
        hba.write_text("\n".join(["host all postgres 127.0.0.1/32 trust", *rules, CATCH_ALL, ""]))
        assert running.psql("SELECT pg_reload_conf();") == "t"
        yield running


def test_the_rendered_rules_are_the_ones_applied() -> None:
    assert render_pg_hba(ARGS) == [
        "hostssl backend backend all scram-sha-256",
        "host all backend all reject",
        "hostssl exports exports all scram-sha-256",
        "host all exports all reject",
        "hostssl app reporter all scram-sha-256",
        "host all reporter all reject",
    ]


def test_each_role_connects_to_its_own_database(server: LocalPostgres) -> None:
    for role, database in (("backend", "backend"), ("exports", "exports")):
        result = connect(
            server, role, database, "CREATE TABLE t (id int); SELECT current_database();"
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == database


@pytest.mark.parametrize(
    ("role", "database"),
    [
        ("backend", "exports"),
        ("backend", "app"),
        ("backend", "postgres"),
        ("exports", "backend"),
        ("reporter", "backend"),
    ],
)
def test_and_only_its_own(server: LocalPostgres, role: str, database: str) -> None:
    result = connect(server, role, database)
    assert result.returncode != 0
    assert (
        f'pg_hba.conf rejects connection for host "127.0.0.1", user "{role}", database "{database}"'
        in result.stderr
    )


def test_a_wrong_password_is_refused(server: LocalPostgres) -> None:
    result = connect(server, "intruder", "backend")
    assert result.returncode != 0
    assert 'password authentication failed for user "intruder"' in result.stderr


def test_a_role_sharing_the_application_database_reads_it_as_the_owner(
    server: LocalPostgres,
) -> None:
    result = connect(server, "reporter", "app", "SELECT id FROM owned;")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("postgres", "role `postgres` is reserved by PostgreSQL or CloudNativePG"),
        ("pg_monitor", "role `pg_monitor` is reserved"),
        ("app", "role `app` is the database owner's"),
        ("owner", "role `owner` would share the owner's Secret"),
    ],
)
def test_reserved_role_names_are_refused(name: str, message: str) -> None:
    role = AppRole(name=name, database="x", own_database=True, pod_labels={"a": "b"})
    with pytest.raises(ValueError, match=message):
        PostgresArgs(namespace="llm", storage_size="1Gi", app_roles=(role,))
