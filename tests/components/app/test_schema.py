"""Every kind an app renders, checked against the Kubernetes 1.34 OpenAPI schema
(strict: unknown fields fail) and KEDA's and Gateway API's real CRDs (closed schemas)."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import pytest

from components.app.args import (
    AppExposure,
    AppPort,
    AppServiceArgs,
    Autoscaling,
    KafkaLagTrigger,
    VolumeClaim,
)
from components.app.manifests import (
    render_bindings_config_map,
    render_pod_disruption_budget,
    render_service_account,
    render_services,
    render_workload,
)
from components.app.network import render_http_route, render_ingress, render_network_policy
from components.app.scaling import render_hpa, render_scaled_object, render_trigger_authentication
from components.gateway.args import Exposure, ParentRef
from components.shared.secret_refs import SecretKeyRef
from tests.components.app.test_bindings import KAFKA
from tests.components.crd_schemas import crd_paths, load_schemas, validate

KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
BASE = AppServiceArgs(
    namespace="llm",
    image="registry.example.com/acme/api:1.0.0",
    ports=(AppPort(name="http", port=8080),),
    replicas=2,
    bindings=(KAFKA,),
)
LAG = KafkaLagTrigger(
    bootstrap_servers="events-kafka-bootstrap.llm.svc:9093",
    consumer_group="workers",
    lag_threshold=10,
    sasl="scram_sha512",
    username=SecretKeyRef(name="api-scram-password", key="username"),
    password=SecretKeyRef(name="api-scram-password", key="password"),
    ca=SecretKeyRef(name="events-cluster-ca-cert", key="ca.crt"),
)
VARIANTS = {
    "deployment": BASE.model_copy(
        update={
            "zone_spread": True,
            "autoscaling": Autoscaling(min_replicas=2, max_replicas=4, cpu_utilization=70),
        }
    ),
    "statefulSet": BASE.model_copy(
        update={
            "workload": "statefulSet",
            "volume_claims": (VolumeClaim(name="data", mount_path="/data", size="10Gi"),),
            "autoscaling": Autoscaling(min_replicas=0, max_replicas=3, kafka_lag=LAG),
        }
    ),
    "job": BASE.model_copy(update={"workload": "job", "ports": (), "replicas": 1}),
    "cronJob": BASE.model_copy(
        update={"workload": "cronJob", "ports": (), "replicas": 1, "schedule": "0 3 * * *"}
    ),
    "httpRoute": BASE.model_copy(
        update={
            "exposure": AppExposure(
                exposure=Exposure(
                    kind="httpRoute",
                    host="api.example.com",
                    parent_ref=ParentRef(name="edge", section_name="https"),
                ),
                authenticated=True,
            )
        }
    ),
    "ingress": BASE.model_copy(
        update={
            "exposure": AppExposure(
                exposure=Exposure(kind="ingress", host="api.internal", public=False)
            )
        }
    ),
}


def manifests(args: AppServiceArgs) -> list[dict[str, Any]]:
    found = [
        render_workload("api", args),
        render_service_account("api", args),
        render_network_policy("api", args),
        *render_services("api", args),
    ]
    for optional in (
        render_bindings_config_map("api", args),
        render_pod_disruption_budget("api", args),
        render_hpa("api", args),
        render_scaled_object("api", args),
        render_trigger_authentication("api", args),
        render_ingress("api", args),
        render_http_route("api", args),
    ):
        if optional is not None:
            found.append(optional)
    return found


@pytest.fixture(scope="module")
def crds() -> dict[tuple[str, str], dict[str, Any]]:
    needed = {
        "keda.sh_scaledobjects.yaml",
        "keda.sh_triggerauthentications.yaml",
        "gateway.networking.k8s.io_httproutes.yaml",
    }
    return load_schemas(crd_paths("keda", "gateway-api"), needed)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_object_validates(variant: str, crds: dict[tuple[str, str], dict[str, Any]]) -> None:
    kinds = set()
    for manifest in manifests(VARIANTS[variant]):
        kinds.add(manifest["kind"])
        if (manifest["apiVersion"], manifest["kind"]) in crds:
            validate(manifest, crds)
        else:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert {"ServiceAccount", "NetworkPolicy", "ConfigMap"} <= kinds
