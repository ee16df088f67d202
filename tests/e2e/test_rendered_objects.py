"""Every object dev, prod and every example blueprint render, through the real API server.

`shipyard render --out` writes each blueprint's objects; each goes through a server-side
dry run (`dryRun=All`, `fieldValidation=Strict`) on the e2e cluster with every operator
CRD that can be had installed (`scripts/operator-crds`) and CloudNativePG's own operator
serving its admission webhooks (by URL on 127.0.0.1, `cnpg.py`). So the API server
checks each built-in object, each custom resource's schema and CEL rules, and each
Postgres `Cluster`, `Database` and `ScheduledBackup` is admitted by CNPG's webhooks, not
only by its CRD. The ClickHouse objects are the one exception: no ClickHouse operator
CRD can be had here (docs/e2e.md), so the API server serves no such kind.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cnpg import RunningOperator, cnpg_operator
from dry_run import Verdict, dry_run, load_objects
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from operator_crds import apply_crds, crd_files, delete_crds, operators

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = {
    path.stem: path
    for path in [
        REPO_ROOT / "blueprints" / "dev.yaml",
        REPO_ROOT / "blueprints" / "prod.yaml",
        *sorted((REPO_ROOT / "blueprints" / "examples").glob("*.yaml")),
    ]
}
CLICKHOUSE_KINDS = {
    "clickhouse.altinity.com/v1/ClickHouseInstallation",
    "clickhouse-keeper.altinity.com/v1/ClickHouseKeeperInstallation",
}
CNPG_KINDS = {
    f"postgresql.cnpg.io/v1/{kind}" for kind in ("Cluster", "Database", "ScheduledBackup")
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, Any]]]:
    """Blueprint name -> file -> object, as `shipyard render BLUEPRINT --out DIR` wrote them."""
    shipyard = Path(sys.executable).parent / "shipyard"
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, blueprint in BLUEPRINTS.items():
        directory = tmp_path_factory.mktemp(f"render-{name}")
        result = subprocess.run(
            [str(shipyard), "render", str(blueprint), "--out", str(directory)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"{name}: {result.stderr}"
        out[name] = load_objects(directory)
        assert out[name], name
    return out


@pytest.fixture(scope="module")
def every_crd(kube_api: Any) -> Iterator[list[str]]:
    names: list[str] = []
    try:
        for operator in operators():
            names += apply_crds(kube_api, crd_files(operator))
        yield names
    finally:
        delete_crds(kube_api, names)


@pytest.fixture(scope="module")
def cnpg(
    every_crd: list[str],
    kube_api: Any,
    kube_cluster: str,
    toolchain_bin: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningOperator]:
    with cnpg_operator(
        kube_api, toolchain_bin, kube_cluster, tmp_path_factory.mktemp("cnpg")
    ) as running:
        yield running


@pytest.fixture(scope="module")
def dynamic(kube_api: Any, every_crd: list[str]) -> DynamicClient:
    return DynamicClient(kube_api)


@pytest.fixture(scope="module")
def namespaces(kube_api: Any, rendered: dict[str, dict[str, dict[str, Any]]]) -> Iterator[set[str]]:
    """Every rendered Namespace, created for real (a dry-run object needs its namespace)."""
    core = client.CoreV1Api(kube_api)
    made: set[str] = set()
    try:
        for objects in rendered.values():
            for manifest in objects.values():
                name = manifest["metadata"]["name"]
                if manifest["kind"] == "Namespace" and name not in made:
                    core.create_namespace(manifest)
                    made.add(name)
        yield made
    finally:
        for name in made:
            try:
                core.delete_namespace(name)
            except ApiException as error:
                if error.status != 404:
                    raise


@pytest.fixture(scope="module")
def verdicts(
    rendered: dict[str, dict[str, dict[str, Any]]],
    dynamic: DynamicClient,
    namespaces: set[str],
    cnpg: RunningOperator,
) -> dict[str, list[Verdict]]:
    return {
        name: [
            dry_run(dynamic, manifest, file)
            for file, manifest in objects.items()
            if manifest["kind"] != "Namespace"
        ]
        for name, objects in rendered.items()
    }


def own_crd_kinds(objects: dict[str, dict[str, Any]]) -> set[str]:
    """`group/version/Kind` of every custom kind the rendered CRDs define."""
    return {
        f"{m['spec']['group']}/{version['name']}/{m['spec']['names']['kind']}"
        for m in objects.values()
        if m["kind"] == "CustomResourceDefinition"
        for version in m["spec"]["versions"]
    }


@pytest.mark.parametrize("name", sorted(BLUEPRINTS))
def test_every_rendered_object_is_admitted(
    name: str, verdicts: dict[str, list[Verdict]], rendered: dict[str, dict[str, dict[str, Any]]]
) -> None:
    refused = {v.file: v.message for v in verdicts[name] if not v.accepted and v.served}
    assert refused == {}
    unserved = {v.kind for v in verdicts[name] if not v.served}
    # Custom resources of CRDs the blueprint's own manifests define (KubeAGI's Datasource):
    # a dry run creates no CRD, so their kinds are not served; the CRDs themselves are
    # admitted above, and `shipyard validate` checked the resources against them.
    expected = CLICKHOUSE_KINDS | own_crd_kinds(rendered[name])
    assert unserved <= expected
    kinds = {f"{m['apiVersion']}/{m['kind']}" for m in rendered[name].values()}
    assert unserved == kinds & expected
    # Every object but the Namespaces (created for real: the platform's, and those of charts
    # installed into a namespace of their own, as Kamiwaza's) was dry-run.
    made = [m for m in rendered[name].values() if m["kind"] == "Namespace"]
    assert made
    assert len(verdicts[name]) == len(rendered[name]) - len(made)


def test_the_blueprints_cover_every_kind_shipyard_renders(
    verdicts: dict[str, list[Verdict]],
) -> None:
    """The run is not vacuous: operators' kinds are among what was admitted."""
    admitted = {v.kind for vs in verdicts.values() for v in vs if v.accepted}
    assert admitted >= CNPG_KINDS
    assert {
        "karpenter.sh/v1/NodePool",
        "karpenter.k8s.aws/v1/EC2NodeClass",
        "ray.io/v1/RayCluster",
        "ray.io/v1/RayService",
        "keda.sh/v1alpha1/ScaledObject",
        "kafka.strimzi.io/v1/Kafka",
        "cert-manager.io/v1/Certificate",
        "apps/v1/Deployment",
        "networking.k8s.io/v1/NetworkPolicy",
    } <= admitted


