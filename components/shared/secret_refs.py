"""A reference to one key of an existing Kubernetes Secret, shared by the components."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from components.shared.args import ComponentArgs
from components.shared.names import Dns1123Label


class SecretKeyRef(ComponentArgs):
    """A key in an existing Kubernetes Secret."""

    name: Annotated[Dns1123Label, Field(description="Secret name.")]
    key: Annotated[str, Field(min_length=1, description="Key within the Secret.")] = "token"
