"""The README's `pulumi up` of the dev stack, run literally: the built `pulumi` CLI and
Python language host, through `Pulumi.yaml`, the project `.venv` and its stack config,
with the real KubeRay operator reconciling the RayCluster.

In a copy of the project (so the test never writes stack config or state into the
repository), as a user's shell would:

    source .venv/bin/activate        # the v3.68 host ignores Pulumi.yaml's `virtualenv`
    export PULUMI_CONFIG_PASSPHRASE=...
    pulumi stack select --create dev
    pulumi config set --secret shipyard:gatewayMasterKey sk-...
    pulumi preview --policy-pack policies   # refused by the old host: see below
    pulumi preview
    pulumi up --yes                  # KubeRay from the local chart (`operatorChartPath`)
    pulumi up --yes --expect-no-changes
    <edit the blueprint>; pulumi up --yes
    pulumi destroy --yes

The dev blueprint is used as written, with `installOperator: true`; the only change is
`operatorChartPath`, the chart of the pinned KubeRay release from its Go module (the
chart repository is out of reach). The operator that chart deploys is a kwok pod that
runs nothing, so the real one, built from the same release, runs on the host in a
loopback-only network namespace (`netns_guard`). Every `pulumi` command runs under the
connect() guard too: the engine, language host and provider reach only loopback.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cnpg import server_port
from go_modules import kuberay_chart
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from netns_guard import Isolated, isolated, off_loopback, traced
from operator_crds import delete_crds

from shipyard.blueprint import load_blueprint
from shipyard.sections.node_pools.scheduling import pool_scheduling

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("Pulumi.yaml", ".pulumi-state", "stacks", "blueprints", "policies")
TIMEOUT = 180.0
PASSPHRASE = "shipyard-e2e-readme"
POLICY_PACK_REFUSAL = "Missing required configuration variable 'shipyard:blueprint'"


def _wait(predicate: Any, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def summary(output: str) -> dict[str, int]:
    """The `Resources:` block of a preview/up/destroy: verb -> count."""
    block = output.rsplit("Resources:", 1)[-1]
    counts = {}
    for count, verb in re.findall(
        r"^\s+[+~-]? ?(\d+) (to create|created|to update|updated|"
        r"to delete|deleted|unchanged|errored)",
        block,
        re.M,
    ):
        counts[verb] = int(count)
    return counts


class Shell:
    """`pulumi ...` in the project copy, with the environment the README sets up."""

    def __init__(self, project: Path, env: dict[str, str], traces: Path) -> None:
        self.project, self.env, self.traces = project, env, traces
        self.runs = 0

    def pulumi(self, *args: str, expect_ok: bool = True) -> str:
        self.runs += 1
        trace = self.traces / f"{self.runs:02d}-pulumi-{args[0]}.strace"
        result = subprocess.run(
            traced(["pulumi", *args], trace),
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = result.stdout + result.stderr
        assert (result.returncode == 0) == expect_ok, f"pulumi {' '.join(args)}:\n{output}"
        # preview, up and destroy talk to their plugins (and the API server) over loopback.
        engine = args[0] in ("preview", "up", "destroy")
        off_loopback(f"pulumi {' '.join(args)}", trace, lambda connect: False, engine)
        return output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project as a user has it: Pulumi.yaml, stacks/, blueprints/, policies/ and the
    `.venv` (a link to the repository's), dev.yaml pointing KubeRay at the local chart."""
    root = tmp_path / "shipyard"
    root.mkdir()
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    (root / ".venv").symlink_to(REPO_ROOT / ".venv")
    # A fresh state dir: only .gitkeep comes along.
    assert [p.name for p in (root / ".pulumi-state").iterdir()] == [".gitkeep"]
    dev = root / "blueprints" / "dev.yaml"
    text = dev.read_text()
    chart = kuberay_chart()
    assert (chart / "Chart.yaml").is_file(), chart
    assert "    installOperator: true\n" in text
    dev.write_text(
        text.replace(
            "    installOperator: true\n",
            f"    installOperator: true\n    operatorChartPath: {chart}\n",
        )
    )
    return root


