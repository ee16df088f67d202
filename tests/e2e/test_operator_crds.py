"""Every operator's real CRDs, from its Go module, installed on the e2e cluster.

The custom resources Shipyard renders (KubeRay, KEDA, Gateway API, CloudNativePG,
cert-manager, Strimzi, Karpenter and the Prometheus Operator) need their CRDs on the
cluster; this shows the API server accepts and serves each one (Established, listed by
discovery), then removes them.
Strimzi's come from its Maven Central artifact, the others from their Go modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client
from operator_crds import apply_crds, crd_files, delete_crds, operators

pytestmark = pytest.mark.e2e

# One CRD per operator that Shipyard renders or will render.
EXPECTED = {
    "kuberay": "rayclusters.ray.io",
    "keda": "scaledobjects.keda.sh",
    "gateway-api": "httproutes.gateway.networking.k8s.io",
    "cloudnative-pg": "clusters.postgresql.cnpg.io",
    "cert-manager": "certificates.cert-manager.io",
    "strimzi": "kafkas.kafka.strimzi.io",
    "karpenter": "ec2nodeclasses.karpenter.k8s.aws",
    "prometheus-operator": "podmonitors.monitoring.coreos.com",
}


@pytest.fixture
def installed(kube_api: Any) -> Iterator[dict[str, list[str]]]:
    """Operator -> the names of its CRDs, applied for this test and deleted after it."""
    names: dict[str, list[str]] = {}
    try:
        for operator in operators():
            names[operator] = apply_crds(kube_api, crd_files(operator))
        yield names
    finally:
        delete_crds(kube_api, [n for crds in names.values() for n in crds])


def test_every_operators_crds_are_established_and_served(
    kube_api: Any, installed: dict[str, list[str]]
) -> None:
    assert sorted(installed) == sorted(EXPECTED)
    for operator, crd in EXPECTED.items():
        assert crd in installed[operator], f"{operator}: {installed[operator]}"
    extensions = client.ApiextensionsV1Api(kube_api)
    apis = client.ApisApi(kube_api).get_api_versions()
    served = {version.group_version for group in apis.groups for version in group.versions}
    for operator, names in installed.items():
        for name in names:
            crd = extensions.read_custom_resource_definition(name)
            for version in crd.spec.versions:
                if version.served:
                    assert f"{crd.spec.group}/{version.name}" in served, (operator, name)
    assert "gateway.networking.k8s.io/v1" in served
    assert "postgresql.cnpg.io/v1" in served
    assert "kafka.strimzi.io/v1" in served
    assert "karpenter.sh/v1" in served
    assert "monitoring.coreos.com/v1" in served
