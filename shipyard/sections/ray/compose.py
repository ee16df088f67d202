"""The Ray cluster (or RayService) on the declared pools."""

from __future__ import annotations

from components.ray.component import RayCluster
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.ray.args import ray_args


def compose_ray(platform: Platform, composed: ComposedPlatform) -> None:
    spec = platform.spec.ray
    args = ray_args(platform)
    if spec is None or args is None:
        return
    composed.ray = RayCluster(spec.name, args, opts=composed.in_namespace())
