"""`shipyard reconcile`: the pull-based reconciler (watch a branch, apply what it says)."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click

from shipyard.cli.abort import EXIT_INVALID, EXIT_USAGE, abort

DEFAULT_LISTEN = "127.0.0.1:8080"
DEFAULT_SECRET_ENV = "SHIPYARD_WEBHOOK_SECRET"
DEFAULT_DRIFT_INTERVAL = "6h"
DEFAULT_INTERVAL = "15s"
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+")
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> timedelta:
    """`15s`, `1m30s`, `6h`, `500ms`, or `0`."""
    text = value.strip()
    if text == "0":
        return timedelta(0)
    if not _DURATION.fullmatch(text):
        raise ValueError(f"`{value}` is not a duration such as 15s, 5m or 6h")
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in _PART.findall(text)))


class Duration(click.ParamType[timedelta]):
    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


@click.command()
@click.option(
    "--repo",
    "repo_url",
    required=True,
    help="The git remote to watch (URL or path), without credentials: see --git-credentials-file.",
)
@click.option(
    "--git-credentials-file",
    envvar="SHIPYARD_GIT_CREDENTIALS_FILE",
    type=click.Path(path_type=Path, dir_okay=False, exists=True, resolve_path=True),
    help="git's credential store file (lines such as https://x-access-token:TOKEN@github.com) "
    "used for fetches only (env SHIPYARD_GIT_CREDENTIALS_FILE). Without it, git's own "
    "configuration applies.",
)
@click.option("--branch", required=True, help="The branch whose head is applied.")
@click.option(
    "--stacks", help="Comma-separated stacks to reconcile; default: every stack at the head."
)
@click.option(
    "--interval",
    type=Duration(),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="How often to fetch the branch.",
)
@click.option(
    "--listen",
    envvar="SHIPYARD_LISTEN",
    default=DEFAULT_LISTEN,
    show_default=True,
    help="HOST:PORT for /healthz, /readyz, /metrics and /status, and /webhook unless "
    "--webhook-listen is given (env SHIPYARD_LISTEN). This machine only by default; "
    "0.0.0.0:PORT listens on every interface.",
)
@click.option(
    "--webhook-listen",
    envvar="SHIPYARD_WEBHOOK_LISTEN",
    help="HOST:PORT serving /webhook alone, the port to expose to GitHub; then --listen "
    "serves no /webhook (env SHIPYARD_WEBHOOK_LISTEN).",
)
@click.option(
    "--webhook-secret-env",
    default=DEFAULT_SECRET_ENV,
    show_default=True,
    help="The environment variable holding the GitHub webhook secret; webhooks are refused "
    "while it is unset.",
)
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".shipyard/reconcile/state"),
    show_default=True,
    help="Where each stack's state file is kept.",
)
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".shipyard/reconcile/work"),
    show_default=True,
    help="The git mirror, the checkouts of applied commits and the engine logs.",
)
@click.option(
    "--max-parallel",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Stacks applied at the same time (one apply per stack at a time).",
)
@click.option(
    "--drift-interval",
    type=Duration(),
    default=DEFAULT_DRIFT_INTERVAL,
    show_default=True,
    help="Check each up-to-date stack for drift this often; 0 turns drift checks off.",
)
@click.option(
    "--self-heal",
    is_flag=True,
    help="Undo drift at once (an apply with a refresh) instead of only reporting it.",
)
@click.option(
    "--policy-pack",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    help="A policy pack directory on this machine to enforce instead of the one installed "
    "with Shipyard. Never taken from the repository, whose commits could weaken it.",
)
@click.option(
    "--pass-env",
    "pass_env",
    multiple=True,
    envvar="SHIPYARD_PASS_ENV",
    metavar="NAME",
    help="Another environment variable the engine and providers get; repeatable (env "
    "SHIPYARD_PASS_ENV, space-separated). They get only PATH, HOME, locale, proxy and CA "
    "settings, KUBECONFIG, KUBERNETES_SERVICE_*, PULUMI_*, AWS_*, AZURE_*, ARM_*, GOOGLE_* "
    "and CLOUDSDK_*; never the webhook secret.",
)
@click.option(
    "--state-configmap",
    envvar="SHIPYARD_STATE_CONFIGMAP",
    help="NAMESPACE/NAME of a ConfigMap holding the per-stack state instead of --state-dir, "
    "shared by every replica (env SHIPYARD_STATE_CONFIGMAP).",
)
@click.option(
    "--leader-election-lease",
    envvar="SHIPYARD_LEADER_LEASE",
    help="NAMESPACE/NAME of a Kubernetes Lease: reconcile only while holding it "
    "(env SHIPYARD_LEADER_LEASE).",
)
@click.option(
    "--leader-identity",
    envvar="POD_NAME",
    help="This replica's name in the Lease (env POD_NAME; default: the host name).",
)
@click.option(
    "--once",
    is_flag=True,
    help="One pass, wait for its applies, then exit: 0 when no stack is Stalled, 1 otherwise.",
)
def reconcile(
    repo_url: str,
    git_credentials_file: Path | None,
    branch: str,
    stacks: str | None,
    interval: timedelta,
    listen: str,
    webhook_listen: str | None,
    webhook_secret_env: str,
    state_dir: Path,
    workdir: Path,
    max_parallel: int,
    drift_interval: timedelta,
    self_heal: bool,
    policy_pack: Path | None,
    pass_env: tuple[str, ...],
    state_configmap: str | None,
    leader_election_lease: str | None,
    leader_identity: str | None,
    once: bool,
) -> None:
    """Watch a branch and apply it: fetch every --interval (or at once on a signed GitHub push
    webhook), apply each changed stack through the Automation API with the policy pack,
    check for drift, and serve health, readiness and Prometheus metrics.

    The state backend comes from PULUMI_BACKEND_URL or Pulumi.yaml; the secrets passphrase
    from PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE."""
    from components.gitops_reconciler.args import credentials_problem
    from shipyard.gitops.applier import AutomationApplier
    from shipyard.gitops.child_env import child_environment
    from shipyard.gitops.daemon import Daemon, DaemonSettings
    from shipyard.gitops.decide import Policy
    from shipyard.gitops.http_server import parse_listen
    from shipyard.gitops.json_logging import json_handler
    from shipyard.gitops.reconcile_state import StackStateStore, StateStore

    names = tuple(s.strip() for s in stacks.split(",") if s.strip()) if stacks else None
    if interval <= timedelta(0):
        abort("`--interval` must be positive", EXIT_USAGE)
    problem = credentials_problem(repo_url)
    if problem:
        abort(
            f"`--repo`: {problem}, which would show in the process list, logs and /status; "
            "remove them and put them in a --git-credentials-file",
            EXIT_USAGE,
        )
    addresses = {"--listen": listen, "--webhook-listen": webhook_listen}
    listeners: dict[str, tuple[str, int]] = {}
    for option, value in addresses.items():
        if value is None:
            continue
        try:
            listeners[option] = parse_listen(value)
        except ValueError as error:
            abort(f"`{option}`: {error}", EXIT_USAGE)
    if policy_pack is not None and not (policy_pack / "PulumiPolicy.yaml").is_file():
        abort(f"`--policy-pack`: {policy_pack} has no PulumiPolicy.yaml", EXIT_USAGE)
    lease = _namespaced("--leader-election-lease", leader_election_lease)
    state_map = _namespaced("--state-configmap", state_configmap)
    secret = os.environ.get(webhook_secret_env, "").encode() or None

    logger = logging.getLogger("shipyard.reconcile")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(json_handler(sys.stderr))
    settings = DaemonSettings(
        repo_url=repo_url,
        branch=branch,
        workdir=workdir.resolve(),
        stacks=names,
        interval=interval,
        max_parallel=max_parallel,
        policy=Policy(drift_interval=drift_interval or None),
        self_heal=self_heal,
        git_credentials_file=git_credentials_file,
    )
    child_env = child_environment(os.environ, pass_env, withheld={webhook_secret_env})
    applier = AutomationApplier(
        settings.mirror, settings.workdir, policy_pack=policy_pack, env=child_env
    )
    ended, removed = applier.clean_abandoned()
    if ended or removed:
        logger.warning(
            f"ended {len(ended)} process(es) and removed {len(removed)} checkout(s) of applies "
            "an earlier run left behind",
            extra={"fields": {"reason": "AbandonedJobs", "ended": ended, "removed": removed}},
        )
    gate: Callable[[], bool] | None = None
    elector: Any = None
    if lease is not None:
        from shipyard.gitops.leader import LeaseElector

        elector = LeaseElector(lease[0], lease[1], leader_identity or socket.gethostname())
        elector.start()
        gate = elector.is_leader
    store: StackStateStore
    if state_map is not None:
        from shipyard.gitops.kube_state import ConfigMapStateStore

        store = ConfigMapStateStore.in_cluster(*state_map)
    else:
        store = StateStore(state_dir)
    daemon = Daemon(settings, store, applier, gate=gate, webhook_secret=secret, logger=logger)
    if secret is None:
        logger.warning(f"webhooks are disabled: `{webhook_secret_env}` is not set")
    try:
        if once:
            daemon.reconcile_pass()
            daemon.wait_idle()
            _exit_once(daemon.status())
            return
        servers = _serve(daemon, listeners, logger)
        logger.info(
            f"watching {branch} of {repo_url}",
            extra={"fields": {"repo": repo_url, "branch": branch}},
        )
        _stop_on_signals(daemon.stop)
        try:
            daemon.run()
        finally:
            for server in servers:
                server.stop()
    finally:
        daemon.stop()
        if elector is not None:
            elector.stop()


def _serve(daemon: Any, listeners: dict[str, tuple[str, int]], logger: logging.Logger) -> list[Any]:
    """Start the HTTP servers: everything on --listen, or with --webhook-listen the GET
    endpoints there and /webhook alone on its own port."""
    from shipyard.gitops.http_server import ReconcilerServer, Routes

    split = "--webhook-listen" in listeners
    routes: dict[str, Routes] = {
        "--listen": "internal" if split else "all",
        "--webhook-listen": "webhook",
    }
    servers: list[ReconcilerServer] = []
    for option, (host, port) in listeners.items():
        try:
            server = ReconcilerServer(daemon, host, port, routes=routes[option])
        except OSError as error:
            for started in servers:
                started.stop()
            abort(f"`{option}`: cannot listen on {host}:{port}: {error}", EXIT_USAGE)
        server.start()
        servers.append(server)
        served = (
            "/webhook"
            if option == "--webhook-listen"
            else ("/healthz, /readyz, /metrics, /status" + ("" if split else ", /webhook"))
        )
        logger.info(
            f"listening on {host}:{server.port} for {served}",
            extra={"fields": {"listen": f"{host}:{server.port}", "routes": routes[option]}},
        )
    return servers


def _exit_once(status: dict[str, Any]) -> None:
    """`--once`'s verdict: exit 1 when the branch could not be fetched, a stack is Stalled,
    or its apply of this pass failed; return (exit 0) when every stack is applied."""
    source = status["source"]
    if not source.get("available", True):
        abort(f"could not fetch: {source.get('message')} (see the JSON log)", EXIT_INVALID)
    stacks: dict[str, Any] = status["stacks"]
    stalled = [
        name
        for name, state in stacks.items()
        if (state.get("condition") or {}).get("status") == "Stalled"
    ]
    if stalled:
        abort(f"stalled: {', '.join(stalled)} (see the JSON log)", EXIT_INVALID)
    failed = [
        name
        for name, state in stacks.items()
        if "error" in state
        or (
            state.get("last_attempted_commit")
            and state.get("last_attempted_commit") != state.get("last_successful_commit")
        )
    ]
    if failed:
        abort(f"apply failed: {', '.join(failed)} (see the JSON log)", EXIT_INVALID)


def _namespaced(option: str, value: str | None) -> tuple[str, str] | None:
    """`NAMESPACE/NAME` as a pair; None when the option is not given."""
    if not value:
        return None
    namespace, sep, name = value.partition("/")
    if not sep or not namespace or not name or "/" in name:
        abort(f"`{option}` must be NAMESPACE/NAME, not `{value}`", EXIT_USAGE)
    return namespace, name


def _stop_on_signals(stop: Callable[[], None]) -> None:
    """SIGTERM and SIGINT end the loop; running applies finish first."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=stop, name="stop", daemon=True).start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
