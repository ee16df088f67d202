"""`KubeRayOperator`: the KubeRay operator and its CRDs, from the upstream Helm chart."""

from __future__ import annotations

from typing import Annotated

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from components.ray.args import (
    KUBERAY_CHART,
    KUBERAY_CHART_REPO,
    KUBERAY_VERSION,
    LocalChartPath,
)
from components.ray.manifests import render_operator_values
from components.shared.args import ComponentArgs
from components.shared.names import Dns1123Label

TYPE_TOKEN = "shipyard:compute:KubeRayOperator"


class KubeRayOperatorArgs(ComponentArgs):
    namespace: Annotated[Dns1123Label, Field(description="Namespace of the operator.")]
    chart_version: Annotated[
        str, Field(min_length=1, description=f"Chart version; default `{KUBERAY_VERSION}`.")
    ] = KUBERAY_VERSION
    chart_repo: Annotated[
        str, Field(min_length=1, description=f"Chart repository; default `{KUBERAY_CHART_REPO}`.")
    ] = KUBERAY_CHART_REPO
    chart_path: Annotated[
        LocalChartPath | None,
        Field(description="A local chart directory, used instead of `chart_repo`; default none."),
    ] = None


class KubeRayOperator(pulumi.ComponentResource):
    """A Helm release of `kuberay-operator`; its chart carries the ray.io CRDs."""

    release_name: pulumi.Output[str]
    """The Helm release's name."""
    chart_version: pulumi.Output[str]
    """The pinned chart version."""

    def __init__(
        self, name: str, args: KubeRayOperatorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.release = k8s.helm.v3.Release(
            name,
            name=name,
            chart=args.chart_path or KUBERAY_CHART,
            version=args.chart_version,
            repository_opts=(
                None if args.chart_path else k8s.helm.v3.RepositoryOptsArgs(repo=args.chart_repo)
            ),
            namespace=args.namespace,
            values=render_operator_values(),
            # The CRDs must exist before any RayCluster; wait for the release.
            skip_await=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.release_name = self.release.id.apply(lambda _: name)
        self.chart_version = pulumi.Output.from_input(args.chart_version)
        self.register_outputs(
            {"release_name": self.release_name, "chart_version": self.chart_version}
        )
