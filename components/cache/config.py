"""The cache's configuration files and start scripts (pure).

Each Valkey pod runs `valkey-server` and a Sentinel beside it. At start, `config.sh`
asks the other pods' Sentinels which pod is the primary; when none answers (a new cache,
or every pod down), pod 0 is. It writes `valkey.conf` (a replica of that primary unless
it is the primary) and `sentinel.conf` (watching that primary) into an emptyDir, with the
password from the environment, so no secret is in a ConfigMap. Sentinels fail the
primary over when a majority agree it is down; HAProxy checks every pod's role and sends
clients only to the one that says `role:master`, closing the sessions of a pod that stops
being it. TLS everywhere: clients, replication, Sentinels and HAProxy's checks.
"""

from __future__ import annotations

from components.cache.args import (
    MAXMEMORY_SHARE,
    SENTINEL_PORT,
    VALKEY_PORT,
    ValkeyCacheArgs,
)
from components.cache.users import users_script

MASTER_NAME = "primary"
"""The name Sentinel monitors the primary under."""
TLS_DIR = "/tls"
CONF_DIR = "/conf"
DATA_DIR = "/data"
PASSWORD_ENV = "VALKEY_PASSWORD"
FAILOVER_TIMEOUT_MS = 60000
HANDOVER_SECONDS = 20
_UNITS = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}


def headless_service_name(name: str) -> str:
    return f"{name}-hl"


def pod_domain(name: str, args: ValkeyCacheArgs) -> str:
    """The domain of the Valkey pods' stable names: the headless Service's."""
    return f"{headless_service_name(name)}.{args.namespace}.svc.{args.cluster_domain}"


def pod_host(name: str, index: int, args: ValkeyCacheArgs) -> str:
    """A Valkey pod's stable DNS name under the headless Service."""
    return f"{name}-{index}.{pod_domain(name, args)}"


def maxmemory_bytes(memory: str) -> int:
    """`MAXMEMORY_SHARE` of a `Mi`/`Gi`/`Ti` quantity (or plain bytes)."""
    for unit, factor in _UNITS.items():
        if memory.endswith(unit):
            return int(float(memory[: -len(unit)]) * factor * MAXMEMORY_SHARE)
    return int(float(memory) * MAXMEMORY_SHARE)


def _tls_lines() -> list[str]:
    return [
        f"tls-cert-file {TLS_DIR}/tls.crt",
        f"tls-key-file {TLS_DIR}/tls.key",
        f"tls-ca-cert-file {TLS_DIR}/ca.crt",
        # Clients prove themselves with the password, not a certificate.
        "tls-auth-clients no",
        "tls-replication yes",
    ]


def valkey_conf(args: ValkeyCacheArgs) -> str:
    """The server's settings common to every pod; `config.sh` adds the password, the
    announced name and, on a replica, `replicaof`."""
    lines = [
        "port 0",
        f"tls-port {VALKEY_PORT}",
        *_tls_lines(),
        "bind * -::*",
        f"dir {DATA_DIR}",
        f"maxmemory {maxmemory_bytes(args.memory_request)}",
        f"maxmemory-policy {args.eviction}",
        # A replica that lost its primary still answers reads with what it has.
        "replica-serve-stale-data yes",
        "replica-read-only yes",
    ]
    if args.persistence == "aof":
        lines += ["appendonly yes", "appendfsync everysec", 'save ""']
    elif args.persistence == "rdb":
        lines += ["appendonly no", "save 3600 1 300 100 60 10000"]
    else:
        lines += ["appendonly no", 'save ""']
    return "\n".join(lines) + "\n"


def sentinel_conf(args: ValkeyCacheArgs) -> str:
    """Sentinel's settings common to every pod; `config.sh` adds the primary to monitor,
    the password and the announced name."""
    lines = [
        "port 0",
        f"tls-port {SENTINEL_PORT}",
        *_tls_lines(),
        "bind * -::*",
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        f"sentinel announce-port {SENTINEL_PORT}",
    ]
    return "\n".join(lines) + "\n"


def monitor_lines(args: ValkeyCacheArgs) -> list[str]:
    """What `config.sh` appends after `sentinel monitor` (which it writes itself)."""
    return [
        f"sentinel down-after-milliseconds {MASTER_NAME} {args.down_after_ms}",
        f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}",
        f"sentinel parallel-syncs {MASTER_NAME} 1",
    ]


