"""`spec.cluster`: which Kubernetes cluster the platform is deployed onto."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shipyard.blueprint.base import BlueprintModel
from shipyard.sections.cluster.eks import EksCluster


class LocalCluster(BlueprintModel):
    """An existing cluster reached through a kubeconfig context (kind, k3d, on-prem)."""

    kind: Annotated[Literal["local"], Field(description="`local`: an existing cluster.")]
    context: Annotated[
        str | None,
        Field(description="Kubeconfig context; none uses the current context."),
    ] = None
    kubeconfig: Annotated[
        str | None,
        Field(description="Kubeconfig file; none uses `$KUBECONFIG` or `~/.kube/config`."),
    ] = None


Cluster = Annotated[LocalCluster | EksCluster, Field(discriminator="kind")]
"""`kind: local` (an existing cluster) or `kind: eks` (one Shipyard creates)."""
