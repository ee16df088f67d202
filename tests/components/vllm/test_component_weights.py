"""`VllmService` with staged weights under Pulumi mocks: the script, the volume and the
Job are its children, and the Deployment waits for the Job."""

from __future__ import annotations

from typing import Any

import pulumi

from components.vllm.component import VllmService
from tests.components.pulumi_recorder import Recorder
from tests.components.vllm.test_manifests import make_args
from tests.components.vllm.test_staging import MINIO, VOLUME, env_of

JOB = "kubernetes:batch/v1:Job"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"


def deploy(args: Any) -> None:
    @pulumi.runtime.test
    def program() -> pulumi.Output[str]:
        return VllmService("llama", args).url

    program()


def test_the_deployment_waits_for_the_staging_job(monitor: Recorder) -> None:
    deploy(make_args(weights=VOLUME))
    job, deployment = monitor.one(JOB), monitor.one(DEPLOYMENT)
    claim, script = monitor.one(PVC), monitor.one(CONFIG_MAP)
    assert job.urn in deployment.dependencies
    assert {claim.urn, script.urn} <= set(job.dependencies)
    assert job.inputs["metadata"]["name"].startswith("llama-weights-")
    assert claim.inputs["spec"]["accessModes"] == ["ReadWriteMany"]
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    assert "--load-format" in container["args"]


def test_bucket_weights_need_no_volume(monitor: Recorder) -> None:
    deploy(make_args(weights=MINIO))
    assert monitor.of_type(PVC) == []
    [job] = monitor.of_type(JOB)
    env = env_of(job.inputs["spec"]["template"]["spec"]["containers"][0])
    assert env["SHIPYARD_DEST"].startswith("s3://models/models/")


def test_without_weights_there_is_no_job(monitor: Recorder) -> None:
    deploy(make_args())
    assert monitor.of_type(JOB) == []
    assert monitor.of_type(CONFIG_MAP) == []
    assert (
        "--load-format"
        not in monitor.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"][0]["args"]
    )