@pytest.fixture
def shell(
    project: Path, tmp_path: Path, toolchain_bin: Path, pulumi_home: Path, kube_cluster: str
) -> Iterator[Shell]:
    venv = project / ".venv"
    env = {
        key: value
        for key, value in os.environ.items()
        # `make e2e` exports PULUMI_BACKEND_URL for the repository's own state: Pulumi.yaml's
        # `backend` must decide here, as it does for a user.
        if not key.startswith("PULUMI_") and key not in ("VIRTUAL_ENV", "KUBECONFIG")
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{toolchain_bin}{os.pathsep}{os.environ['PATH']}",
        VIRTUAL_ENV=str(venv),
        PULUMI_HOME=str(pulumi_home),
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        KUBECONFIG=kube_cluster,
    )
    traces = tmp_path / "traces"
    traces.mkdir()
    yield Shell(project, env, traces)
    # A test that failed half way leaves a stack: destroy it, so later tests find a clean
    # cluster (a no-op when the test's own `pulumi destroy` ran).
    if (project / ".pulumi-state" / ".pulumi" / "stacks").is_dir():
        cleanup = subprocess.run(
            ["pulumi", "destroy", "--yes", "--stack", "dev"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert cleanup.returncode == 0, (
            f"teardown: pulumi destroy:\n{cleanup.stdout}{cleanup.stderr}"
        )


@pytest.fixture
def kuberay(kube_api: Any, kube_cluster: str, toolchain_bin: Path, tmp_path: Path) -> Iterator[Any]:
    """Starts the real operator on demand (once the chart's CRDs exist); stops it and
    removes the CRDs Helm leaves behind on uninstall."""
    running: list[Isolated] = []
    stack = contextlib.ExitStack()

    def start() -> Isolated:
        command = [
            str(toolchain_bin / "kuberay-operator"),
            *("--kubeconfig", kube_cluster, "--enable-leader-election=false"),
            *("--metrics-addr=127.0.0.1:8080", "--health-probe-bind-address=127.0.0.1:8082"),
            "--log-stdout-encoder=console",
        ]
        process = stack.enter_context(
            isolated("kuberay", command, tmp_path / "kuberay", server_port(kube_cluster))
        )
        running.append(process)
        return process

    try:
        yield start
    finally:
        stack.close()
        crds = [
            doc["metadata"]["name"]
            for path in sorted((kuberay_chart() / "crds").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text())
            if doc
        ]
        delete_crds(kube_api, crds)


def _ready(pod: Any) -> bool:
    return pod.status.phase == "Running" and any(
        c.type == "Ready" and c.status == "True" for c in pod.status.conditions or []
    )


def _namespace_absent(core: client.CoreV1Api, name: str) -> bool:
    try:
        core.read_namespace(name)
    except ApiException as error:
        if error.status == 404:
            return True
        raise
    return False


def test_the_readme_commands_deploy_the_dev_stack(
    shell: Shell, project: Path, kube_api: Any, kuberay: Any
) -> None:
    platform = load_blueprint(project / "blueprints" / "dev.yaml")
    namespace = platform.namespace
    ray = platform.spec.ray
    assert ray is not None and ray.install_operator and ray.operator_chart_path
    [group] = ray.worker_groups
    pool = platform.pool(group.node_pool)
    assert pool is not None
    scheduling = pool_scheduling(pool)
    core, apps = client.CoreV1Api(kube_api), client.AppsV1Api(kube_api)
    custom = client.CustomObjectsApi(kube_api)

    shell.pulumi("stack", "select", "--create", "dev")
    master_key = "sk-e2e-" + uuid.uuid4().hex
    shell.pulumi("config", "set", "--secret", "shipyard:gatewayMasterKey", master_key)
    config = yaml.safe_load((project / "stacks" / "Pulumi.dev.yaml").read_text())
    assert config["config"]["shipyard:blueprint"] == "blueprints/dev.yaml"
    assert set(config["config"]["shipyard:gatewayMasterKey"]) == {"secure"}

    # The v3.68 host cannot start the policy pack under CLI 3.259 (docs/e2e.md): the CLI
    # sends the pack's directory only in RunPluginRequest.info and leaves the old
    # `program` field empty, so the host runs `python ''` in the stack's directory, which
    # is the stack program itself. tests/e2e/test_policy_pack.py runs the pack instead.
    refused = shell.pulumi("preview", "--policy-pack", "policies", expect_ok=False)
    assert POLICY_PACK_REFUSAL in refused
    assert 'policy pack "' in refused and "failed to start" in refused

    preview = shell.pulumi("preview")
    created = summary(preview)["to create"]
    assert created >= 15, preview

    up = shell.pulumi("up", "--yes")
    assert summary(up) == {"created": created}, up
    assert (project / ".pulumi-state" / ".pulumi" / "stacks" / "shipyard").is_dir()
    deployment = apps.read_namespaced_deployment(platform.spec.models[0].name, namespace)
    assert deployment.status.available_replicas == 1
    # The chart's operator Deployment is a kwok pod; its CRDs are real.
    chart_operator = apps.read_namespaced_deployment("kuberay-operator", namespace)
    assert chart_operator.spec.template.spec.containers[0].image.endswith(":v1.6.2")

    operator = kuberay()

    def pods(component: str) -> list[Any]:
        selector = f"ray.io/cluster={ray.name},ray.io/node-type={component}"
        return core.list_namespaced_pod(namespace, label_selector=selector).items

    _wait(lambda: len(pods("head")) == 1 and _ready(pods("head")[0]), "the Ray head pod")

    # The autoscaler runs in the head pod, which kwok does not run: make its one write,
    # the worker group's `replicas`, as it would on demand.
    def ray_cluster() -> dict[str, Any]:
        return custom.get_namespaced_custom_object(  # type: ignore[no-any-return]
            "ray.io", "v1", namespace, "rayclusters", ray.name
        )

    groups = ray_cluster()["spec"]["workerGroupSpecs"]
    assert [g["groupName"] for g in groups] == [group.name]
    groups[0]["replicas"] = 1
    custom.patch_namespaced_custom_object(
        "ray.io", "v1", namespace, "rayclusters", ray.name, {"spec": {"workerGroupSpecs": groups}}
    )
    _wait(lambda: len(pods("worker")) == 1 and _ready(pods("worker")[0]), "the Ray worker pod")
    worker = pods("worker")[0]
    node = core.read_node(worker.spec.node_name)
    for key, value in scheduling.node_selector.items():
        assert node.metadata.labels[key] == value
    assert worker.spec.containers[0].resources.limits["nvidia.com/gpu"] == str(
        group.gpus_per_worker
    )
    _wait(lambda: ray_cluster().get("status", {}).get("state") == "ready", "RayCluster ready")
    # The autoscaler's own view of the cluster (Ray's KubeRay node provider, from the
    # RayCluster as the API server holds it) matches the blueprint's pools.
    from ray.autoscaler._private.kuberay.autoscaling_config import (
        _derive_autoscaling_config_from_ray_cr,
    )

    node_types = _derive_autoscaling_config_from_ray_cr(ray_cluster())["available_node_types"]
    assert set(node_types) == {"headgroup", group.name}
    view = node_types[group.name]
    assert (view["min_workers"], view["max_workers"]) == (group.min_replicas, group.max_replicas)
    assert view["resources"]["GPU"] == group.gpus_per_worker <= scheduling.gpus_per_node
    assert group.max_replicas * group.gpus_per_worker <= pool.size.max * scheduling.gpus_per_node
    assert view["resources"]["CPU"] == int(group.resources.cpu)
    assert "GPU" not in node_types["headgroup"]["resources"] or (
        node_types["headgroup"]["resources"]["GPU"] == 0
    )

    again = shell.pulumi("up", "--yes", "--expect-no-changes")
    assert summary(again) == {"unchanged": created}, again

    dev = project / "blueprints" / "dev.yaml"
    dev.write_text(dev.read_text().replace("      replicas: 1\n", "      replicas: 2\n", 1))
    edited = shell.pulumi("up", "--yes")
    assert summary(edited) == {"updated": 1, "unchanged": created - 1}, edited
    model = platform.spec.models[0].name
    _wait(
        lambda: apps.read_namespaced_deployment(model, namespace).status.available_replicas == 2,
        "two model replicas",
    )

    destroyed = shell.pulumi("destroy", "--yes")
    assert summary(destroyed) == {"deleted": created}, destroyed
    _wait(lambda: _namespace_absent(core, namespace), f"namespace {namespace} to be deleted")
    assert "RayCluster" in operator.log_text()
