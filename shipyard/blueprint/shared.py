"""Blueprint building blocks that several sections use: a Secret reference and resource
requests."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from components.shared.k8s_values import CpuQuantity, MemoryQuantity
from components.shared.names import Dns1123Label
from shipyard.blueprint.base import BlueprintModel


class SecretRef(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Name of an existing Secret.")]
    key: Annotated[str, Field(min_length=1, description="Key in the Secret.")] = "token"


class Resources(BlueprintModel):
    cpu: Annotated[CpuQuantity, Field(description="CPU request, e.g. `4`.")]
    memory: Annotated[MemoryQuantity, Field(description="Memory request and limit, e.g. `16Gi`.")]


class UseBase(BlueprintModel):
    """What every `uses:` entry of an app may set besides its own fields."""

    name: Annotated[
        Dns1123Label | None,
        Field(
            description="The binding's name: its directory under `/bindings` and, upper-cased, "
            "its env var prefix; default the kind's (`postgres`, `kafka`, `s3`, ...)."
        ),
    ] = None
    env: Annotated[
        dict[str, str],
        Field(
            description="More env var names for the binding's values, e.g. "
            "`{DATABASE_URL: uri}`; see docs/apps.md for each kind's keys."
        ),
    ] = {}
