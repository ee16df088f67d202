"""The manifests' objects as one `PlainManifests`, namespaced to the platform."""

from __future__ import annotations

from components.manifests.args import PlainManifestsArgs
from components.manifests.component import PlainManifests
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.manifests.load import load_manifests


def compose_manifests(
    platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
) -> None:
    if not platform.spec.manifests:
        return
    loaded = load_manifests(platform)  # the loader refused any problem
    objects = tuple(obj.manifest for obj in loaded.objects)
    if objects:
        composed.manifests = PlainManifests(
            f"{platform.metadata.name}-manifests",
            PlainManifestsArgs(objects=objects),
            opts=composed.in_namespace(),
        )
