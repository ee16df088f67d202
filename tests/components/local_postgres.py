"""A throwaway PostgreSQL server with pgvector, for running generated SQL for real.

The binaries come from the `pgserver` package on PyPI (a dev dependency), which ships
PostgreSQL 16 with pgvector built in: Debian bookworm's archive has no pgvector
package, and a wheel installs the same server on every machine. It runs in a temporary
directory on a free loopback port. Postgres refuses to run as root, so under root every
command runs as an unprivileged OS user (`postgres` where it exists, else `nobody`,
through `runuser`) and the directory is handed to that user. Missing binaries or a
missing pgvector are a test failure with the fix, never a skip.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def _pgserver_install() -> Path:
    spec = importlib.util.find_spec("pgserver")
    origin = spec.origin if spec is not None else None
    return Path(origin).parent / "pginstall" if origin else Path("/nonexistent/pgserver")


PG_INSTALL = _pgserver_install()
PG_BIN = PG_INSTALL / "bin"
PG_SHARE = PG_INSTALL / "share" / "postgresql"
INSTALL_HINT = "install the dev extra, which brings PostgreSQL and pgvector: `make venv`"
TIMEOUT_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", _os_user(), "--", *command] if os.geteuid() == 0 else command


def _os_user() -> str:
    """The unprivileged account a root test run starts the server as."""
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise AssertionError("no `postgres` or `nobody` account to run the server as")


def missing_requirements() -> list[str]:
    """What this machine lacks to run the server, as sentences."""
    missing = [
        f"`{PG_BIN / tool}` is missing"
        for tool in ("initdb", "pg_ctl", "postgres")
        if not (PG_BIN / tool).is_file()
    ]
    if not (PG_BIN / "psql").is_file():
        missing.append(f"`{PG_BIN / 'psql'}` is missing")
    if not (PG_SHARE / "extension" / "vector.control").is_file():
        missing.append(f"pgvector is missing (no {PG_SHARE / 'extension' / 'vector.control'})")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("running as root needs `runuser` to start postgres unprivileged")
    return missing


@dataclass(frozen=True)
class LocalPostgres:
    port: int
    directory: Path

    def psql(self, sql: str, *, database: str = "postgres", user: str = "postgres") -> str:
        """Run `sql` (stopping at the first error) and return psql's unaligned output."""
        result = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "--no-psqlrc",
                "--quiet",
                "--tuples-only",
                "--no-align",
                "--set=ON_ERROR_STOP=1",
                "--host=127.0.0.1",
                f"--port={self.port}",
                f"--username={user}",
                f"--dbname={database}",
            ],
            input=sql,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        assert result.returncode == 0, f"psql failed:\n{result.stderr}\nSQL:\n{sql}"
        return result.stdout.strip()


def _run(command: list[str]) -> None:
    result = subprocess.run(
        _as_postgres(command), capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}\n{result.stderr}"


@contextmanager
def local_postgres() -> Iterator[LocalPostgres]:
    """Start a server (trust auth on 127.0.0.1 only), yield it, stop it and delete it."""
    missing = missing_requirements()
    if missing:
        pytest.fail("cannot start a local PostgreSQL: " + "; ".join(missing) + f"; {INSTALL_HINT}")
    directory = Path(tempfile.mkdtemp(prefix="shipyard-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(_os_user())
        os.chown(directory, account.pw_uid, account.pw_gid)
    data, log = directory / "data", directory / "server.log"
    port = _free_port()
    try:
        _run(
            [
                str(PG_BIN / "initdb"),
                f"--pgdata={data}",
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ]
        )
        options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
        )
        try:
            yield LocalPostgres(port=port, directory=directory)
        finally:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(directory, ignore_errors=True)
