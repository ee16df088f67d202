"""Arguments of the Ray cluster component (a KubeRay RayCluster or RayService)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity, Port
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.scheduling import PoolScheduling
from components.shared.secret_refs import SecretKeyRef

# KubeRay: the Helm chart and the Go module (whose CRDs the tests validate
# against) are released together under one version.
KUBERAY_VERSION = "1.6.2"
KUBERAY_CHART = "kuberay-operator"
KUBERAY_CHART_REPO = "https://ray-project.github.io/kuberay-helm/"
# The Ray release KubeRay 1.6's own samples run.
RAY_VERSION = "2.52.0"
# Token authentication (`RAY_AUTH_MODE=token`) arrived in Ray 2.52.0, and KubeRay's
# `authOptions` validation refuses older versions with it
# (https://docs.ray.io/en/latest/ray-security/token-auth.html; ray-operator v1.6.2
# controllers/ray/utils/validation.go).
MIN_TOKEN_AUTH_RAY_VERSION = (2, 52, 0)
KUBERAY_OPERATOR_POD_LABELS = {"app.kubernetes.io/name": "kuberay-operator"}
"""The labels the kuberay-operator chart puts on the operator's pods (its
`templates/deployment.yaml`: `app.kubernetes.io/name` is the chart name by default)."""
RAY_IMAGE_REPOSITORY = "rayproject/ray"
DEFAULT_HEAD_CPU = "2"
DEFAULT_HEAD_MEMORY = "8Gi"
DEFAULT_WORKER_CPU = "4"
DEFAULT_WORKER_MEMORY = "16Gi"
DEFAULT_IDLE_TIMEOUT_SECONDS = 60
UpscalingMode = Literal["Default", "Aggressive", "Conservative"]
DEFAULT_UPSCALING_MODE: UpscalingMode = "Default"
RAY_USER = 1000
"""The `ray` user of the rayproject/ray images."""


LocalChartPath = Annotated[
    str,
    Field(
        pattern=r"^/",
        description="Absolute path of a local chart directory (a mirrored or vendored copy).",
    ),
]


def default_image(ray_version: str, gpu: bool) -> str:
    """`rayproject/ray:<version>`, or its `-gpu` (CUDA) variant."""
    return f"{RAY_IMAGE_REPOSITORY}:{ray_version}{'-gpu' if gpu else ''}"


def image_version_problem(image: str, ray_version: str) -> str | None:
    """Why the image's tag does not carry `ray_version`, or None when it agrees.

    Tags look like `2.52.0`, `2.52.0-gpu`, `2.52.0-py311-cu124`; a digest-only
    reference cannot be checked and passes."""
    last = image.rsplit("/", 1)[-1].split("@", 1)[0]
    if ":" not in last:
        return None
    tag = last.rsplit(":", 1)[1]
    if tag.split("-", 1)[0] != ray_version:
        return f"image tag `{tag}` does not match `ray_version` {ray_version}"
    return None


def token_auth_problem(ray_version: str) -> str | None:
    """Why `ray_version` cannot run with token authentication, or None."""
    parts = tuple(int(part) for part in ray_version.split("."))
    if parts < MIN_TOKEN_AUTH_RAY_VERSION:
        minimum = ".".join(map(str, MIN_TOKEN_AUTH_RAY_VERSION))
        return (
            f"Ray {ray_version} has no token authentication, which Shipyard turns on; "
            f"use {minimum} or later"
        )
    return None


class RayClient(ComponentArgs):
    """Pods admitted to the Ray cluster's pods, on `ports` (e.g. Serve's 8000)."""

    pod_labels: Annotated[Labels, Field(min_length=1, description="The pods' labels.")]
    namespace_labels: Annotated[
        Labels | None, Field(description="Their namespace's labels; none: the cluster's own.")
    ] = None
    ports: Annotated[tuple[Port, ...], Field(min_length=1, description="TCP ports.")]


class Resources(ComponentArgs):
    cpu: Annotated[CpuQuantity, Field(description="CPU request and limit.")]
    memory: Annotated[MemoryQuantity, Field(description="Memory request and limit.")]


class RayHead(ComponentArgs):
    """The head pod: GCS, dashboard and autoscaler; it gets no GPU and runs no tasks."""

    resources: Annotated[
        Resources, Field(description=f"Default cpu `{DEFAULT_HEAD_CPU}`, {DEFAULT_HEAD_MEMORY}.")
    ] = Resources(cpu=DEFAULT_HEAD_CPU, memory=DEFAULT_HEAD_MEMORY)
    scheduling: Annotated[
        PoolScheduling | None, Field(description="Pool for the head; none: anywhere.")
    ] = None


class WorkerGroup(ComponentArgs):
    """Identical workers on one node pool, scaled between min and max by the autoscaler."""

    name: Annotated[Dns1123Label, Field(description="Group name.")]
    scheduling: Annotated[PoolScheduling, Field(description="The node pool it runs on.")]
    gpus_per_worker: Annotated[int, Field(ge=0, description="GPUs per worker pod.")] = 0
    min_replicas: Annotated[int, Field(ge=0, description="Fewest workers.")] = 0
    max_replicas: Annotated[int, Field(ge=1, description="Most workers.")]
    resources: Annotated[
        Resources,
        Field(description=f"Default cpu `{DEFAULT_WORKER_CPU}`, {DEFAULT_WORKER_MEMORY}."),
    ] = Resources(cpu=DEFAULT_WORKER_CPU, memory=DEFAULT_WORKER_MEMORY)
    image: Annotated[PinnedImage | None, Field(description="Overrides the cluster image.")] = None

    @model_validator(mode="after")
    def _fits(self) -> WorkerGroup:
        problems = worker_group_problems(
            self.gpus_per_worker, self.min_replicas, self.max_replicas, self.scheduling
        )
        if problems:
            raise ValueError("; ".join(f"`{field}`: {message}" for field, message in problems))
        return self


def worker_group_problems(
    gpus_per_worker: int, min_replicas: int, max_replicas: int, scheduling: PoolScheduling
) -> list[tuple[str, str]]:
    """`(field, message)` for a group that cannot scale or cannot land on its pool."""
    problems: list[tuple[str, str]] = []
    if min_replicas > max_replicas:
        problems.append(("min_replicas", "must not exceed `max_replicas`"))
    gpus = scheduling.gpus_per_node
    if gpus_per_worker > 0 and gpus == 0:
        problems.append(
            (
                "gpus_per_worker",
                f"pool `{scheduling.pool}` has no GPUs; put GPU workers on a GPU pool "
                "or ask for no GPUs",
            )
        )
    elif gpus_per_worker > gpus:
        problems.append(
            (
                "gpus_per_worker",
                f"{gpus_per_worker} exceeds the {gpus} GPU(s) per node of pool `{scheduling.pool}`",
            )
        )
    return problems


class GcsFaultTolerance(ComponentArgs):
    """GCS state kept in an external Redis, so the cluster survives a head restart."""

    redis_address: Annotated[str, Field(min_length=1, description="`host:port` of Redis.")]
    password_secret: Annotated[
        SecretKeyRef | None, Field(description="Secret with the Redis password.")
    ] = None


class ServeApplication(ComponentArgs):
    """One Ray Serve application, as in Serve's config file."""

    name: Annotated[str, Field(min_length=1, description="Application name.")]
    import_path: Annotated[
        str, Field(min_length=1, description="`module:attribute` of the bound deployment.")
    ]
    route_prefix: Annotated[str, Field(pattern=r"^/", description="HTTP route prefix.")] = "/"
    runtime_env: Annotated[
        dict[str, Any], Field(description="Ray runtime environment (e.g. `pip`, `working_dir`).")
    ] = {}
    args: Annotated[dict[str, Any], Field(description="Arguments of the application builder.")] = {}


