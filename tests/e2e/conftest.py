"""End-to-end harness: the real Pulumi engine against a real Kubernetes API server.

Fixtures:
  toolchain_bin   bin dir of scripts/toolchain (pulumi, pulumi-resource-kubernetes, ...)
  kube_cluster    kubeconfig path: $SHIPYARD_KUBECONFIG, else pytest-kind (Docker + kind),
                  else a local binary cluster started with scripts/local-cluster (session)
  kube_api        kubernetes.client.ApiClient for kube_cluster
  kwok_nodes      names of the fake nodes kwok manages
  pulumi_stack    factory: pulumi_stack(project, program, config=...) -> automation Stack,
                  file backend in a temp dir, passphrase secrets; destroyed and removed in teardown

Programs run through the Automation API as inline programs: the Python SDK serves the
language runtime in-process and the CLI is pointed at it (`--client`), because the Go module
proxy reachable here does not serve the `pulumi-language-python` host module. The engine,
the CLI and the Kubernetes provider are the real binaries built by scripts/toolchain.
"""

from __future__ import annotations

import json
import os
import random
import runpy
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = REPO_ROOT / "scripts"
E2E_DIR = Path(__file__).resolve().parent
SAMPLE_NODES = E2E_DIR / "kwok-nodes.sample.json"
PASSPHRASE = "shipyard-e2e"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "e2e: end-to-end test against a real Kubernetes API server and the real Pulumi engine",
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects, so every test here counts as e2e
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def toolchain_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (SCRIPTS / "toolchain.versions").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