def _cli(host: str, port: int) -> str:
    return (
        f'timeout 3 valkey-cli --tls --cacert {TLS_DIR}/ca.crt -h "{host}" -p {port} '
        f'-a "${PASSWORD_ENV}" --no-auth-warning'
    )


def config_script(name: str, args: ValkeyCacheArgs) -> str:
    """The init container's script: find the primary, write both configs."""
    peers = " ".join(pod_host(name, index, args) for index in range(args.replicas))
    monitor = "\n".join(monitor_lines(args))
    domain = f"{headless_service_name(name)}.{args.namespace}.svc.{args.cluster_domain}"
    users = users_script(args.users, f"{CONF_DIR}/valkey.conf")
    return f"""set -eu
self="$(hostname).{domain}"
primary=""
for peer in {peers}; do
  [ "$peer" = "$self" ] && continue
  answer=$({_cli("$peer", SENTINEL_PORT)} SENTINEL get-master-addr-by-name {MASTER_NAME} \\
    2>/dev/null | head -n 1) || answer=""
  case "$answer" in ""|*ERR*|*rror*) ;; *) primary="$answer"; break ;; esac
done
[ -n "$primary" ] || primary="{pod_host(name, 0, args)}"
echo "primary: $primary"
mkdir -p {CONF_DIR}
cp /templates/valkey.conf {CONF_DIR}/valkey.conf
cat >> {CONF_DIR}/valkey.conf <<EOF
requirepass "${PASSWORD_ENV}"
masterauth "${PASSWORD_ENV}"
replica-announce-ip $self
EOF
if [ "$primary" != "$self" ]; then
  echo "replicaof $primary {VALKEY_PORT}" >> {CONF_DIR}/valkey.conf
fi
{users}cp /templates/sentinel.conf {CONF_DIR}/sentinel.conf
cat >> {CONF_DIR}/sentinel.conf <<EOF
sentinel announce-ip $self
requirepass "${PASSWORD_ENV}"
sentinel sentinel-pass "${PASSWORD_ENV}"
sentinel monitor {MASTER_NAME} $primary {VALKEY_PORT} {args.quorum}
sentinel auth-pass {MASTER_NAME} "${PASSWORD_ENV}"
{monitor}
EOF
chmod 600 {CONF_DIR}/valkey.conf {CONF_DIR}/sentinel.conf
"""


def handover_script() -> str:
    """The server's preStop hook: a primary asks Sentinel to fail over first and waits
    for a replica to take over, so a rolling update loses no writes to the failover gap."""
    local = f"{_cli('127.0.0.1', VALKEY_PORT)}"
    sentinel = f"{_cli('127.0.0.1', SENTINEL_PORT)}"
    return f"""{local} INFO replication | grep -q '^role:master' || exit 0
{sentinel} SENTINEL FAILOVER {MASTER_NAME} || exit 0
i=0
while [ $i -lt {HANDOVER_SECONDS} ]; do
  {local} INFO replication | grep -q '^role:master' || exit 0
  sleep 1; i=$((i + 1))
done
"""


def haproxy_cfg(name: str, args: ValkeyCacheArgs) -> str:
    """HAProxy in TCP mode: TLS passes through to the primary (clients verify Valkey's
    certificate end to end); HAProxy's own TLS check logs in and reads the role. With
    `balance first`, two pods claiming the role (a split brain) still get one writer."""
    servers = "\n".join(
        f"  server {name}-{index} {pod_host(name, index, args)}:{VALKEY_PORT} "
        f"check-sni {pod_host(name, index, args)}"
        for index in range(args.replicas)
    )
    return f"""global
  log stdout format raw local0 notice
  maxconn 4096

defaults
  mode tcp
  log global
  timeout connect 3s
  timeout client 330s
  timeout server 330s
  timeout check 2s

resolvers cluster
  parse-resolv-conf
  hold valid 5s

frontend valkey
  bind :{VALKEY_PORT}
  default_backend primary

backend primary
  balance first
  option tcp-check
  tcp-check connect ssl
  tcp-check send "AUTH ${{{PASSWORD_ENV}}}\\r\\n"
  tcp-check expect string +OK
  tcp-check send "INFO replication\\r\\n"
  tcp-check expect string role:master
  tcp-check send "QUIT\\r\\n"
  tcp-check expect string +OK
  default-server check inter 1s fall 2 rise 2 check-ssl verify required ca-file {TLS_DIR}/ca.crt \
resolvers cluster init-addr none on-marked-down shutdown-sessions
{servers}
"""
