"""`spec.manifests`: YAML files of Kubernetes objects in the repo, applied as they are,
namespaced to the platform (docs/charts.md). Their checks are in `checks.py`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shipyard.blueprint.base import BlueprintModel


class ManifestSpec(BlueprintModel):
    """One file of one or more YAML documents, each a Kubernetes object."""

    path: Annotated[str, Field(min_length=1, description="The file, relative to the blueprint.")]