# --- toolchain ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def toolchain_bin() -> Path:
    env_bin = os.environ.get("SHIPYARD_TOOLCHAIN_BIN")
    if env_bin:
        bin_dir = Path(env_bin)
    else:
        bin_dir = Path(
            subprocess.run(
                [str(SCRIPTS / "toolchain"), "--print-bin-dir"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    missing = [
        b for b in ("pulumi", "pulumi-resource-kubernetes") if not os.access(bin_dir / b, os.X_OK)
    ]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not built in {bin_dir}: run scripts/toolchain first",
            pytrace=False,
        )
    return bin_dir


# --- cluster -----------------------------------------------------------------------------


def _docker_and_kind() -> bool:
    if not (shutil.which("docker") and shutil.which("kind")):
        return False
    try:
        import pytest_kind  # noqa: F401
    except ImportError:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def _free_port_triplet() -> int:
    """A port P with P, P-4064 and P-4063 free on 127.0.0.1 (apiserver, etcd client, etcd peer)."""

    def free(p: int) -> bool:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
                return True
            except OSError:
                return False

    for _ in range(200):
        p = random.randint(24000, 32000)
        if free(p) and free(p - 4064) and free(p - 4063):
            return p
    raise RuntimeError("no free port triplet on 127.0.0.1")


@pytest.fixture(scope="session")
def kube_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env_kubeconfig = os.environ.get("SHIPYARD_KUBECONFIG")
    if env_kubeconfig:
        if not Path(env_kubeconfig).is_file():
            pytest.fail(f"SHIPYARD_KUBECONFIG={env_kubeconfig} does not exist", pytrace=False)
        yield env_kubeconfig
        return

    if _docker_and_kind():
        from pytest_kind import KindCluster

        cluster = KindCluster(f"shipyard-e2e-{uuid.uuid4().hex[:6]}")
        cluster.create()
        try:
            yield str(cluster.kubeconfig_path)
        finally:
            cluster.delete()
        return

    # Local binary cluster in its own state dir and ports, torn down at the end of the session.
    state = tmp_path_factory.mktemp("local-cluster")
    env = dict(
        os.environ, SHIPYARD_CLUSTER_DIR=str(state), SHIPYARD_CLUSTER_PORT=str(_free_port_triplet())
    )
    nodes = os.environ.get("SHIPYARD_KWOK_NODES") or str(SAMPLE_NODES)
    script = str(SCRIPTS / "local-cluster")
    try:
        up = subprocess.run(
            [script, "up", "--nodes", nodes], env=env, capture_output=True, text=True
        )
        if up.returncode != 0:
            pytest.fail(f"scripts/local-cluster up failed:\n{up.stderr}", pytrace=False)
        yield up.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "down"], env=env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def kube_api(kube_cluster: str):
    from kubernetes import config

    return config.new_client_from_config(config_file=kube_cluster)


@pytest.fixture(scope="session")
def kwok_nodes(kube_api) -> list[str]:
    from kubernetes import client

    nodes = client.CoreV1Api(kube_api).list_node().items
    names = [
        n.metadata.name
        for n in nodes
        if (n.metadata.annotations or {}).get("kwok.x-k8s.io/node") == "fake"
    ]
    assert len(names) >= 2, f"expected at least two kwok nodes, found {names}"
    return names


# --- pulumi ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pulumi_home(toolchain_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PULUMI_HOME holding the Kubernetes provider built by scripts/toolchain, so that the
    engine never tries to download a plugin."""
    home = tmp_path_factory.mktemp("pulumi-home")
    version = toolchain_versions()["PULUMI_KUBERNETES_PLUGIN_VERSION"]
    subprocess.run(
        [
            str(toolchain_bin / "pulumi"),
            "plugin",
            "install",
            "resource",
            "kubernetes",
            f"v{version}",
            "--file",
            str((toolchain_bin / "pulumi-resource-kubernetes").resolve()),
        ],
        env=_pulumi_env(toolchain_bin, home),
        check=True,
        capture_output=True,
    )
    return home


def _pulumi_env(toolchain_bin: Path, home: Path) -> dict[str, str]:
    return {
        "PATH": f"{toolchain_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # Use the provider installed into PULUMI_HOME (at the SDK's plugin version), not $PATH.
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
    }


def load_program(path: str | Path) -> Callable[[], None]:
    """A Pulumi program directory (with __main__.py) or file, as an inline program."""
    path = Path(path).resolve()
    main = path / "__main__.py" if path.is_dir() else path
    if not main.is_file():
        raise FileNotFoundError(main)

    def program() -> None:
        cwd, sys_path = os.getcwd(), list(sys.path)
        os.chdir(main.parent)
        sys.path.insert(0, str(main.parent))
        try:
            runpy.run_path(str(main), run_name="__main__")
        finally:
            os.chdir(cwd)
            sys.path[:] = sys_path

    return program


Program = Callable[[], None] | str | Path


@pytest.fixture
def pulumi_stack(toolchain_bin: Path, pulumi_home: Path, tmp_path_factory: pytest.TempPathFactory):
    """Factory: ``pulumi_stack(project, program, config={...}, stack="e2e")`` returns an
    automation ``Stack`` on a file backend in a temp dir. Every stack made is destroyed and
    removed in teardown, even when the test failed."""
    from pulumi import automation as auto

    made: list[auto.Stack] = []

    def make(
        project: str,
        program: Program,
        config: Mapping[str, object] | None = None,
        stack: str = "e2e",
    ):
        root = tmp_path_factory.mktemp(f"pulumi-{project}")
        backend, work = root / "backend", root / "work"
        backend.mkdir()
        work.mkdir()
        fn = program if callable(program) else load_program(program)
        env = _pulumi_env(toolchain_bin, pulumi_home)
        env["PULUMI_BACKEND_URL"] = backend.as_uri()
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work),
            pulumi_home=str(pulumi_home),
            env_vars=env,
            secrets_provider="passphrase",
            pulumi_command=auto.PulumiCommand(
                root=str(toolchain_bin.parent), skip_version_check=True
            ),
            project_settings=auto.ProjectSettings(
                name=project, runtime="python", backend=auto.ProjectBackend(url=backend.as_uri())
            ),
        )
        st = auto.create_stack(stack_name=stack, project_name=project, program=fn, opts=opts)
        made.append(st)
        for key, value in (config or {}).items():
            if isinstance(value, auto.ConfigValue):
                st.set_config(key, value)
            else:
                st.set_config(key, auto.ConfigValue(value=str(value)))
        return st

    yield make

    errors = []
    for st in reversed(made):
        try:
            st.destroy(on_output=lambda line: None)
            st.workspace.remove_stack(st.name)
        except Exception as exc:  # report every failed teardown, not only the first
            errors.append(f"{st.name}: {exc}")
    if errors:
        pytest.fail("pulumi teardown failed:\n" + "\n".join(errors), pytrace=False)


def change_counts(summary: Mapping[str, int] | None) -> dict[str, int]:
    """Non-'same' entries of an up/preview change summary."""
    return {k: v for k, v in (summary or {}).items() if k != "same" and v}


def export_resources(stack) -> list[dict]:
    return stack.export_stack().deployment.get("resources") or []


def dump(obj) -> str:
    return json.dumps(obj, indent=2, default=str)


@pytest.fixture(scope="session")
def policy_analyzer(toolchain_bin: Path, pulumi_home: Path) -> Path:
    """policies/bin's launcher, installed as the `policy-python` analyzer plugin in the
    harness's PULUMI_HOME, so `--policy-pack policies` works without the language host.
    Returns the PULUMI_HOME."""
    subprocess.run(
        [
            str(toolchain_bin / "pulumi"),
            *("plugin", "install", "analyzer", "policy-python", "v0.1.0"),
            *("--file", str(REPO_ROOT / "policies" / "bin" / "pulumi-analyzer-policy-python")),
        ],
        env=_pulumi_env(toolchain_bin, pulumi_home),
        check=True,
        capture_output=True,
    )
    return pulumi_home


def pulumi_env(toolchain_bin: Path, pulumi_home: Path) -> dict[str, str]:
    """The harness's Pulumi environment (PATH, PULUMI_HOME, passphrase, no plugin downloads),
    for a process the test starts itself."""
    return _pulumi_env(toolchain_bin, pulumi_home)
