"""Per-app ACL users, for real: the rendered `config.sh` writes each bound app's user into
the server's config, and a real Redis-protocol server (Debian's `redis-server` 7.0, the
config and ACL language of Valkey's fork point) started on it lets each app at its own
keys alone, with its own password, and never at the administrative commands."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.cache.args import ValkeyCacheArgs
from components.cache.config import config_script, valkey_conf
from components.cache.manifests import render_stateful_set
from components.cache.users import CacheUser, acl_rules, users_volume
from tests.components.cache.test_config import Pod, start, wait_for
from tests.components.gateway.redis_server import (
    PASSWORD,
    CacheServer,
    free_port,
    make_certificates,
    server_executable,
)

USERS = (
    CacheUser(name="backend", key_prefix="backend:"),
    CacheUser(name="reporter", key_prefix="backend:", read_only=True),
)
ARGS = ValkeyCacheArgs(namespace="llm", storage_size="10Gi", memory_request="1Gi", users=USERS)
PASSWORDS = {"backend": "backend-password-1", "reporter": "reporter-password-2"}


def call(port: int, tls: Path, user: str, password: str, *words: str) -> bytes:
    """`AUTH user password`, then one command over TLS; the raw reply to the command."""
    context = ssl.create_default_context(cafile=str(tls / "ca.crt"))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as sock,
    ):
        reply = b""
        for command in (("AUTH", user, password), words):
            parts = [f"*{len(command)}\r\n".encode()]
            parts += [f"${len(w.encode())}\r\n{w}\r\n".encode() for w in command]
            sock.sendall(b"".join(parts))
            reply = sock.recv(65536)
            if command[0] == "AUTH" and not reply.startswith(b"+OK"):
                return reply
        return reply


class UsersPod(Pod):
    """A pod whose users' Secrets are files under its own `users/`."""

    def local(self, text: str) -> str:
        return super().local(text.replace("/users/", f"{self.root}/users/"))

    def configure(self) -> subprocess.CompletedProcess[str]:
        users = self.root / "users"
        users.mkdir()
        for name, password in PASSWORDS.items():
            (users / name).write_text(password)
        (self.root / "templates" / "valkey.conf").write_text(self.local(valkey_conf(ARGS)))
        script = self.local(config_script("cache", ARGS))
        return subprocess.run(
            ["sh", "-c", script],
            env={"PATH": self.path, "VALKEY_PASSWORD": PASSWORD},
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    root = tmp_path_factory.mktemp("cache-users")
    tls = make_certificates(root / "tls")
    pod = UsersPod(root / "pod-0", "localhost", free_port(), free_port(), tls)
    result = pod.configure()
    assert result.returncode == 0, result.stderr
    conf = root / "pod-0" / "conf" / "valkey.conf"
    log = root / "valkey.log"
    process = start([server_executable(), str(conf)], log)
    try:
        wait_for(CacheServer(pod.ports[0], tls), process, log)
        yield pod.ports[0], tls, conf
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_each_user_is_written_with_its_password_and_rules(server: tuple[int, Path, Path]) -> None:
    _, _, conf = server
    text = conf.read_text()
    assert (
        "user backend reset on >backend-password-1 ~backend:* &backend:* -@all +@connection "
        "+@read +@write +@transaction +@pubsub +@scripting -@dangerous -@admin\n"
    ) in text
    assert f"user reporter reset on >reporter-password-2 {acl_rules(USERS[1])}\n" in text
    # The passwords are only in the memory-backed config, readable by its user alone.
    assert oct(conf.stat().st_mode)[-3:] == "600"


def test_an_app_reads_and_writes_its_own_keys(server: tuple[int, Path, Path]) -> None:
    port, tls, _ = server
    backend = ("backend", PASSWORDS["backend"])
    assert call(port, tls, *backend, "SET", "backend:session", "42") == b"+OK\r\n"
    assert call(port, tls, *backend, "GET", "backend:session") == b"$2\r\n42\r\n"


def test_an_app_cannot_reach_other_keys_or_admin_commands(
    server: tuple[int, Path, Path],
) -> None:
    port, tls, _ = server
    CacheServer(port, tls).command("SET", "ai-gateway:limits", "1")
    backend = ("backend", PASSWORDS["backend"])
    assert call(port, tls, *backend, "GET", "ai-gateway:limits").startswith(b"-NOPERM")
    assert call(port, tls, *backend, "SET", "other", "x").startswith(b"-NOPERM")
    for command in (("FLUSHALL",), ("CONFIG", "GET", "requirepass"), ("KEYS", "*")):
        assert call(port, tls, *backend, *command).startswith(b"-NOPERM"), command
    assert call(port, tls, *backend, "ACL", "LIST").startswith(b"-NOPERM")


def test_a_read_only_user_reads_but_never_writes(server: tuple[int, Path, Path]) -> None:
    port, tls, _ = server
    CacheServer(port, tls).command("SET", "backend:report", "ready")
    reporter = ("reporter", PASSWORDS["reporter"])
    assert call(port, tls, *reporter, "GET", "backend:report") == b"$5\r\nready\r\n"
    assert call(port, tls, *reporter, "SET", "backend:report", "x").startswith(b"-NOPERM")
    assert call(port, tls, *reporter, "DEL", "backend:report").startswith(b"-NOPERM")


def test_a_wrong_password_or_another_apps_password_is_refused(
    server: tuple[int, Path, Path],
) -> None:
    port, tls, _ = server
    assert call(port, tls, "backend", "not-it", "PING").startswith(b"-WRONGPASS")
    assert call(port, tls, "backend", PASSWORDS["reporter"], "PING").startswith(b"-WRONGPASS")
    # The shared password stays the default user's (the gateway's, HAProxy's, replication's).
    assert b"PONG" in CacheServer(port, tls).command("PING")


def test_the_pods_mount_every_users_secret_and_roll_on_an_access_change() -> None:
    [init] = render_stateful_set("cache", ARGS)["spec"]["template"]["spec"]["initContainers"]
    assert {"name": "users", "mountPath": "/users", "readOnly": True} in init["volumeMounts"]
    assert users_volume("cache", USERS)["projected"]["sources"] == [
        {
            "secret": {
                "name": "cache-backend-credentials",
                "items": [{"key": "password", "path": "backend"}],
            }
        },
        {
            "secret": {
                "name": "cache-reporter-credentials",
                "items": [{"key": "password", "path": "reporter"}],
            }
        },
    ]
    before = render_stateful_set("cache", ARGS)["spec"]["template"]["metadata"]["annotations"]
    read_only = ARGS.model_copy(
        update={"users": (USERS[0].model_copy(update={"read_only": True}), USERS[1])}
    )
    after = render_stateful_set("cache", read_only)["spec"]["template"]["metadata"]["annotations"]
    assert before["shipyard.dev/users-sha256"] != after["shipyard.dev/users-sha256"]
    # Without users, nothing of this is rendered.
    plain = render_stateful_set("cache", ARGS.model_copy(update={"users": ()}))["spec"]
    assert "annotations" not in plain["template"]["metadata"]
    assert all(v["name"] != "users" for v in plain["template"]["spec"]["volumes"])
