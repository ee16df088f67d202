"""Arguments of `PlainManifests`: Kubernetes objects written by hand, already namespaced."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from components.shared.args import ComponentArgs


class PlainManifestsArgs(ComponentArgs):
    objects: Annotated[
        tuple[dict[str, Any], ...],
        Field(min_length=1, description="The objects, each with `apiVersion` and `kind`."),
    ]
