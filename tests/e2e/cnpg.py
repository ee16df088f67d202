"""CloudNativePG's real operator on the e2e cluster, its webhooks registered by URL on
127.0.0.1 with a test CA.

The operator (`cnpg-manager controller`, built by scripts/toolchain) runs in a loopback-only
network namespace (`netns_guard.isolated`). Upstream it manages its own PKI and points the
webhook configurations at a Service; here `WEBHOOK_CERT_DIR` hands it a serving
certificate for 127.0.0.1 signed by a CA made for the run, and the webhook configurations
(the module's own `config/webhook/manifests.yaml`, read at test time) are registered with
`url: https://127.0.0.1:PORT/...` and that CA: the API server calls the operator's
webhooks through the loopback bridge, never a Service address.
"""

from __future__ import annotations

import base64
import contextlib
import platform
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from go_modules import cloudnative_pg
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from netns_guard import Connect, Isolated, free_port, isolated

REPO_ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_PORT = 9443  # the operator's default, inside its namespace
STATUS_PORT = 8000  # the instance manager's status port, polled on each pod's IP
OPERATOR_NAMESPACE = "cnpg-system"
CONFIG_NAME = "shipyard-e2e-cnpg"
READY_TIMEOUT = 60.0


def make_pki(directory: Path) -> bytes:
    """A test CA and a serving certificate for 127.0.0.1 (the names CNPG reads from
    `WEBHOOK_CERT_DIR`: apiserver.crt, apiserver.key); returns the CA's PEM."""
    directory.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    run(
        *("req", "-x509", *ec, "-days", "2", "-subj", "/CN=shipyard-e2e-cnpg-webhook-ca"),
        *("-keyout", "ca.key", "-out", "ca.crt"),
        *("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign"),
    )
    run("req", *ec, "-subj", "/CN=127.0.0.1", "-keyout", "apiserver.key", "-out", "server.csr")
    (directory / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n"
    )
    run(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "apiserver.crt"),
    )
    return (directory / "ca.crt").read_bytes()


def webhook_configurations(source: Path, host_port: int, ca_pem: bytes) -> list[dict[str, Any]]:
    """The operator's webhook configurations, pointed at https://127.0.0.1:host_port."""
    bundle = base64.b64encode(ca_pem).decode()
    configs = []
    for doc in yaml.safe_load_all((source / "config" / "webhook" / "manifests.yaml").read_text()):
        if not doc:
            continue
        kind = doc["kind"]
        doc["metadata"] = {
            "name": f"{CONFIG_NAME}-{kind.removesuffix('WebhookConfiguration').lower()}"
        }
        for hook in doc["webhooks"]:
            path = hook["clientConfig"]["service"]["path"]
            hook["clientConfig"] = {
                "url": f"https://127.0.0.1:{host_port}{path}",
                "caBundle": bundle,
            }
            hook["timeoutSeconds"] = 10
        configs.append(doc)
    return configs


def polls_an_instance(pod_ips: set[str]) -> Any:
    """The one attempt the guard lets CloudNativePG make: its status poll of an instance
    pod, on the pod's IP and the instance manager's port (refused by the namespace)."""

    def allowed(connect: Connect) -> bool:
        return connect.address in pod_ips and connect.port == STATUS_PORT

    return allowed


def server_port(kubeconfig: str) -> int:
    """The API server's port on 127.0.0.1, from the kubeconfig."""
    server = yaml.safe_load(Path(kubeconfig).read_text())["clusters"][0]["cluster"]["server"]
    assert server.startswith("https://127.0.0.1:"), server
    return int(server.rsplit(":", 1)[1])


@dataclass
class RunningOperator:
    process: Isolated
    host_port: int
    pod_ips: set[str]


