"""CloudNativePG's real operator reconciling the Postgres objects Shipyard renders.

The Postgres section of tests/e2e/blueprints/data-services.yaml (`shipyard render
--out`) is created for real: the Cluster, its owner Secret, bootstrap SQL ConfigMap,
Database, ScheduledBackup and NetworkPolicy, admitted by the operator's webhooks. The
operator, isolated in a loopback-only network namespace, then does what it does on any
cluster: it issues the cluster's certificates, creates the Services, claims the volume
(the test binds it to a PersistentVolume, as a provisioner would), runs the initdb Job,
and creates the first instance's pod, which kwok runs.

What it cannot do here, by design: the operator learns an instance's health only from
the instance manager inside the pod, over HTTPS on the pod's IP, port 8000. That is a
10.x address kwok made up, and the namespace refuses the connection (ENETUNREACH), so the
Cluster never reports a healthy primary. The guard allows exactly those polls, and the
test asserts they happened and were refused.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cnpg import STATUS_PORT, RunningOperator, cnpg_operator
from dry_run import load_objects
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from operator_crds import apply_crds, crd_files, delete_crds

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = REPO_ROOT / "tests" / "e2e" / "blueprints" / "data-services.yaml"
POSTGRES_FILES = ("cluster-", "database-", "scheduledbackup-", "configmap-", "secret-")
TIMEOUT = 180.0


def _wait(predicate: Any, what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture(scope="module")
def objects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("render-data-services")
    shipyard = Path(sys.executable).parent / "shipyard"
    result = subprocess.run(
        [str(shipyard), "render", str(BLUEPRINT), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return load_objects(out)


@pytest.fixture(scope="module")
def operator(
    kube_api: Any, kube_cluster: str, toolchain_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningOperator]:
    names = apply_crds(kube_api, crd_files("cloudnative-pg"))
    try:
        workdir = tmp_path_factory.mktemp("cnpg-operator")
        with cnpg_operator(kube_api, toolchain_bin, kube_cluster, workdir) as running:
            yield running
    finally:
        delete_crds(kube_api, names)


def _bind(core: client.CoreV1Api, claim: Any) -> None:
    """A PersistentVolume pre-bound to the claim, as a storage provisioner would make."""
    name = f"e2e-{claim.metadata.namespace}-{claim.metadata.name}"
    volume = {
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": claim.spec.resources.requests["storage"]},
            "accessModes": claim.spec.access_modes,
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": claim.spec.storage_class_name or "",
            "hostPath": {"path": f"/tmp/shipyard-e2e-unused/{name}"},
            "claimRef": {"namespace": claim.metadata.namespace, "name": claim.metadata.name},
        },
    }
    try:
        core.create_persistent_volume(volume)
    except ApiException as error:
        if error.status != 409:
            raise


def test_the_operator_reconciles_the_rendered_postgres(
    objects: dict[str, dict[str, Any]], operator: RunningOperator, kube_api: Any
) -> None:
    core, batch = client.CoreV1Api(kube_api), client.BatchV1Api(kube_api)
    dynamic = DynamicClient(kube_api)
    [namespace] = [m for m in objects.values() if m["kind"] == "Namespace"]
    ns = namespace["metadata"]["name"]
    [cluster] = [m for m in objects.values() if m["kind"] == "Cluster"]
    name = cluster["metadata"]["name"]
    postgres = [
        m
        for file, m in objects.items()
        if file.startswith(POSTGRES_FILES)
        and (m["kind"] != "Secret" or "postgres" in m["metadata"]["name"])
    ]
    assert {m["kind"] for m in postgres} >= {"Cluster", "Database", "ScheduledBackup", "Secret"}
    core.create_namespace(namespace)
    try:
        for manifest in sorted(postgres, key=lambda m: m["kind"] == "Cluster"):
            resource = dynamic.resources.get(
                api_version=manifest["apiVersion"], kind=manifest["kind"]
            )
            dynamic.create(resource, body=manifest, namespace=ns)

        # The volume claim for instance 1, bound by the test as a provisioner would.
        claim = _wait(
            lambda: next(
                iter(
                    core.list_namespaced_persistent_volume_claim(
                        ns, label_selector=f"cnpg.io/cluster={name}"
                    ).items
                ),
                None,
            ),
            "the operator's volume claim",
        )
        assert claim.metadata.name == f"{name}-1"
        assert claim.spec.resources.requests["storage"] == cluster["spec"]["storage"]["size"]
        _bind(core, claim)

        services = _wait(
            lambda: (
                {
                    s.metadata.name: s
                    for s in core.list_namespaced_service(ns).items
                    if s.metadata.name.startswith(f"{name}-")
                }
                if len(core.list_namespaced_service(ns).items) >= 3
                else None
            ),
            "the operator's Services",
        )
        assert {f"{name}-rw", f"{name}-ro", f"{name}-r"} <= set(services)
        assert services[f"{name}-rw"].spec.selector == {
            "cnpg.io/cluster": name,
            "cnpg.io/instanceRole": "primary",
        }
        assert services[f"{name}-rw"].spec.ports[0].port == 5432

        # initdb runs as a Job; kwok completes its pod, the operator moves on.
        job = _wait(
            lambda: next(
                (
                    j
                    for j in batch.list_namespaced_job(ns).items
                    if j.metadata.name.endswith("-initdb")
                ),
                None,
            ),
            "the initdb Job",
        )
        assert job.metadata.name == f"{name}-1-initdb"
        container = job.spec.template.spec.containers[0]
        assert container.image == cluster["spec"]["imageName"]

        def instance() -> Any:
            try:
                pod = core.read_namespaced_pod(f"{name}-1", ns)
            except ApiException as error:
                if error.status == 404:
                    return None
                raise
            ready = any(
                c.type == "Ready" and c.status == "True" for c in pod.status.conditions or []
            )
            return pod if ready and pod.status.pod_ip else None

        pod = _wait(instance, "the first instance pod to run")
        assert pod.metadata.labels["cnpg.io/cluster"] == name
        assert pod.spec.containers[0].image == cluster["spec"]["imageName"]
        operator.pod_ips.add(pod.status.pod_ip)
        # Its health comes from the pod's instance manager, which the operator tries to
        # reach on the pod IP: the namespace refuses that, so the primary never shows up.
        polls = _wait(
            lambda: [
                c
                for c in operator.process.connects()
                if c.address == pod.status.pod_ip and c.port == STATUS_PORT
            ],
            "the operator's status poll of the instance",
        )
        assert all(c.refused_by_namespace for c in polls), [str(c) for c in polls]
        live = dynamic.get(
            dynamic.resources.get(api_version="postgresql.cnpg.io/v1", kind="Cluster"),
            name=name,
            namespace=ns,
        ).to_dict()
        assert live["status"].get("phase") != "Cluster in healthy state"
        assert live["status"]["instances"] == 1
        assert live["status"]["latestGeneratedNode"] == 1
        certificates = live["status"]["certificates"]
        assert certificates["serverCASecret"] == f"{name}-ca"
        assert core.read_namespaced_secret(f"{name}-ca", ns).data["ca.crt"]
    finally:
        core.delete_namespace(ns)
        _wait(lambda: _gone(core, ns), f"namespace {ns} to be deleted")
        for volume in core.list_persistent_volume().items:
            if volume.metadata.name.startswith(f"e2e-{ns}-"):
                core.delete_persistent_volume(volume.metadata.name)


def _gone(core: client.CoreV1Api, namespace: str) -> bool:
    try:
        core.read_namespace(namespace)
    except ApiException as error:
        if error.status == 404:
            return True
        raise
    return False
