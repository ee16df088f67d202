"""The app's workload and companions as plain data: restricted pods, scheduling from the
pool, probes, the four workload kinds, the ServiceAccount, Services and PDB."""

from __future__ import annotations

import pytest

from components.app.args import (
    AppPort,
    AppResources,
    AppServiceArgs,
    Autoscaling,
    EnvVar,
    VolumeClaim,
)
from components.app.manifests import (
    effective_probes,
    render_cron_job,
    render_deployment,
    render_job,
    render_pod_disruption_budget,
    render_service_account,
    render_services,
    render_stateful_set,
)
from components.shared.scheduling import PoolScheduling, Taint
from components.shared.secret_refs import SecretKeyRef

GPU_POOL = PoolScheduling(
    pool="gpu",
    node_selector={"shipyard.dev/pool": "gpu"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=1,
)
BASE = AppServiceArgs(
    namespace="llm",
    image="registry.example.com/acme/api:1.4.2",
    ports=(AppPort(name="http", port=8080),),
    env=(
        EnvVar(name="LOG_LEVEL", value="info"),
        EnvVar(name="STRIPE_KEY", secret=SecretKeyRef(name="stripe", key="api-key")),
    ),
    replicas=3,
)


def test_the_deployment_runs_restricted_pods_as_its_own_service_account() -> None:
    deployment = render_deployment("api", BASE)
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["selector"] == {"matchLabels": {"shipyard.dev/app": "api"}}
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "api"
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = pod["containers"]
    assert container["image"] == "registry.example.com/acme/api:1.4.2"
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["runAsUser"] == 10001
    assert container["volumeMounts"] == [{"name": "writable-0", "mountPath": "/tmp"}]
    assert pod["volumes"] == [{"name": "writable-0", "emptyDir": {}}]
    assert container["env"] == [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "STRIPE_KEY", "valueFrom": {"secretKeyRef": {"name": "stripe", "key": "api-key"}}},
    ]
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"memory": "256Mi"},
    }


def test_an_http_port_gets_tcp_probes_unless_probes_are_declared() -> None:
    container = render_deployment("api", BASE)["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"] == {
        "tcpSocket": {"port": "http"},
        "periodSeconds": 10,
        "failureThreshold": 3,
    }
    assert container["livenessProbe"]["initialDelaySeconds"] == 10
    no_http = BASE.model_copy(update={"ports": (AppPort(name="grpc", port=9090),)})
    assert effective_probes(no_http).readiness is None


def test_a_gpu_app_lands_on_its_pool_and_tolerates_its_taint() -> None:
    args = BASE.model_copy(
        update={"scheduling": GPU_POOL, "resources": AppResources(cpu="2", memory="8Gi", gpus=1)}
    )
    pod = render_deployment("embedder", args)["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"shipyard.dev/pool": "gpu"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"}
    ]
    resources = pod["containers"][0]["resources"]
    assert resources["requests"]["nvidia.com/gpu"] == "1"
    assert resources["limits"]["nvidia.com/gpu"] == "1"


def test_zone_spread_when_the_pool_spans_zones() -> None:
    spread = BASE.model_copy(update={"zone_spread": True})
    pod = render_deployment("api", spread)["spec"]["template"]["spec"]
    assert pod["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"shipyard.dev/app": "api"}},
        }
    ]
    assert (
        "topologySpreadConstraints"
        not in render_deployment("api", BASE)["spec"]["template"]["spec"]
    )


def test_a_stateful_set_keeps_its_claims_unless_data_loss_is_allowed() -> None:
    args = BASE.model_copy(
        update={
            "workload": "statefulSet",
            "volume_claims": (VolumeClaim(name="data", mount_path="/data", size="20Gi"),),
        }
    )
    stateful = render_stateful_set("index", args)
    assert stateful["metadata"]["labels"]["shipyard.dev/data"] == "app"
    assert stateful["spec"]["serviceName"] == "index-hl"
    assert stateful["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    [claim] = stateful["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"] == {"requests": {"storage": "20Gi"}}
    mounts = stateful["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "data", "mountPath": "/data"} in mounts
    loose = render_stateful_set("index", args.model_copy(update={"allow_data_loss": True}))
    assert loose["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Delete"
    assert [s["metadata"]["name"] for s in render_services("index", args)] == ["index", "index-hl"]


def test_a_job_is_named_after_its_spec_and_a_cron_job_after_itself() -> None:
    job_args = AppServiceArgs(
        namespace="llm", workload="job", image="registry.example.com/acme/eval:2.0.0"
    )
    job = render_job("eval", job_args)
    name = job["metadata"]["name"]
    assert name.startswith("eval-") and len(name) == len("eval-") + 10
    assert job["spec"]["backoffLimit"] == 3
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    changed = job_args.model_copy(update={"image": "registry.example.com/acme/eval:2.0.1"})
    assert render_job("eval", changed)["metadata"]["name"] != name
    cron = render_cron_job(
        "nightly", job_args.model_copy(update={"workload": "cronJob", "schedule": "0 3 * * *"})
    )
    assert cron["metadata"]["name"] == "nightly"
    assert cron["spec"]["schedule"] == "0 3 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert render_services("eval", job_args) == []


def test_a_pdb_only_with_more_than_one_replica() -> None:
    assert render_pod_disruption_budget("api", BASE)["spec"]["minAvailable"] == 1
    one = BASE.model_copy(update={"replicas": 1})
    assert render_pod_disruption_budget("api", one) is None
    scaled = BASE.model_copy(
        update={"autoscaling": Autoscaling(min_replicas=1, max_replicas=4, cpu_utilization=70)}
    )
    # Starting at one replica, `minAvailable: 1` would block every drain.
    assert render_pod_disruption_budget("api", scaled)["spec"]["maxUnavailable"] == 1
    assert render_deployment("api", scaled)["spec"]["replicas"] == 1


def test_the_service_account_mounts_no_token() -> None:
    account = render_service_account("api", BASE)
    assert account["metadata"]["name"] == "api"
    assert account["automountServiceAccountToken"] is False


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"workload": "cronJob"}, "a `cronJob` needs a `schedule`"),
        ({"schedule": "0 3 * * *"}, "`schedule` is for a `cronJob`"),
        ({"workload": "job"}, "a job has no `ports`"),
        (
            {"env": (EnvVar(name="A", value="1"), EnvVar(name="A", value="2"))},
            "env var\\(s\\) A set twice",
        ),
        ({"resources": AppResources(gpus=1)}, "`resources.gpus` need a pool"),
    ],
)
def test_inconsistent_args_are_refused(update: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AppServiceArgs(**{**BASE.model_dump(), **update})


def test_latest_is_refused() -> None:
    with pytest.raises(ValueError, match="uses `latest`"):
        AppServiceArgs(namespace="llm", image="registry.example.com/acme/api:latest")