class RayClusterArgs(ComponentArgs):
    """A Ray cluster on declared node pools; the pools are given, never retyped."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    ray_version: Annotated[
        str,
        Field(pattern=r"^\d+\.\d+\.\d+$", description=f"Ray version; default `{RAY_VERSION}`."),
    ] = RAY_VERSION
    image: Annotated[
        PinnedImage | None,
        Field(description="Ray image; default `rayproject/ray:<ray_version>` (`-gpu` on GPUs)."),
    ] = None
    head: Annotated[RayHead, Field(description="The head pod.")] = RayHead()
    worker_groups: Annotated[tuple[WorkerGroup, ...], Field(description="Worker groups.")] = ()
    idle_timeout_seconds: Annotated[
        int,
        Field(
            ge=0,
            description=f"Idle time before a worker is removed; "
            f"default `{DEFAULT_IDLE_TIMEOUT_SECONDS}`.",
        ),
    ] = DEFAULT_IDLE_TIMEOUT_SECONDS
    upscaling_mode: Annotated[
        UpscalingMode,
        Field(description=f"Autoscaler upscaling; default `{DEFAULT_UPSCALING_MODE}`."),
    ] = DEFAULT_UPSCALING_MODE
    gcs_fault_tolerance: Annotated[
        GcsFaultTolerance | None, Field(description="Redis-backed GCS fault tolerance.")
    ] = None
    serve_applications: Annotated[
        tuple[ServeApplication, ...],
        Field(description="Ray Serve applications; any makes it a RayService."),
    ] = ()
    install_operator: Annotated[
        bool, Field(description="Install the KubeRay operator from its Helm chart.")
    ] = True
    operator_namespace: Annotated[
        Dns1123Label | None, Field(description="Namespace of the operator; default `namespace`.")
    ] = None
    operator_chart_version: Annotated[
        str, Field(description=f"KubeRay chart version; default `{KUBERAY_VERSION}`.")
    ] = KUBERAY_VERSION
    operator_chart_repository: Annotated[
        str,
        Field(
            min_length=1,
            description="KubeRay chart repository (a mirror when air-gapped); "
            f"default `{KUBERAY_CHART_REPO}`.",
        ),
    ] = KUBERAY_CHART_REPO
    operator_chart_path: Annotated[
        LocalChartPath | None,
        Field(description="A local `kuberay-operator` chart directory instead of the repository."),
    ] = None
    clients: Annotated[
        tuple[RayClient, ...],
        Field(
            description="Pods besides Ray's own and the operator that may reach Ray's pods; "
            "default none."
        ),
    ] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RayClusterArgs:
        problems: list[str] = []
        auth_problem = token_auth_problem(self.ray_version)
        if auth_problem:
            problems.append(f"`ray_version`: {auth_problem}")
        for image in [self.image, *(group.image for group in self.worker_groups)]:
            problem = image_version_problem(image, self.ray_version) if image else None
            if problem:
                problems.append(problem)
        names = [group.name for group in self.worker_groups]
        if len(set(names)) != len(names):
            problems.append("`worker_groups` names must be unique")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def image_for(self, group: WorkerGroup | None) -> str:
        if group is not None and group.image is not None:
            return group.image
        if self.image is not None:
            return self.image
        return default_image(self.ray_version, gpu=group is not None and group.gpus_per_worker > 0)
