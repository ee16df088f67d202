"""Put operators' real CRDs on the e2e cluster and take them off again.

The CRD files come from the operators' Go modules (`scripts/operator-crds`); the
operators themselves do not run. Deleting a CRD is asynchronous (its instances are
finalized first), so `delete_crds` waits until each one is gone: a later test can
then create the same CRD again without a 409.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException

REPO_ROOT = Path(__file__).resolve().parents[2]
OPERATOR_CRDS = REPO_ROOT / "scripts" / "operator-crds"
TIMEOUT = 120.0


def operators() -> list[str]:
    """Every operator `scripts/operator-crds` can serve."""
    listed = subprocess.run(
        [str(OPERATOR_CRDS), "--list"], capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


def crd_files(*names: str) -> list[Path]:
    result = subprocess.run(
        [str(OPERATOR_CRDS), *names], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    return [Path(line) for line in result.stdout.splitlines()]


def _until(predicate: Any, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _absent(extensions: client.ApiextensionsV1Api, name: str) -> bool:
    try:
        extensions.read_custom_resource_definition(name)
    except ApiException as error:
        if error.status == 404:
            return True
        raise
    return False


def _established(extensions: client.ApiextensionsV1Api, name: str) -> bool:
    conditions = extensions.read_custom_resource_definition(name).status.conditions or []
    return any(c.type == "Established" and c.status == "True" for c in conditions)


def apply_crds(kube_api: Any, paths: list[Path]) -> list[str]:
    """Create every CRD in these files and wait until all are Established; their names.

    A CRD of the same name still being deleted (by an earlier test) is waited out."""
    extensions = client.ApiextensionsV1Api(kube_api)
    crds = [
        doc
        for path in paths
        for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader)
        if doc and doc.get("kind") == "CustomResourceDefinition"
    ]
    names = [crd["metadata"]["name"] for crd in crds]
    _until(lambda: all(_absent(extensions, n) for n in names), "earlier copies of the CRDs to go")
    for crd in crds:
        extensions.create_custom_resource_definition(crd)
    _until(lambda: all(_established(extensions, n) for n in names), "the CRDs to be Established")
    return names


STUCK = "storage is (re)initializing"


def _gone_or_requeued(extensions: client.ApiextensionsV1Api, name: str) -> bool:
    """Whether the CRD is gone; if its finalizer gave up, touch it so that it runs again.

    kube-apiserver 1.34 leaves a CRD deleted soon after its watch cache started in
    Terminating for good ("could not list instances: storage is (re)initializing"): the
    finalizer is retried only when the CRD changes. An annotation is such a change."""
    try:
        crd = extensions.read_custom_resource_definition(name)
    except ApiException as error:
        if error.status == 404:
            return True
        raise
    conditions = (crd.status.conditions or []) if crd.status else []
    if any(c.type == "Terminating" and STUCK in (c.message or "") for c in conditions):
        touch = {"metadata": {"annotations": {"shipyard.dev/requeue": str(time.monotonic())}}}
        try:
            extensions.patch_custom_resource_definition(name, touch)
        except ApiException as error:
            if error.status != 404:
                raise
    return False


def delete_crds(kube_api: Any, names: list[str]) -> None:
    """Delete these CRDs and wait until they are gone."""
    extensions = client.ApiextensionsV1Api(kube_api)
    for name in names:
        try:
            extensions.delete_custom_resource_definition(name)
        except ApiException as error:
            if error.status != 404:
                raise
    _until(lambda: all([_gone_or_requeued(extensions, n) for n in names]), "the CRDs to be deleted")
