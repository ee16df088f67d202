"""Where a blueprint model's servers run: the model itself, or each of its roles (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from shipyard.blueprint.errors import Path
from shipyard.blueprint.shared import Resources
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.models.roles import ROLE_NAMES


@dataclass(frozen=True)
class Placement:
    """One group of identical servers of a model: the model itself, or one role."""

    name: str
    """Names its Deployment and Service: the model's, or `<model>-<role>`."""
    role: str | None
    path: Path
    """Where its `tensorParallelSize` and `nodePool` are written in the blueprint."""
    node_pool: str
    at_start: int
    most_replicas: int
    tensor_parallel_size: int
    resources: Resources | None

    @property
    def label(self) -> str:
        return self.name if self.role is None else f"{self.name.rsplit('-', 1)[0]}:{self.role}"


def placements(index: int, model: ModelSpec) -> list[Placement]:
    path: Path = ("spec", "models", index)
    if model.roles is None:
        start = model.autoscaling.min_replicas if model.autoscaling else model.replicas
        return [
            Placement(
                model.name,
                None,
                path,
                model.node_pool,
                start,
                model.most_replicas,
                model.tensor_parallel_size,
                model.resources,
            )
        ]
    result = []
    for role_name in ROLE_NAMES:
        role = getattr(model.roles, role_name)
        result.append(
            Placement(
                f"{model.name}-{role_name}",
                role_name,
                (*path, "roles", role_name),
                role.node_pool or model.node_pool,
                role.replicas,
                role.replicas,
                role.tensor_parallel_size,
                role.resources or model.resources,
            )
        )
    return result
