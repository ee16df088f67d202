"""Every component is a package that exports its public API, loads its Args without the
Pulumi SDK, and never imports the engine."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest

from components.shared.args import ComponentArgs

COMPONENTS = Path(__file__).resolve().parents[2] / "components"
PACKAGES = sorted(path.name for path in COMPONENTS.iterdir() if (path / "__init__.py").exists())
# The ComponentResource(s) each package exports, with their Args.
RESOURCES = {
    "app": {"AppService": "AppServiceArgs"},
    "cache": {"ManagedCache": "ManagedCacheArgs", "ValkeyCache": "ValkeyCacheArgs"},
    "clickhouse": {"ClickHouse": "ClickHouseArgs"},
    "eks": {"EksCluster": "EksClusterArgs"},
    "gateway": {"AiGateway": "GatewayArgs"},
    "gitops_reconciler": {"GitopsReconciler": "GitopsReconcilerArgs"},
    "helm_chart": {"PinnedChart": "PinnedChartArgs"},
    "kafka": {"Kafka": "KafkaArgs"},
    "manifests": {"PlainManifests": "PlainManifestsArgs"},
    "minio": {"Minio": "MinioArgs"},
    "monitoring": {"Monitoring": "MonitoringArgs"},
    "node_pool": {"NodePool": "NodePoolArgs"},
    "postgres": {"Postgres": "PostgresArgs"},
    "ray": {"KubeRayOperator": "KubeRayOperatorArgs", "RayCluster": "RayClusterArgs"},
    "s3": {"S3Bucket": "S3BucketArgs"},
    "vllm": {"VllmService": "VllmServiceArgs"},
    "vllm_router": {"VllmRouter": "VllmRouterArgs"},
}


def test_every_package_is_listed() -> None:
    assert sorted([*RESOURCES, "shared"]) == PACKAGES


@pytest.mark.parametrize("package", sorted(RESOURCES))
def test_the_package_exports_its_component_and_args(package: str) -> None:
    module = importlib.import_module(f"components.{package}")
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    for name, args in RESOURCES[package].items():
        assert issubclass(getattr(module, name), pulumi.ComponentResource), name
        assert issubclass(getattr(module, args), ComponentArgs), args


def test_args_load_without_the_pulumi_sdk() -> None:
    imports = "; ".join(f"import components.{package}" for package in PACKAGES)
    code = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.startswith('pulumi')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_components_never_import_the_engine() -> None:
    for path in COMPONENTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(name.split(".")[0] in ("shipyard", "stacks") for name in names), path