def test_postgres_clusters_went_through_cnpgs_mutating_webhook(
    verdicts: dict[str, list[Verdict]],
) -> None:
    """CNPG's defaulting webhook (not its CRD) fills `postgresql.parameters`: every
    admitted Cluster comes back with the operator's defaults in place."""
    clusters = [
        v for vs in verdicts.values() for v in vs if v.kind == "postgresql.cnpg.io/v1/Cluster"
    ]
    assert len(clusters) >= 2
    for verdict in clusters:
        assert verdict.returned is not None
        parameters = verdict.returned["spec"]["postgresql"]["parameters"]
        assert parameters["wal_level"] == "logical", verdict.file
        assert parameters["ssl_min_protocol_version"] == "TLSv1.3", verdict.file


def test_cnpgs_validating_webhook_refuses_what_the_crd_accepts(
    rendered: dict[str, dict[str, dict[str, Any]]], dynamic: DynamicClient, cnpg: RunningOperator
) -> None:
    [cluster] = [m for m in rendered["prod"].values() if m["kind"] == "Cluster"]
    fixed = copy.deepcopy(cluster)
    fixed["spec"].setdefault("postgresql", {}).setdefault("parameters", {})["port"] = "5433"
    verdict = dry_run(dynamic, fixed)
    assert not verdict.accepted
    assert 'admission webhook "vcluster.cnpg.io" denied the request' in verdict.message
    assert "port" in verdict.message


def test_strict_field_validation_refuses_an_unknown_field(
    rendered: dict[str, dict[str, dict[str, Any]]], dynamic: DynamicClient, namespaces: set[str]
) -> None:
    [deployment, *_] = [m for m in rendered["dev"].values() if m["kind"] == "Deployment"]
    typo = copy.deepcopy(deployment)
    typo["spec"]["replica"] = 1
    verdict = dry_run(dynamic, typo)
    assert not verdict.accepted
    assert 'unknown field "spec.replica"' in verdict.message


def test_prods_ec2_node_class_keeps_its_deploy_time_role(
    rendered: dict[str, dict[str, dict[str, Any]]], dynamic: DynamicClient
) -> None:
    """Karpenter's CRD requires exactly one of `role` and `instanceProfile`: the role's
    placeholder is admitted; without it the API server's CEL rule refuses the object."""
    [node_class] = [m for m in rendered["prod"].values() if m["kind"] == "EC2NodeClass"]
    assert node_class["spec"]["role"].startswith("<computed at deploy: ")
    assert dry_run(dynamic, node_class).accepted
    dropped = copy.deepcopy(node_class)
    del dropped["spec"]["role"]
    verdict = dry_run(dynamic, dropped)
    assert not verdict.accepted
    assert "must specify exactly one of ['role', 'instanceProfile']" in verdict.message