def _active_namespace(core: client.CoreV1Api, name: str) -> None:
    """Create the namespace, waiting out an earlier copy that is still terminating."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if core.read_namespace(name).status.phase == "Active":
                return
        except ApiException as error:
            if error.status != 404:
                raise
            with contextlib.suppress(ApiException):
                core.create_namespace({"metadata": {"name": name}})
            continue
        time.sleep(1)
    raise AssertionError(f"namespace {name} did not become Active")


def _register(admission: client.AdmissionregistrationV1Api, config: dict[str, Any]) -> None:
    if config["kind"] == "MutatingWebhookConfiguration":
        admission.create_mutating_webhook_configuration(config)
    else:
        admission.create_validating_webhook_configuration(config)


def _unregister(admission: client.AdmissionregistrationV1Api, config: dict[str, Any]) -> None:
    name = config["metadata"]["name"]
    with contextlib.suppress(ApiException):
        if config["kind"] == "MutatingWebhookConfiguration":
            admission.delete_mutating_webhook_configuration(name)
        else:
            admission.delete_validating_webhook_configuration(name)


def _webhooks_answer(custom: client.CustomObjectsApi) -> bool:
    """A dry-run Cluster is admitted: the webhooks answer through the bridge."""
    probe = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "webhook-probe"},
        "spec": {"instances": 1, "storage": {"size": "1Gi"}},
    }
    try:
        custom.create_namespaced_custom_object(
            "postgresql.cnpg.io", "v1", OPERATOR_NAMESPACE, "clusters", probe, dry_run="All"
        )
    except ApiException as error:
        if "failed calling webhook" in str(error.body):
            return False
        raise
    return True


@contextlib.contextmanager
def cnpg_operator(
    kube_api: Any, toolchain_bin: Path, kubeconfig: str, workdir: Path
) -> Iterator[RunningOperator]:
    """The operator, isolated and guarded, with its webhooks registered; the CloudNativePG
    CRDs must be applied. Pod IPs the test adds to `pod_ips` may be polled (and refused)."""
    core = client.CoreV1Api(kube_api)
    admission = client.AdmissionregistrationV1Api(kube_api)
    custom = client.CustomObjectsApi(kube_api)
    api_port = server_port(kubeconfig)
    ca = make_pki(workdir / "pki")
    host_port = free_port()
    configs = webhook_configurations(cloudnative_pg(), host_port, ca)
    _active_namespace(core, OPERATOR_NAMESPACE)
    pod_ips: set[str] = set()
    # The operator image carries the instance manager as /operator/manager_<arch>, which
    # the operator finds (relative to its working directory) and hashes to tell which
    # architectures its pods can run: the same binary, put where it looks.
    goarch = {"x86_64": "amd64", "aarch64": "arm64"}[platform.machine()]
    managers = workdir / "operator"
    managers.mkdir(parents=True, exist_ok=True)
    (managers / f"manager_{goarch}").symlink_to((toolchain_bin / "cnpg-manager").resolve())
    env = {
        "KUBECONFIG": kubeconfig,
        "OPERATOR_NAMESPACE": OPERATOR_NAMESPACE,
        "WEBHOOK_CERT_DIR": str(workdir / "pki"),
    }
    command = [
        str(toolchain_bin / "cnpg-manager"),
        *("controller", "--leader-elect=false", f"--webhook-port={WEBHOOK_PORT}"),
        "--metrics-bind-address=127.0.0.1:8080",
    ]
    with isolated(
        "cloudnative-pg",
        command,
        workdir,
        api_port,
        webhook_ports={host_port: WEBHOOK_PORT},
        env=env,
        allow=lambda c: polls_an_instance(pod_ips)(c),
    ) as process:
        for config in configs:
            _register(admission, config)
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while not _webhooks_answer(custom):
                if time.monotonic() > deadline:
                    raise AssertionError(
                        "CloudNativePG's webhooks did not answer:\n" + process.log_text()[-3000:]
                    )
                time.sleep(1)
            yield RunningOperator(process, host_port, pod_ips)
        finally:
            for config in configs:
                _unregister(admission, config)
    with contextlib.suppress(ApiException):
        core.delete_namespace(OPERATOR_NAMESPACE)
