"""`spec.ray`: a Ray cluster (KubeRay) on the blueprint's node pools."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from components.ray.args import (
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_UPSCALING_MODE,
    KUBERAY_VERSION,
    RAY_VERSION,
    UpscalingMode,
)
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import Resources, SecretRef

DEFAULT_CLUSTER_NAME = "ray"


class RayHeadSpec(BlueprintModel):
    node_pool: Annotated[
        str | None, Field(description="A declared pool for the head; none: anywhere.")
    ] = None
    resources: Annotated[Resources | None, Field(description="CPU and memory.")] = None


class WorkerGroupSpec(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Group name, unique.")]
    node_pool: Annotated[str, Field(min_length=1, description="The declared pool it runs on.")]
    gpus_per_worker: Annotated[
        int, Field(ge=0, description="GPUs per worker; needs a GPU pool when above 0.")
    ] = 0
    min_replicas: Annotated[int, Field(ge=0, description="Fewest workers.")] = 0
    max_replicas: Annotated[int, Field(ge=1, description="Most workers.")]
    resources: Annotated[Resources | None, Field(description="CPU and memory.")] = None
    image: Annotated[PinnedImage | None, Field(description="Overrides the cluster image.")] = None

    @model_validator(mode="after")
    def _bounds(self) -> WorkerGroupSpec:
        if self.min_replicas > self.max_replicas:
            raise ValueError("`minReplicas` must not exceed `maxReplicas`")
        return self


class GcsFaultToleranceSpec(BlueprintModel):
    redis_address: Annotated[str, Field(min_length=1, description="`host:port` of Redis.")]
    password_secret: Annotated[
        SecretRef | None, Field(description="Secret with the Redis password.")
    ] = None


class ServeApplicationSpec(BlueprintModel):
    name: Annotated[str, Field(min_length=1, description="Application name.")]
    import_path: Annotated[
        str, Field(min_length=1, description="`module:attribute` of the bound deployment.")
    ]
    route_prefix: Annotated[str, Field(pattern=r"^/", description="HTTP route prefix.")] = "/"
    runtime_env: Annotated[dict[str, Any], Field(description="Ray runtime environment.")] = {}
    args: Annotated[dict[str, Any], Field(description="Application builder arguments.")] = {}


class RaySpec(BlueprintModel):
    name: Annotated[
        ServiceName, Field(description=f"Cluster name; default `{DEFAULT_CLUSTER_NAME}`.")
    ] = DEFAULT_CLUSTER_NAME
    install_operator: Annotated[
        bool, Field(description="Install KubeRay from its Helm chart; `false` uses the cluster's.")
    ] = True
    operator_chart_version: Annotated[
        str, Field(min_length=1, description=f"KubeRay chart; default `{KUBERAY_VERSION}`.")
    ] = KUBERAY_VERSION
    operator_chart_path: Annotated[
        str | None,
        Field(
            description="Absolute path of a local `kuberay-operator` chart (a mirror) to "
            "install instead of the chart repository's; default none."
        ),
    ] = None
    ray_version: Annotated[
        str, Field(pattern=r"^\d+\.\d+\.\d+$", description=f"Default `{RAY_VERSION}`.")
    ] = RAY_VERSION
    image: Annotated[
        PinnedImage | None,
        Field(description="Image; default `rayproject/ray:<rayVersion>` (`-gpu` for GPU groups)."),
    ] = None
    head: Annotated[RayHeadSpec, Field(description="The head pod (no GPU).")] = RayHeadSpec()
    worker_groups: Annotated[list[WorkerGroupSpec], Field(description="Worker groups.")] = []
    idle_timeout_seconds: Annotated[
        int, Field(ge=0, description=f"Default `{DEFAULT_IDLE_TIMEOUT_SECONDS}`.")
    ] = DEFAULT_IDLE_TIMEOUT_SECONDS
    upscaling_mode: Annotated[
        UpscalingMode, Field(description=f"Default `{DEFAULT_UPSCALING_MODE}`.")
    ] = DEFAULT_UPSCALING_MODE
    gcs_fault_tolerance: Annotated[
        GcsFaultToleranceSpec | None, Field(description="Redis-backed GCS fault tolerance.")
    ] = None
    serve_applications: Annotated[
        list[ServeApplicationSpec],
        Field(description="Ray Serve applications; any makes the cluster a RayService."),
    ] = []
